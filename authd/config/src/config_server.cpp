// The [server] table.
#include <sys/un.h>

#include "authd/log.hpp"
#include "toml_read.hpp"

namespace dnsfleet::authd::config::detail {
namespace {

constexpr std::size_t kMinMapSize = std::size_t{1} << 20;
constexpr std::size_t kMaxMapSize = std::size_t{1} << 44;

void readListen(const toml::node& node, std::string_view name,
                std::vector<ListenAddress>& addresses, Reporter& report) {
    if (auto v = addressesOf(node, name, report)) addresses = std::move(*v);
}

/// An address in two listener lists would be bound twice; say which lists.
void checkDisjoint(const std::vector<ListenAddress>& a, std::string_view aName,
                   const std::vector<ListenAddress>& b, std::string_view bName,
                   const toml::table& table, Reporter& report) {
    for (const auto& address : b) {
        for (const auto& other : a) {
            if (address == other && address.port() != 0) {
                const auto* node = table.get(bName.substr(bName.find('.') + 1));
                report.at(node != nullptr ? node->source() : table.source(), bName,
                          fmt::format("{} is also in {}", address.toString(), aName));
            }
        }
    }
}

}  // namespace

void readServer(const toml::table& table, const std::filesystem::path& base, ServerConfig& server,
                Reporter& report) {
    bool controlSocketSet = false;
    for (const auto& [key, node] : table) {
        const std::string name = fmt::format("server.{}", key.str());
        const auto k = key.str();
        if (k == "listen") {
            readListen(node, name, server.listen, report);
        } else if (k == "threads") {
            if (auto v = integerIn(node, name, 0, 1024, report))
                server.threads = static_cast<unsigned>(*v);
        } else if (k == "tcp-workers") {
            if (auto v = integerIn(node, name, 1, 256, report))
                server.tcpWorkers = static_cast<unsigned>(*v);
        } else if (k == "udp-max-payload") {
            if (auto v = integerIn(node, name, 512, 65535, report)) {
                server.udpMaxPayload = static_cast<std::uint16_t>(*v);
            }
        } else if (k == "tcp-idle-timeout") {
            if (auto v = integerIn(node, name, 1, 3600, report)) {
                server.tcpIdleTimeout = std::chrono::seconds(*v);
            }
        } else if (k == "tcp-max-clients") {
            if (auto v = integerIn(node, name, 1, 1'000'000, report)) {
                server.tcpMaxClients = static_cast<std::size_t>(*v);
            }
        } else if (k == "nsid") {
            if (auto v = stringOf(node, name, report)) {
                auto nsid = parseNsid(*v);
                if (nsid) {
                    server.nsid = *nsid;
                } else {
                    report.at(node.source(), name, nsid.error());
                }
            }
        } else if (k == "user") {
            if (auto v = stringOf(node, name, report)) server.user = *v;
        } else if (k == "log-level") {
            if (auto v = stringOf(node, name, report)) {
                if (log::parseLevel(*v)) {
                    server.logLevel = *v;
                } else {
                    report.at(node.source(), name,
                              fmt::format("'{}' is not one of trace, debug, info, warning, "
                                          "error, off",
                                          *v));
                }
            }
        } else if (k == "log-format") {
            if (auto v = stringOf(node, name, report)) {
                if (log::parseFormat(*v)) {
                    server.logFormat = *v;
                } else {
                    report.at(node.source(), name,
                              fmt::format("'{}' is not one of text, json", *v));
                }
            }
        } else if (k == "management-listen") {
            readListen(node, name, server.managementListen, report);
        } else if (k == "management-tls-listen") {
            readListen(node, name, server.managementTlsListen, report);
        } else if (k == "tls-certificate") {
            if (auto v = pathOf(node, name, base, report)) server.tlsCertificate = *v;
        } else if (k == "tls-key") {
            if (auto v = pathOf(node, name, base, report)) server.tlsKey = *v;
        } else if (k == "storage") {
            if (auto v = pathOf(node, name, base, report)) server.storage = *v;
        } else if (k == "storage-map-size") {
            if (auto v = sizeOf(node, name, kMinMapSize, kMaxMapSize, report)) {
                server.storageMapSize = *v;
            }
        } else if (k == "control-socket") {
            controlSocketSet = true;
            if (auto v = stringOf(node, name, report)) {
                // "" turns the control channel off.
                if (v->empty()) {
                    server.controlSocket.clear();
                } else {
                    std::filesystem::path path(*v);
                    server.controlSocket = path.is_absolute() ? path : base / path;
                }
            }
        } else if (k == "tsig-fudge") {
            if (auto v = integerIn(node, name, 0, 65535, report)) {
                server.tsigFudge = static_cast<std::uint16_t>(*v);
            }
        } else if (k == "xfr-timeout") {
            if (auto v = durationOf(node, name, std::chrono::milliseconds(100),
                                    std::chrono::milliseconds(3'600'000), report)) {
                server.xfrTimeout = *v;
            }
        } else {
            report.at(key.source(), name, "unknown key");
        }
    }
    if (!controlSocketSet) server.controlSocket = server.storage / "control.sock";
    const std::size_t sunPathSize = sizeof(sockaddr_un{}.sun_path);
    if (server.controlSocket.native().size() >= sunPathSize) {
        const auto* node = table.get("control-socket");
        report.at(node != nullptr ? node->source() : table.source(), "server.control-socket",
                  fmt::format("'{}' is longer than the {} octets a Unix socket path may have",
                              server.controlSocket.string(), sunPathSize - 1));
    }
    if (!server.managementTlsListen.empty() &&
        (server.tlsCertificate.empty() || server.tlsKey.empty())) {
        report.at(table.get("management-tls-listen")->source(), "server.management-tls-listen",
                  "needs tls-certificate and tls-key");
    }
    checkDisjoint(server.listen, "server.listen", server.managementListen,
                  "server.management-listen", table, report);
    checkDisjoint(server.listen, "server.listen", server.managementTlsListen,
                  "server.management-tls-listen", table, report);
    checkDisjoint(server.managementListen, "server.management-listen", server.managementTlsListen,
                  "server.management-tls-listen", table, report);
}

}  // namespace dnsfleet::authd::config::detail
