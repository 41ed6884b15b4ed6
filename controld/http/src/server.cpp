#include "controld/http/server.hpp"

#include <httplib.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace dnsfleet::controld::http {

ListenAddress parseListen(const std::string& listen) {
    ListenAddress address;
    std::string portText;
    if (!listen.empty() && listen.front() == '[') {
        const std::size_t close = listen.find(']');
        if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
            throw std::runtime_error("listen address '" + listen + "' is not [v6]:port");
        }
        address.host = listen.substr(1, close - 1);
        portText = listen.substr(close + 2);
    } else {
        const std::size_t colon = listen.rfind(':');
        if (colon == std::string::npos || listen.find(':') != colon) {
            throw std::runtime_error("listen address '" + listen + "' is not address:port");
        }
        address.host = listen.substr(0, colon);
        portText = listen.substr(colon + 1);
    }
    if (address.host.empty() || portText.empty() || portText.size() > 5 ||
        !std::all_of(portText.begin(), portText.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; })) {
        throw std::runtime_error("listen address '" + listen + "' is not address:port");
    }
    address.port = std::stoi(portText);
    if (address.port > 65535) throw std::runtime_error("listen port out of range in " + listen);
    return address;
}

namespace {

Request fromHttplib(const httplib::Request& in) {
    Request out;
    out.method = in.method;
    // The raw target, so that the router decodes each path segment itself.
    const std::string& target = in.target.empty() ? in.path : in.target;
    out.path = target.substr(0, target.find('?'));
    for (const auto& [name, value] : in.params)
        out.query.emplace(name, value);
    for (const auto& [name, value] : in.headers) {
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        out.headers.emplace(std::move(lower), value);
    }
    out.body = in.body;
    out.context.sourceAddress = in.remote_addr;
    return out;
}

void toHttplib(const Response& in, httplib::Response& out) {
    out.status = in.status;
    for (const auto& [name, value] : in.headers)
        out.set_header(name, value);
    if (in.status == 204 || in.status == 304) {
        out.body.clear();
    } else {
        out.set_content(
            in.body, in.contentType.empty() ? "application/octet-stream" : in.contentType.c_str());
    }
}

ErrorCode codeForStatus(int status) {
    switch (status) {
        case 404:
            return ErrorCode::NotFound;
        case 405:
            return ErrorCode::MethodNotAllowed;
        case 413:
            return ErrorCode::PayloadTooLarge;
        case 415:
            return ErrorCode::UnsupportedMediaType;
        case 503:
            return ErrorCode::Unavailable;
        default:
            return status >= 500 ? ErrorCode::Internal : ErrorCode::Invalid;
    }
}

}  // namespace

struct Server::Impl {
    std::unique_ptr<httplib::SSLServer> server;
    std::thread thread;
    std::atomic<bool> listenEnded{false};
    int port = 0;
};

Server::Server(Gateway& gateway, const config::ApiSettings& settings, const TlsFiles& tls)
    : impl_(std::make_unique<Impl>()) {
    impl_->server =
        std::make_unique<httplib::SSLServer>(tls.certificate.c_str(), tls.privateKey.c_str());
    httplib::SSLServer& server = *impl_->server;
    if (!server.is_valid()) {
        throw std::runtime_error("cannot load the API certificate " + tls.certificate.string() +
                                 " and key " + tls.privateKey.string());
    }
    SSL_CTX* ctx = server.ssl_context();
    // TLS 1.2 with forward-secret AEAD suites at least; 1.3 is preferred by negotiation.
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1) {
        throw std::runtime_error("cannot restrict the API's TLS versions");
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);

    const std::size_t threads = settings.threads;
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server.set_payload_max_length(settings.maxBodyBytes);
    // A connection holds one of the pool's threads for as long as it is open, idle keep-alive
    // included: short timeouts and a large pool keep a few idle or slow clients from stalling
    // everyone else. The keep-alive timeout also bounds how long stop() waits.
    server.set_read_timeout(10, 0);
    server.set_write_timeout(10, 0);
    server.set_keep_alive_timeout(2);
    server.set_keep_alive_max_count(1000);
    // A response leaves in several writes (headers, body); with Nagle the later ones wait for
    // the client's delayed ACK, which put ~40 ms on every keep-alive request.
    server.set_tcp_nodelay(true);

    const auto handler = [&gateway](const httplib::Request& in, httplib::Response& out) {
        Request request = fromHttplib(in);
        toHttplib(gateway.handle(request), out);
    };
    const std::string everything = ".*";
    server.Get(everything, handler);
    server.Post(everything, handler);
    server.Put(everything, handler);
    server.Patch(everything, handler);
    server.Delete(everything, handler);
    server.Options(everything, handler);
    // Errors cpp-httplib answers itself (413, malformed requests, unknown methods) have no body
    // yet; they get a problem document and the usual headers. Ours already have one.
    server.set_error_handler(httplib::Server::HandlerWithResponse(
        [&gateway](const httplib::Request& in, httplib::Response& out) {
            if (!out.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
            Request request = fromHttplib(in);
            request.body.clear();
            const ErrorCode code = codeForStatus(out.status);
            std::string detail =
                out.status == 413 ? "the body is larger than the limit" : "the request was refused";
            toHttplib(gateway.refuse(request, code, std::move(detail)), out);
            return httplib::Server::HandlerResponse::Handled;
        }));
    server.set_exception_handler([&gateway](const httplib::Request& in, httplib::Response& out,
                                            const std::exception_ptr& /*error*/) {
        Request request = fromHttplib(in);
        toHttplib(gateway.refuse(request, ErrorCode::Internal, "internal error"), out);
    });

    const ListenAddress address = parseListen(settings.listen);
    if (address.port == 0) {
        impl_->port = server.bind_to_any_port(address.host);
        if (impl_->port <= 0) throw std::runtime_error("cannot bind " + settings.listen);
    } else {
        if (!server.bind_to_port(address.host, address.port)) {
            throw std::runtime_error("cannot bind " + settings.listen);
        }
        impl_->port = address.port;
    }
}

Server::~Server() {
    stop();
}

void Server::start() {
    impl_->thread = std::thread([this] {
        if (!impl_->server->listen_after_bind()) spdlog::error("the API server stopped serving");
        impl_->listenEnded = true;
    });
    // httplib's stop() does nothing until the accept loop runs: a stop() soon after start()
    // would be lost and the loop, and stop()'s join, would never end.
    while (!impl_->server->is_running() && !impl_->listenEnded) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    spdlog::info("API listening on port {} (HTTPS)", impl_->port);
}

void Server::stop() {
    if (!impl_) return;
    if (impl_->server) impl_->server->stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

int Server::port() const noexcept {
    return impl_->port;
}

}  // namespace dnsfleet::controld::http
