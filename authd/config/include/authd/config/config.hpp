#pragma once
/// \file
/// The daemon's configuration: a TOML file (`--config`) plus command-line flags.
///
/// ```toml
/// [server]
/// listen = ["127.0.0.1:53", "[::1]:53"]
/// threads = 0              # UDP workers; 0 = one per CPU the process may run on
/// [[zone]]
/// name = "example.com"
/// file = "zones/example.com.zone"   # relative to the config file's folder
/// ```
/// Transfers add `[[key]]` (TSIG), `[[remote]]` (primaries and secondaries), `[[acl]]` (who may
/// transfer, who may NOTIFY) and `[[template]]` (settings shared by many zones, and the ones
/// catalog member zones get), with zones referring to them by id, as in Knot's configuration.
///
/// Every key, with its default, is in docs/authd.md. Unknown keys are errors, so that a typo
/// never silently leaves a default in force.

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authd/config/listen.hpp"
#include "common/result.hpp"
#include "dnswire/name.hpp"
#include "dnswire/tsig.hpp"

namespace dnsfleet::authd::config {

/// An address prefix of an ACL: `192.0.2.0/24`, `2001:db8::/32`, or one address.
struct AddressPrefix {
    int family = 0;  ///< AF_INET or AF_INET6
    std::array<std::uint8_t, 16> bytes{};
    std::uint8_t length = 0;  ///< prefix bits

    /// True when `address` (an AF_INET or AF_INET6 sockaddr) lies inside the prefix. An
    /// IPv4-mapped IPv6 address matches IPv4 prefixes.
    [[nodiscard]] bool contains(const sockaddr* address) const noexcept;
    friend bool operator==(const AddressPrefix&, const AddressPrefix&) = default;
};

/// Parses `ADDR[/BITS]` (IPv4 or IPv6; without /BITS the prefix is the one address).
[[nodiscard]] Result<AddressPrefix, std::string> parseAddressPrefix(std::string_view text);

/// A `[[remote]]`: a primary to pull from, or a secondary to NOTIFY.
struct RemoteConfig {
    std::string id;
    /// Tried in order; written `ADDR[:PORT]` / `[ADDR6][:PORT]`, port 53 by default.
    std::vector<ListenAddress> addresses;
    /// Sign requests and NOTIFYs with this `[[key]]` id; empty = unsigned.
    std::string key;
    /// XFR over TLS (RFC 9103) to this remote, checking its certificate against `tlsHostname`
    /// (the name in the certificate) or `tlsPin` (base64 SHA-256 of the SubjectPublicKeyInfo).
    bool tls = false;
    std::string tlsHostname;
    std::string tlsPin;
    /// PEM trust anchors for the `tlsHostname` check (`tls-ca-file`, relative to the
    /// configuration file); empty = the system's store. A self-signed primary names itself here.
    std::filesystem::path tlsCaFile;
    /// Source address for outgoing connections; unset = the kernel's choice.
    std::optional<ListenAddress> via;
};

/// What an ACL rule allows or denies.
enum class AclAction : std::uint8_t { Transfer, Notify };

/// An `[[acl]]` rule: it matches a request when the source lies in one of `addresses` (or
/// `addresses` is empty), the request is signed with one of `keys` (or `keys` is empty and
/// any key, or none, is fine), and the action is in `actions`. The first matching rule of a
/// zone's list decides; no match = refused (transfers are refused by default).
struct AclConfig {
    std::string id;
    std::vector<AddressPrefix> addresses;
    std::vector<std::string> keys;  ///< `[[key]]` ids
    std::vector<AclAction> actions{AclAction::Transfer};
    bool deny = false;
    /// Only over TLS (XoT, RFC 9103 §9): plain TCP requests that match are refused.
    bool requireTls = false;
};

/// Settings a zone takes from its template unless it sets them itself. Every zone uses the
/// template named by `template`, or the one with id "default" when there is one.
struct ZoneSettings {
    /// `[[remote]]` ids of the primaries: a zone with primaries is a secondary zone.
    std::vector<std::string> primaries;
    /// `[[remote]]` ids to NOTIFY when a new version is served.
    std::vector<std::string> notify;
    /// `[[acl]]` ids, in order.
    std::vector<std::string> acl;
    /// Limits on an incoming transfer (0 = none): records and octets of the whole zone.
    std::size_t maxRecords = 0;
    std::size_t maxBytes = 0;
    /// IXFR history kept for this zone.
    std::size_t journalMaxBytes = std::size_t{64} << 20;
    std::size_t journalMaxDepth = 1000;
    std::chrono::seconds journalMaxAge{0};
    /// Send IXFR condensed (one diff) rather than one sequence per version.
    bool ixfrCondensed = true;
    /// Clamp the SOA timers of secondary zones (0 = no clamp).
    std::chrono::seconds refreshMin{0};
    std::chrono::seconds refreshMax{0};
    std::chrono::seconds retryMin{0};
    std::chrono::seconds retryMax{0};
    std::chrono::seconds expireMin{0};
    std::chrono::seconds expireMax{0};
    /// Pull with AXFR only (some primaries send IXFR badly).
    bool axfrOnly = false;
};

/// A `[[template]]`.
struct TemplateConfig {
    std::string id;
    ZoneSettings settings;
};

/// What a zone is to catalog zones (RFC 9432).
enum class CatalogRole : std::uint8_t {
    None,
    /// This (secondary) zone is a catalog: its members are served as secondary zones with the
    /// template that their `group` property names among `catalogTemplates`, else the first.
    Consume,
    /// This zone is a catalog we produce: it lists every zone whose `catalog` names it.
    Produce,
};

/// One zone to serve.
struct ZoneConfig {
    dnswire::Name apex;          ///< lower-cased
    std::filesystem::path file;  ///< absolute, or relative to the working directory; empty for
                                 ///< secondary and produced catalog zones
    std::string templateId;      ///< the template used ("default" when present and unset)
    ZoneSettings settings;       ///< after the template was applied
    CatalogRole catalogRole = CatalogRole::None;
    /// For Consume: template ids members may use (the `group` picks one; first = default).
    std::vector<std::string> catalogTemplates;
    /// For member zones of a produced catalog: the catalog's apex.
    std::optional<dnswire::Name> catalog;
    /// The catalog group property to write for this member (Produce).
    std::string catalogGroup;

    [[nodiscard]] bool isSecondary() const noexcept { return !settings.primaries.empty(); }
};

/// The `[server]` table.
struct ServerConfig {
    std::vector<ListenAddress> listen;
    /// UDP worker threads; 0 = one per CPU in the process's affinity mask.
    unsigned threads = 0;
    /// TCP threads (each with its own epoll loop and share of the clients).
    unsigned tcpWorkers = 1;
    /// Largest UDP response, whatever the client offers (RFC 6891 §6.2.5).
    std::uint16_t udpMaxPayload = 1232;
    /// A TCP connection with no complete query for this long is closed (RFC 7766 §6.2.3).
    std::chrono::milliseconds tcpIdleTimeout{10'000};
    /// Open TCP connections at most (all TCP threads together).
    std::size_t tcpMaxClients = 1024;
    /// Raw NSID octets (RFC 5001); empty = no NSID.
    std::string nsid;
    /// The user to switch to after binding when started as root; empty or "root" = stay root.
    std::string user = "nobody";
    std::string logLevel = "info";
    std::string logFormat = "text";
    /// Listeners for transfers, NOTIFY and status. When set, the public `listen`
    /// addresses only answer queries; when empty, they serve everything.
    std::vector<ListenAddress> managementListen;
    /// Management listeners that speak TLS (XoT, RFC 9103), with `tlsCertificate`/`tlsKey`.
    std::vector<ListenAddress> managementTlsListen;
    std::filesystem::path tlsCertificate;
    std::filesystem::path tlsKey;
    /// Where secondary zones are kept on disk (LMDB); relative to the config file's folder.
    std::filesystem::path storage = "/var/lib/dnsfleet-authd";
    /// Size of the store's memory map (its largest possible size).
    std::size_t storageMapSize = std::size_t{4} << 30;
    /// The control channel (a Unix socket); empty = none. Default `<storage>/control.sock`.
    std::filesystem::path controlSocket;
    /// TSIG time window (RFC 8945 §5.2.3).
    std::uint16_t tsigFudge = 300;
    /// Timeouts of outgoing SOA queries and transfers.
    std::chrono::milliseconds xfrTimeout{10'000};
};

struct Config {
    /// The file it came from; empty when built from flags only.
    std::filesystem::path source;
    ServerConfig server;
    /// `[[key]]`s: a key's id is its name (as in BIND, and as Knot's `id` names the key).
    std::vector<dnswire::TsigKey> keys;
    std::vector<RemoteConfig> remotes;
    std::vector<AclConfig> acls;
    std::vector<TemplateConfig> templates;
    std::vector<ZoneConfig> zones;

    [[nodiscard]] const dnswire::TsigKey* findKey(std::string_view id) const noexcept;
    [[nodiscard]] const RemoteConfig* findRemote(std::string_view id) const noexcept;
    [[nodiscard]] const AclConfig* findAcl(std::string_view id) const noexcept;
    [[nodiscard]] const TemplateConfig* findTemplate(std::string_view id) const noexcept;
};

/// Errors, each naming where and which key: `authd.toml:7:11: server.threads: must be ...`.
using Errors = std::vector<std::string>;

/// Parses configuration text. `source` is used in messages and to resolve relative zone paths.
[[nodiscard]] Result<Config, Errors> parseConfig(std::string_view text,
                                                 const std::filesystem::path& source);
/// Reads and parses a configuration file.
[[nodiscard]] Result<Config, Errors> loadConfig(const std::filesystem::path& file);

/// Values given on the command line. They override the file's scalar settings; `--listen`
/// replaces the file's listen list; `--zone` adds zones (or replaces the file of a zone of the
/// same name).
struct Overrides {
    std::vector<std::string> listen;
    std::vector<std::string> zones;  ///< `NAME=FILE`
    std::optional<unsigned> threads;
    std::optional<std::string> user;
    std::optional<std::string> nsid;
    std::optional<std::string> logLevel;
    std::optional<std::string> logFormat;
};

/// Applies command-line values to `config`; fails with every bad value.
[[nodiscard]] Result<void, Errors> applyOverrides(Config& config, const Overrides& overrides);

/// Parses `NAME=FILE` (the `--zone` flag).
[[nodiscard]] Result<ZoneConfig, std::string> parseZoneArgument(std::string_view text);

/// Decodes an NSID setting: a string is taken as its octets, `0x` followed by hex digits as
/// those octets (as in Knot's `nsid`). At most 128 octets.
[[nodiscard]] Result<std::string, std::string> parseNsid(std::string_view text);

/// Number of CPUs this process may run on (the affinity mask, so `taskset -c 0` gives 1).
[[nodiscard]] unsigned availableCpus() noexcept;

}  // namespace dnsfleet::authd::config
