#include "cli/client.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "cli/exit_codes.hpp"

namespace dnsfleet::cli {

int exitCodeForStatus(int status) {
    switch (status) {
        case 401:
            return kExitAuth;
        case 403:
            return kExitForbidden;
        case 404:
        case 410:
            return kExitNotFound;
        case 409:
        case 412:
        case 428:
            return kExitConflict;
        case 400:
        case 413:
        case 415:
        case 422:
            return kExitValidation;
        case 429:
            return kExitRateLimited;
        default:
            break;
    }
    if (status >= 500) return kExitServer;
    if (status >= 400) return kExitValidation;
    return kExitOk;
}

namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
    const auto it = headers.find(lower(name));
    return it == headers.end() ? std::string() : it->second;
}

std::string encodeComponent(const std::string& text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[byte >> 4U]);
            out.push_back(kHex[byte & 0x0FU]);
        }
    }
    return out;
}

struct ApiClient::Impl {
    std::string host;
    int port = 443;
    ClientOptions options;
};

ApiClient::ApiClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiClient::~ApiClient() = default;

Result<std::unique_ptr<ApiClient>, TransportError> ApiClient::create(const ClientOptions& options) {
    const std::string prefix = "https://";
    if (options.endpoint.rfind(prefix, 0) != 0) {
        return fail(
            TransportError{"the endpoint must be an https:// URL, not '" + options.endpoint + "'"});
    }
    std::string rest = options.endpoint.substr(prefix.size());
    while (!rest.empty() && rest.back() == '/')
        rest.pop_back();
    if (rest.find('/') != std::string::npos) {
        return fail(TransportError{"the endpoint takes no path: '" + options.endpoint + "'"});
    }
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    std::string hostPart = rest;
    std::string portPart;
    if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
        const auto close = rest.find(']');
        if (close == std::string::npos) return fail(TransportError{"bad endpoint " + rest});
        hostPart = rest.substr(1, close - 1);
        if (close + 1 < rest.size() && rest[close + 1] == ':') portPart = rest.substr(close + 2);
    } else if (const auto colon = rest.rfind(':'); colon != std::string::npos) {
        hostPart = rest.substr(0, colon);
        portPart = rest.substr(colon + 1);
    }
    if (hostPart.empty()) return fail(TransportError{"the endpoint names no host"});
    impl->host = hostPart;
    if (!portPart.empty()) {
        if (portPart.size() > 5 || portPart.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(portPart) < 1 || std::stoi(portPart) > 65535) {
            return fail(TransportError{"bad port in endpoint '" + options.endpoint + "'"});
        }
        impl->port = std::stoi(portPart);
    }
    return std::unique_ptr<ApiClient>(new ApiClient(std::move(impl)));
}

Result<HttpResponse, TransportError> ApiClient::send(const HttpRequest& request) {
    httplib::SSLClient client(impl_->host, impl_->port);
    const auto seconds = static_cast<time_t>(impl_->options.timeout.count());
    client.set_connection_timeout(seconds, 0);
    client.set_read_timeout(seconds, 0);
    client.set_write_timeout(seconds, 0);
    client.enable_server_certificate_verification(!impl_->options.insecure);
    if (!impl_->options.caFile.empty()) {
        std::error_code ec;
        if (!std::filesystem::exists(impl_->options.caFile, ec)) {
            return fail(TransportError{"the CA file " + impl_->options.caFile + " does not exist"});
        }
        client.set_ca_cert_path(impl_->options.caFile);
    }

    httplib::Request req;
    req.method = request.method;
    req.path = request.path;
    for (const auto& [name, value] : request.headers)
        req.set_header(name, value);
    req.set_header("User-Agent", "dnsfleet-cli");
    req.set_header("Accept", "application/json, application/problem+json, text/dns, */*");
    if (!request.contentType.empty()) req.set_header("Content-Type", request.contentType);
    req.body = request.body;

    httplib::Result result = client.send(req);
    if (!result) {
        std::string message =
            "cannot reach " + impl_->options.endpoint + ": " + httplib::to_string(result.error());
        if (result.error() == httplib::Error::SSLServerVerification) {
            const long verify = client.get_openssl_verify_result();
            message += " (" + std::string(X509_verify_cert_error_string(verify)) +
                       "; use --ca-file to trust the server's certificate)";
        }
        return fail(TransportError{message});
    }
    HttpResponse response;
    response.status = result->status;
    response.body = result->body;
    for (const auto& [name, value] : result->headers) {
        auto& slot = response.headers[lower(name)];
        if (!slot.empty()) slot += ", ";
        slot += value;
    }
    return response;
}

}  // namespace dnsfleet::cli
