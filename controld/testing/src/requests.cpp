#include "controld/testing/requests.hpp"

namespace dnsfleet::controld::testing {

http::Request request(const std::string& method, const std::string& target,
                      const RequestContext& context, const std::string& body,
                      const std::string& contentType) {
    http::Request r;
    r.method = method;
    const auto question = target.find('?');
    r.path = target.substr(0, question);
    if (question != std::string::npos) {
        const std::string query = target.substr(question + 1);
        std::size_t pos = 0;
        while (pos <= query.size()) {
            std::size_t end = query.find('&', pos);
            if (end == std::string::npos) end = query.size();
            const std::string pair = query.substr(pos, end - pos);
            const auto equals = pair.find('=');
            if (!pair.empty()) {
                r.query.emplace(pair.substr(0, equals),
                                equals == std::string::npos ? "" : pair.substr(equals + 1));
            }
            pos = end + 1;
        }
    }
    r.context = context;
    r.body = body;
    if (!body.empty()) r.headers.emplace("content-type", contentType);
    return r;
}

std::optional<std::string> header(const http::Response& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
        if (key == name) return value;
    }
    return std::nullopt;
}

}  // namespace dnsfleet::controld::testing
