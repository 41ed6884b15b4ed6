// The transfer tables of the configuration: [[key]], [[remote]], [[acl]], [[template]], the
// zone settings and catalog keys of [[zone]], and the new [server] keys.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "authd/config/config.hpp"
#include "authd/config/units.hpp"

namespace dnsfleet::authd::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

std::string joined(const Errors& errors) {
    std::string all;
    for (const auto& e : errors)
        all += e + "\n";
    return all;
}

bool anyContains(const Errors& errors, std::string_view needle) {
    for (const auto& e : errors) {
        if (e.find(needle) != std::string::npos) return true;
    }
    return false;
}

/// Parses `text` expecting failure; returns the errors.
Errors errorsOf(const std::string& text) {
    auto c = parseConfig(text, "x.toml");
    EXPECT_FALSE(c) << "expected errors for:\n" << text;
    return c ? Errors{} : c.error();
}

// "secretsecretsecretsecret" in base64.
constexpr const char* kSecret = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";

sockaddr_storage v4(const char* text) {
    sockaddr_storage s{};
    sockaddr_in a{};
    a.sin_family = AF_INET;
    EXPECT_EQ(inet_pton(AF_INET, text, &a.sin_addr), 1) << text;
    std::memcpy(&s, &a, sizeof a);
    return s;
}

sockaddr_storage v6(const char* text) {
    sockaddr_storage s{};
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    EXPECT_EQ(inet_pton(AF_INET6, text, &a.sin6_addr), 1) << text;
    std::memcpy(&s, &a, sizeof a);
    return s;
}

bool prefixContains(const char* prefix, const sockaddr_storage& address) {
    auto p = parseAddressPrefix(prefix);
    EXPECT_TRUE(p) << prefix << ": " << (p ? "" : p.error());
    return p && p->contains(reinterpret_cast<const sockaddr*>(&address));  // NOLINT
}

// ---- a primary with two secondaries, and a secondary following a catalog ----

const char* const kPrimary = R"(
[server]
listen = ["192.0.2.53:53"]
management-listen = ["127.0.0.1:5353"]
storage = "state"
tsig-fudge = 120
xfr-timeout = "30s"

[[key]]
id = "xfr.example"
algorithm = "hmac-sha512"
secret = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"

[[key]]
id = "Other.Example."
secret = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"

[[remote]]
id = "knot"
address = "198.51.100.1"
key = "XFR.example."

[[remote]]
id = "bind"
address = ["[2001:db8::2]:5300", "198.51.100.2:5300"]
key = "xfr.example"
tls = true
tls-hostname = "bind.example.net"
via = "198.51.100.53"

[[acl]]
id = "secondaries"
address = ["198.51.100.0/24", "2001:db8::/32"]
key = "xfr.example"
action = ["transfer", "notify"]

[[acl]]
id = "lab"
address = "203.0.113.7"
deny = true
require-tls = true

[[template]]
id = "default"
notify = ["knot", "bind"]
acl = ["lab", "secondaries"]
journal-max-depth = 20

[[zone]]
name = "example.com"
file = "zones/example.com.zone"

[[zone]]
name = "example.org"
file = "zones/example.org.zone"
notify = "knot"
ixfr-condensed = false
)";

TEST(ConfigXfr, ReadsKeysRemotesAclsAndTemplates) {
    auto c = parseConfig(kPrimary, "/etc/dnsfleet/authd.toml");
    ASSERT_TRUE(c) << joined(c.error());

    ASSERT_EQ(c->keys.size(), 2u);
    EXPECT_EQ(c->keys[0].name.toText(), "xfr.example.");
    EXPECT_EQ(c->keys[0].algorithm, dnswire::TsigAlgorithm::HmacSha512);
    EXPECT_EQ(std::string(c->keys[0].secret.begin(), c->keys[0].secret.end()),
              "secretsecretsecretsecret");
    EXPECT_EQ(c->keys[1].name.toText(), "other.example.");  // key names are lower-cased
    EXPECT_EQ(c->keys[1].algorithm, dnswire::TsigAlgorithm::HmacSha256);  // the default

    ASSERT_EQ(c->remotes.size(), 2u);
    const auto& knot = c->remotes[0];
    EXPECT_EQ(knot.id, "knot");
    ASSERT_EQ(knot.addresses.size(), 1u);
    EXPECT_EQ(knot.addresses[0].toString(), "198.51.100.1:53");  // port 53 by default
    EXPECT_EQ(c->findKey(knot.key), &c->keys[0]);                // any spelling of the key's name
    EXPECT_FALSE(knot.tls);
    EXPECT_FALSE(knot.via);
    const auto* bind = c->findRemote("bind");
    ASSERT_NE(bind, nullptr);
    ASSERT_EQ(bind->addresses.size(), 2u);
    EXPECT_EQ(bind->addresses[0].toString(), "[2001:db8::2]:5300");
    EXPECT_EQ(bind->addresses[1].toString(), "198.51.100.2:5300");
    EXPECT_TRUE(bind->tls);
    EXPECT_EQ(bind->tlsHostname, "bind.example.net");
    ASSERT_TRUE(bind->via);
    EXPECT_EQ(bind->via->toString(), "198.51.100.53:0");  // no port: the kernel chooses

    ASSERT_EQ(c->acls.size(), 2u);
    const auto* secondaries = c->findAcl("secondaries");
    ASSERT_NE(secondaries, nullptr);
    ASSERT_EQ(secondaries->addresses.size(), 2u);
    EXPECT_EQ(secondaries->addresses[0].family, AF_INET);
    EXPECT_EQ(secondaries->addresses[0].length, 24);
    EXPECT_EQ(secondaries->addresses[1].family, AF_INET6);
    EXPECT_EQ(secondaries->addresses[1].length, 32);
    ASSERT_EQ(secondaries->keys.size(), 1u);
    EXPECT_EQ(c->findKey(secondaries->keys[0]), &c->keys[0]);
    EXPECT_EQ(secondaries->actions,
              (std::vector<AclAction>{AclAction::Transfer, AclAction::Notify}));
    EXPECT_FALSE(secondaries->deny);
    const auto* lab = c->findAcl("lab");
    ASSERT_NE(lab, nullptr);
    EXPECT_EQ(lab->actions, std::vector<AclAction>{AclAction::Transfer});  // the default
    EXPECT_TRUE(lab->keys.empty());
    EXPECT_TRUE(lab->deny);
    EXPECT_TRUE(lab->requireTls);

    EXPECT_EQ(c->findRemote("nobody"), nullptr);
    EXPECT_EQ(c->findAcl("nobody"), nullptr);
    EXPECT_EQ(c->findTemplate("nobody"), nullptr);
    EXPECT_EQ(c->findKey("nobody"), nullptr);
    EXPECT_EQ(c->findKey("OTHER.example"), &c->keys[1]);
}

TEST(ConfigXfr, ZonesTakeTheDefaultTemplateAndOverrideItKeyByKey) {
    auto c = parseConfig(kPrimary, "/etc/dnsfleet/authd.toml");
    ASSERT_TRUE(c) << joined(c.error());
    ASSERT_EQ(c->zones.size(), 2u);
    const auto& com = c->zones[0];
    EXPECT_EQ(com.templateId, "default");
    EXPECT_EQ(com.settings.notify, (std::vector<std::string>{"knot", "bind"}));
    EXPECT_EQ(com.settings.acl, (std::vector<std::string>{"lab", "secondaries"}));
    EXPECT_EQ(com.settings.journalMaxDepth, 20u);
    EXPECT_TRUE(com.settings.ixfrCondensed);
    EXPECT_FALSE(com.isSecondary());

    const auto& org = c->zones[1];
    EXPECT_EQ(org.settings.notify, std::vector<std::string>{"knot"});  // the zone's own
    EXPECT_FALSE(org.settings.ixfrCondensed);                          // the zone's own
    EXPECT_EQ(org.settings.acl, (std::vector<std::string>{"lab", "secondaries"}));  // template
    EXPECT_EQ(org.settings.journalMaxDepth, 20u);                                   // template
    EXPECT_EQ(org.settings.journalMaxBytes, std::size_t{64} << 20);  // neither: the default
}

TEST(ConfigXfr, ServerKeysForTransfersAndTheirDefaults) {
    auto c = parseConfig(kPrimary, "/etc/dnsfleet/authd.toml");
    ASSERT_TRUE(c) << joined(c.error());
    const auto& s = c->server;
    ASSERT_EQ(s.managementListen.size(), 1u);
    EXPECT_EQ(s.managementListen[0].toString(), "127.0.0.1:5353");
    EXPECT_TRUE(s.managementTlsListen.empty());
    EXPECT_EQ(s.storage, "/etc/dnsfleet/state");  // relative to the config file's folder
    EXPECT_EQ(s.controlSocket, "/etc/dnsfleet/state/control.sock");  // inside the storage
    EXPECT_EQ(s.tsigFudge, 120);
    EXPECT_EQ(s.xfrTimeout, seconds(30));
    EXPECT_EQ(s.storageMapSize, std::size_t{4} << 30);  // the default

    auto d = parseConfig("", "/etc/authd.toml");
    ASSERT_TRUE(d) << joined(d.error());
    EXPECT_EQ(d->server.storage, "/var/lib/dnsfleet-authd");
    EXPECT_EQ(d->server.controlSocket, "/var/lib/dnsfleet-authd/control.sock");
    EXPECT_EQ(d->server.tsigFudge, 300);
    EXPECT_EQ(d->server.xfrTimeout, seconds(10));
    EXPECT_TRUE(d->keys.empty());
    EXPECT_TRUE(d->remotes.empty());
    EXPECT_TRUE(d->acls.empty());
    EXPECT_TRUE(d->templates.empty());
}

TEST(ConfigXfr, TlsManagementListenerNeedsCertificateAndKey) {
    auto c = parseConfig(R"(
[server]
management-tls-listen = ["127.0.0.1:853"]
tls-certificate = "tls/cert.pem"
tls-key = "/etc/ssl/private/key.pem"
storage-map-size = "1G"
control-socket = "/run/authd.sock"
)",
                         "/etc/dnsfleet/authd.toml");
    ASSERT_TRUE(c) << joined(c.error());
    EXPECT_EQ(c->server.managementTlsListen.at(0).toString(), "127.0.0.1:853");
    EXPECT_EQ(c->server.tlsCertificate, "/etc/dnsfleet/tls/cert.pem");
    EXPECT_EQ(c->server.tlsKey, "/etc/ssl/private/key.pem");
    EXPECT_EQ(c->server.storageMapSize, std::size_t{1} << 30);
    EXPECT_EQ(c->server.controlSocket, "/run/authd.sock");

    auto e = errorsOf("[server]\nmanagement-tls-listen = \"127.0.0.1:853\"\ntls-key = \"k\"\n");
    EXPECT_TRUE(anyContains(
        e, "x.toml:2:25: server.management-tls-listen: needs tls-certificate and tls-key"))
        << joined(e);
}

TEST(ConfigXfr, AnEmptyControlSocketTurnsTheChannelOff) {
    auto c = parseConfig("[server]\ncontrol-socket = \"\"\n", "/etc/authd.toml");
    ASSERT_TRUE(c) << joined(c.error());
    EXPECT_TRUE(c->server.controlSocket.empty());
}

TEST(ConfigXfr, ServerKeyErrors) {
    const std::string longPath(120, 'a');
    auto e = errorsOf(
        "[server]\n"
        "control-socket = \"/" +
        longPath +
        "\"\n"
        "storage-map-size = \"lots\"\n"
        "xfr-timeout = \"10 parsecs\"\n"
        "tsig-fudge = 70000\n"
        "listen = \"127.0.0.1:5300\"\n"
        "management-listen = \"127.0.0.1:5300\"\n"
        "tls-cert = \"c.pem\"\n");
    EXPECT_TRUE(anyContains(e, "x.toml:2:18: server.control-socket: '/aaa")) << joined(e);
    EXPECT_TRUE(anyContains(e, "octets a Unix socket path may have")) << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:3:20: server.storage-map-size: 'lots' is not a size"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:4:15: server.xfr-timeout: '10 parsecs' is not a duration"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:5:14: server.tsig-fudge: must be between 0 and 65535"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "server.management-listen: 127.0.0.1:5300 is also in server.listen"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:8:1: server.tls-cert: unknown key")) << joined(e);
    EXPECT_EQ(e.size(), 6u) << joined(e);
}

// ---- secondary zones, templates and catalogs ----

const char* const kSecondary = R"(
[[key]]
id = "xfr.example"
secret = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"

[[remote]]
id = "primary"
address = "192.0.2.1:5300"
key = "xfr.example"

[[remote]]
id = "hidden"
address = "[2001:db8::1]"

[[acl]]
id = "notify-from-primary"
address = "192.0.2.1"
action = "notify"

[[template]]
id = "default"
primary = "primary"
acl = "notify-from-primary"
max-records = 100000
max-bytes = "64M"
journal-max-age = "7d"
refresh-min = "30m"
refresh-max = "1d"
retry-min = 60
expire-max = "4w"

[[template]]
id = "fast"
primary = ["hidden", "primary"]
refresh-max = "5m"
axfr-only = true
journal-max-bytes = "2G"

[[zone]]
name = "catalog.example"
catalog-role = "consume"
catalog-template = ["default", "fast"]

[[zone]]
name = "static.example"
file = "/srv/static.zone"
primary = []

[[zone]]
name = "quick.example"
template = "fast"
max-bytes = 1048576
)";

TEST(ConfigXfr, SecondaryZonesNeedNoFile) {
    auto c = parseConfig(kSecondary, "/etc/authd.toml");
    ASSERT_TRUE(c) << joined(c.error());
    ASSERT_EQ(c->zones.size(), 3u);

    const auto& catalog = c->zones[0];
    EXPECT_TRUE(catalog.isSecondary());
    EXPECT_TRUE(catalog.file.empty());
    EXPECT_EQ(catalog.catalogRole, CatalogRole::Consume);
    EXPECT_EQ(catalog.catalogTemplates, (std::vector<std::string>{"default", "fast"}));
    const auto& s = catalog.settings;
    EXPECT_EQ(s.primaries, std::vector<std::string>{"primary"});
    EXPECT_EQ(s.acl, std::vector<std::string>{"notify-from-primary"});
    EXPECT_EQ(s.maxRecords, 100'000u);
    EXPECT_EQ(s.maxBytes, std::size_t{64} << 20);
    EXPECT_EQ(s.journalMaxAge, hours(24 * 7));
    EXPECT_EQ(s.refreshMin, minutes(30));
    EXPECT_EQ(s.refreshMax, hours(24));
    EXPECT_EQ(s.retryMin, seconds(60));
    EXPECT_EQ(s.retryMax, seconds(0));
    EXPECT_EQ(s.expireMax, hours(24 * 28));
    EXPECT_FALSE(s.axfrOnly);

    // `primary = []` overrides the template: a primary zone from its file.
    const auto& fixed = c->zones[1];
    EXPECT_FALSE(fixed.isSecondary());
    EXPECT_EQ(fixed.file, "/srv/static.zone");
    EXPECT_EQ(fixed.settings.maxRecords, 100'000u);

    // A named template replaces "default" entirely: nothing of "default" leaks in.
    const auto& quick = c->zones[2];
    EXPECT_EQ(quick.templateId, "fast");
    EXPECT_EQ(quick.settings.primaries, (std::vector<std::string>{"hidden", "primary"}));
    EXPECT_TRUE(quick.settings.acl.empty());
    EXPECT_EQ(quick.settings.maxRecords, 0u);
    EXPECT_EQ(quick.settings.maxBytes, 1'048'576u);
    EXPECT_EQ(quick.settings.refreshMax, minutes(5));
    EXPECT_EQ(quick.settings.refreshMin, seconds(0));
    EXPECT_TRUE(quick.settings.axfrOnly);
    EXPECT_EQ(quick.settings.journalMaxBytes, std::size_t{2} << 30);
    EXPECT_EQ(c->findRemote("hidden")->addresses.at(0).toString(), "[2001:db8::1]:53");
}

TEST(ConfigXfr, ZoneSettingsDefaults) {
    auto c = parseConfig("[[zone]]\nname = \"a.example\"\nfile = \"a.zone\"\n", "/x.toml");
    ASSERT_TRUE(c) << joined(c.error());
    const auto& z = c->zones.at(0);
    EXPECT_TRUE(z.templateId.empty());  // no "default" template: none
    EXPECT_EQ(z.catalogRole, CatalogRole::None);
    EXPECT_FALSE(z.catalog);
    const auto& s = z.settings;
    EXPECT_TRUE(s.primaries.empty());
    EXPECT_TRUE(s.notify.empty());
    EXPECT_TRUE(s.acl.empty());  // no ACL: transfers refused
    EXPECT_EQ(s.maxRecords, 0u);
    EXPECT_EQ(s.maxBytes, 0u);
    EXPECT_EQ(s.journalMaxBytes, std::size_t{64} << 20);
    EXPECT_EQ(s.journalMaxDepth, 1000u);
    EXPECT_EQ(s.journalMaxAge, seconds(0));
    EXPECT_TRUE(s.ixfrCondensed);
    EXPECT_FALSE(s.axfrOnly);
}

TEST(ConfigXfr, ProducedCatalogAndItsMembers) {
    auto c = parseConfig(R"(
[[zone]]
name = "catalog.example"
catalog-role = "produce"
[[zone]]
name = "a.example"
file = "a.zone"
catalog = "CATALOG.example."
catalog-group = "fast"
[[zone]]
name = "b.example"
file = "b.zone"
catalog = "catalog.example"
)",
                         "/etc/authd.toml");
    ASSERT_TRUE(c) << joined(c.error());
    EXPECT_EQ(c->zones[0].catalogRole, CatalogRole::Produce);
    EXPECT_TRUE(c->zones[0].file.empty());
    ASSERT_TRUE(c->zones[1].catalog);
    EXPECT_EQ(c->zones[1].catalog->toText(), "catalog.example.");
    EXPECT_EQ(c->zones[1].catalogGroup, "fast");
    EXPECT_TRUE(c->zones[2].catalogGroup.empty());
}

TEST(ConfigXfr, CatalogMistakesAreErrors) {
    auto e = errorsOf(R"(
[[template]]
id = "t"
[[zone]]
name = "cat.example"
catalog-role = "produce"
file = "cat.zone"
[[zone]]
name = "a.example"
file = "a.zone"
catalog = "other.example"
[[zone]]
name = "b.example"
file = "b.zone"
catalog-group = "g"
catalog-template = "t"
[[zone]]
name = "c.example"
file = "c.zone"
catalog-role = "consume"
[[zone]]
name = "d.example"
file = "d.zone"
catalog-role = "follow"
[[zone]]
name = "e.example"
file = "e.zone"
catalog = "cat.example"  # a produced catalog, even if one with an error: no second error
)");
    EXPECT_TRUE(anyContains(e,
                            "x.toml:4:1: zone[0]: a produced catalog (catalog-role = "
                            "\"produce\") is generated: it has no file and no primaries"))
        << joined(e);
    EXPECT_TRUE(anyContains(e,
                            "x.toml:11:11: zone[1].catalog: 'other.example.' is not a zone "
                            "with catalog-role = \"produce\""))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "zone[2].catalog-group: needs catalog")) << joined(e);
    EXPECT_TRUE(anyContains(e, "zone[2].catalog-template: only a consumed catalog")) << joined(e);
    EXPECT_TRUE(anyContains(e, "zone[3]: catalog-role = \"consume\" needs catalog-template"))
        << joined(e);
    EXPECT_TRUE(
        anyContains(e, "zone[4].catalog-role: 'follow' is not one of consume, produce, none"))
        << joined(e);
    EXPECT_EQ(e.size(), 6u) << joined(e);
}

TEST(ConfigXfr, AZoneNeedsAFileAPrimaryOrToBeAProducedCatalog) {
    auto e = errorsOf("[[zone]]\nname = \"a.example\"\n");
    EXPECT_TRUE(anyContains(e,
                            "x.toml:1:1: zone[0]: missing key 'file' (a zone needs a file, a "
                            "primary, or catalog-role = \"produce\")"))
        << joined(e);
}

TEST(ConfigXfr, CommandLineZonesTakeTheDefaultTemplate) {
    auto c = parseConfig(R"(
[[acl]]
id = "all"
address = "0.0.0.0/0"
[[template]]
id = "default"
acl = "all"
)",
                         "/etc/authd.toml");
    ASSERT_TRUE(c) << joined(c.error());
    Overrides o;
    o.zones = {"z.example=/z.zone"};
    ASSERT_TRUE(applyOverrides(*c, o));
    ASSERT_EQ(c->zones.size(), 1u);
    EXPECT_EQ(c->zones[0].templateId, "default");
    EXPECT_EQ(c->zones[0].settings.acl, std::vector<std::string>{"all"});
}

// ---- errors: references, duplicates, values, unknown keys ----

TEST(ConfigXfr, UnknownReferencesNameTheReference) {
    auto e = errorsOf(R"(
[[remote]]
id = "r"
address = "192.0.2.1"
key = "missing-key"
[[acl]]
id = "a"
key = ["missing-too"]
[[template]]
id = "t"
primary = ["r", "nowhere"]
[[zone]]
name = "a.example"
file = "a.zone"
template = "no-such-template"
notify = "nobody"
acl = ["a", "no-acl"]
[[zone]]
name = "b.example"
catalog-role = "consume"
primary = "r"
catalog-template = ["t", "gone"]
)");
    EXPECT_TRUE(anyContains(e, "x.toml:5:7: remote[0].key: unknown key 'missing-key'"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:8:8: acl[0].key: unknown key 'missing-too'")) << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:11:17: template[0].primary: unknown remote 'nowhere'"))
        << joined(e);
    EXPECT_TRUE(
        anyContains(e, "x.toml:15:12: zone[0].template: unknown template 'no-such-template'"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:16:10: zone[0].notify: unknown remote 'nobody'"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:17:13: zone[0].acl: unknown acl 'no-acl'")) << joined(e);
    EXPECT_TRUE(anyContains(e, "zone[1].catalog-template: unknown template 'gone'")) << joined(e);
    // The remote, ACL and template with errors still exist: naming them is no further error.
    EXPECT_FALSE(anyContains(e, "unknown remote 'r'")) << joined(e);
    EXPECT_FALSE(anyContains(e, "unknown acl 'a'")) << joined(e);
    EXPECT_FALSE(anyContains(e, "unknown template 't'")) << joined(e);
    EXPECT_EQ(e.size(), 7u) << joined(e);
    // In the order of the file, whatever order the tables are read in.
    EXPECT_EQ(e.front().rfind("x.toml:5:7: ", 0), 0u) << joined(e);
    EXPECT_EQ(e.back().rfind("x.toml:22:26: ", 0), 0u) << joined(e);
}

TEST(ConfigXfr, AKeyWithErrorsIsNoUnknownKeyForItsUsers) {
    auto e = errorsOf(R"(
[[key]]
id = "k"
algorithm = "hmac-md5"
secret = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"
[[remote]]
id = "r"
address = "192.0.2.1"
key = "k"
)");
    EXPECT_TRUE(anyContains(e, "key[0].algorithm: unknown algorithm 'hmac-md5'")) << joined(e);
    EXPECT_EQ(e.size(), 1u) << joined(e);
}

TEST(ConfigXfr, DuplicateIdsAreErrors) {
    const std::string text = std::string(R"(
[[key]]
id = "k"
secret = ")") + kSecret + R"("
[[key]]
id = "K."
secret = ")" + kSecret + R"("
[[remote]]
id = "r"
address = "192.0.2.1"
[[remote]]
id = "r"
address = "192.0.2.2"
[[acl]]
id = "a"
[[acl]]
id = "a"
[[template]]
id = "t"
[[template]]
id = "t"
)";
    auto e = errorsOf(text);
    EXPECT_TRUE(anyContains(e, "x.toml:6:6: key[1].id: 'K.' is already defined in key[0]"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:12:6: remote[1].id: 'r' is already defined in remote[0]"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "acl[1].id: 'a' is already defined in acl[0]")) << joined(e);
    EXPECT_TRUE(anyContains(e, "template[1].id: 't' is already defined in template[0]"))
        << joined(e);
    EXPECT_EQ(e.size(), 4u) << joined(e);
}

TEST(ConfigXfr, BadValuesAreErrors) {
    auto e = errorsOf(std::string(R"(
[[key]]
id = "k"
algorithm = "hmac-md5"
secret = ")") + kSecret +
                      R"("
[[key]]
id = "nosecret"
[[key]]
id = "notbase64"
secret = "!!!"
[[key]]
id = "bad..name"
secret = "c2VjcmV0"
[[remote]]
id = "r"
address = "192.0.2.1:99999"
tls-pin = "abc"
[[remote]]
id = "noaddress"
[[remote]]
id = "unchecked"
address = "192.0.2.1:853"
tls = true
[[acl]]
id = "a"
address = ["192.0.2.0/33", "2001:db8::/129", "192.0.2.0/", "example.com"]
action = ["transfer", "update"]
deny = "yes"
[[template]]
id = "t"
max-bytes = "12X"
journal-max-age = "3 fortnights"
journal-max-depth = 0
refresh-min = "2h"
refresh-max = "1h"
[[template]]
primary = "r"
)");
    EXPECT_TRUE(anyContains(e, "x.toml:4:13: key[0].algorithm: unknown algorithm 'hmac-md5'"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "key[1]: missing key 'secret'")) << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:10:10: key[2].secret: not base64")) << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:12:6: key[3].id: key name 'bad..name'")) << joined(e);
    EXPECT_TRUE(anyContains(e, "remote[0].address: '192.0.2.1:99999': bad port")) << joined(e);
    EXPECT_TRUE(anyContains(e, "remote[0].tls-pin: expected the base64 SHA-256")) << joined(e);
    EXPECT_TRUE(anyContains(e, "remote[0]: tls-hostname and tls-pin need tls = true")) << joined(e);
    EXPECT_TRUE(anyContains(e, "remote[1]: missing key 'address'")) << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:23:7: remote[2].tls: needs tls-hostname or tls-pin"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "acl[0].address: '192.0.2.0/33': a prefix length of 33 bits"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "acl[0].address: '2001:db8::/129'")) << joined(e);
    EXPECT_TRUE(anyContains(e, "acl[0].address: '192.0.2.0/': the prefix length must be"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "acl[0].address: 'example.com': not an IPv4 or IPv6 address"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "acl[0].action: 'update' is not one of transfer, notify"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "acl[0].deny: expected true or false, found a string")) << joined(e);
    EXPECT_TRUE(anyContains(e, "template[0].max-bytes: '12X' is not a size")) << joined(e);
    EXPECT_TRUE(anyContains(e, "template[0].journal-max-age: '3 fortnights' is not a duration"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "template[0].journal-max-depth: must be between 1")) << joined(e);
    EXPECT_TRUE(anyContains(e, "template[0]: refresh-min (7200s) is above refresh-max (3600s)"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "template[1]: missing key 'id'")) << joined(e);
}

TEST(ConfigXfr, UnknownKeysInEveryTable) {
    auto e = errorsOf(std::string(R"(
[[key]]
id = "k"
secret = ")") + kSecret +
                      R"("
algo = "hmac-sha256"
[[remote]]
id = "r"
address = "192.0.2.1"
port = 53
[[acl]]
id = "a"
addresses = "192.0.2.1"
[[template]]
id = "t"
masters = "r"
[[zone]]
name = "a.example"
file = "a.zone"
refresh = 60
[[keys]]
id = "x"
)");
    EXPECT_TRUE(anyContains(e, "x.toml:5:1: key[0].algo: unknown key")) << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:9:1: remote[0].port: unknown key")) << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:12:1: acl[0].addresses: unknown key")) << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:15:1: template[0].masters: unknown key")) << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:19:1: zone[0].refresh: unknown key")) << joined(e);
    EXPECT_TRUE(anyContains(e, "keys: unknown key")) << joined(e);
    EXPECT_EQ(e.size(), 6u) << joined(e);
}

TEST(ConfigXfr, TablesMustBeArraysOfTables) {
    auto e = errorsOf("key = \"k\"\nremote = 1\n");
    EXPECT_TRUE(anyContains(e, "key: expected an array of tables ([[key]])")) << joined(e);
    EXPECT_TRUE(anyContains(e, "remote: expected an array of tables ([[remote]])")) << joined(e);
}

TEST(ConfigXfr, TlsPinIsTheBase64OfASha256Digest) {
    auto c = parseConfig(R"(
[[remote]]
id = "r"
address = "192.0.2.1:853"
tls = true
tls-pin = "ZPRqdSahhtI0ZVJFOuR4ylEkRnT1shuhUL1IOzn3yBI="
)",
                         "/x.toml");
    ASSERT_TRUE(c) << joined(c.error());
    EXPECT_EQ(c->remotes.at(0).tlsPin, "ZPRqdSahhtI0ZVJFOuR4ylEkRnT1shuhUL1IOzn3yBI=");
    // 44 characters, but padded as a 31-octet value.
    auto e = errorsOf(R"(
[[remote]]
id = "r"
address = "192.0.2.1:853"
tls = true
tls-pin = "ZPRqdSahhtI0ZVJFOuR4ylEkRnT1shuhUL1IOzn3yB=="
)");
    EXPECT_TRUE(anyContains(e, "remote[0].tls-pin")) << joined(e);
}

// ---- the example files ----

std::filesystem::path sourceDir() {
    if (const char* dir = std::getenv("DNSFLEET_SOURCE_DIR")) return dir;
    return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
}

TEST(ConfigXfr, ExamplePrimaryIsValid) {
    auto c = loadConfig(sourceDir() / "examples/primary.toml");
    ASSERT_TRUE(c) << joined(c.error());
    ASSERT_EQ(c->zones.size(), 2u);
    const auto& zone = c->zones[0];
    EXPECT_EQ(zone.settings.notify.size(), 2u);
    EXPECT_EQ(zone.settings.acl, std::vector<std::string>{"secondaries"});
    ASSERT_TRUE(zone.catalog);
    EXPECT_EQ(c->zones[1].catalogRole, CatalogRole::Produce);
    // The two secondaries may transfer; another host may not even try its luck.
    const auto* acl = c->findAcl("secondaries");
    ASSERT_NE(acl, nullptr);
    EXPECT_TRUE(acl->addresses.at(0).contains(
        reinterpret_cast<const sockaddr*>(&c->findRemote("dnsfleet-secondary")
                                               ->addresses[0]  // NOLINT
                                               .address)));
    EXPECT_FALSE(prefixContains("127.0.0.0/8", v4("192.0.2.1")));
}

TEST(ConfigXfr, ExampleSecondaryIsValidAndMatchesThePrimary) {
    auto secondary = loadConfig(sourceDir() / "examples/secondary.toml");
    ASSERT_TRUE(secondary) << joined(secondary.error());
    auto primary = loadConfig(sourceDir() / "examples/primary.toml");
    ASSERT_TRUE(primary) << joined(primary.error());
    ASSERT_EQ(secondary->zones.size(), 1u);
    const auto& catalog = secondary->zones[0];
    EXPECT_EQ(catalog.catalogRole, CatalogRole::Consume);
    EXPECT_TRUE(catalog.isSecondary());
    EXPECT_EQ(catalog.apex, primary->zones[1].apex);
    // They pull from where the primary serves transfers, with the same key.
    EXPECT_EQ(secondary->findRemote("primary")->addresses.at(0),
              primary->server.managementListen.at(0));
    EXPECT_EQ(secondary->keys.at(0).secret, primary->keys.at(0).secret);
    EXPECT_EQ(primary->findRemote("dnsfleet-secondary")->addresses.at(0),
              secondary->server.managementListen.at(0));
}

// ---- address prefixes ----

TEST(AddressPrefix, ParsesAndClearsHostBits) {
    auto p = parseAddressPrefix("192.0.2.77/24");
    ASSERT_TRUE(p) << p.error();
    EXPECT_EQ(p->family, AF_INET);
    EXPECT_EQ(p->length, 24);
    EXPECT_EQ(*p, *parseAddressPrefix("192.0.2.0/24"));  // as Knot: host bits ignored
    auto one = parseAddressPrefix("192.0.2.1");
    ASSERT_TRUE(one);
    EXPECT_EQ(one->length, 32);
    auto v6prefix = parseAddressPrefix("2001:db8:ffff::1/33");
    ASSERT_TRUE(v6prefix);
    EXPECT_EQ(v6prefix->family, AF_INET6);
    EXPECT_EQ(*v6prefix, *parseAddressPrefix("2001:db8:8000::/33"));
    EXPECT_EQ(parseAddressPrefix("::1")->length, 128);
    EXPECT_EQ(parseAddressPrefix("0.0.0.0/0")->length, 0);
    // An IPv4 prefix written as an IPv4-mapped IPv6 prefix is the IPv4 prefix.
    EXPECT_EQ(*parseAddressPrefix("::ffff:192.0.2.0/120"), *parseAddressPrefix("192.0.2.0/24"));

    EXPECT_FALSE(parseAddressPrefix("192.0.2.0/33"));
    EXPECT_FALSE(parseAddressPrefix("::/129"));
    EXPECT_FALSE(parseAddressPrefix("192.0.2.0/"));
    EXPECT_FALSE(parseAddressPrefix("192.0.2.0/-1"));
    EXPECT_FALSE(parseAddressPrefix("192.0.2.0/2x"));
    EXPECT_FALSE(parseAddressPrefix("/24"));
    EXPECT_FALSE(parseAddressPrefix("192.0.2"));
    EXPECT_FALSE(parseAddressPrefix("2001:db8::g/32"));
}

TEST(AddressPrefix, ContainsChecksOnlyThePrefixBits) {
    EXPECT_TRUE(prefixContains("192.0.2.0/24", v4("192.0.2.0")));
    EXPECT_TRUE(prefixContains("192.0.2.0/24", v4("192.0.2.255")));
    EXPECT_FALSE(prefixContains("192.0.2.0/24", v4("192.0.3.0")));
    EXPECT_TRUE(prefixContains("10.0.0.0/9", v4("10.127.255.255")));
    EXPECT_FALSE(prefixContains("10.0.0.0/9", v4("10.128.0.0")));
    EXPECT_TRUE(prefixContains("0.0.0.0/0", v4("203.0.113.9")));
    EXPECT_TRUE(prefixContains("192.0.2.1", v4("192.0.2.1")));
    EXPECT_FALSE(prefixContains("192.0.2.1", v4("192.0.2.2")));
    EXPECT_TRUE(prefixContains("2001:db8::/32", v6("2001:db8:1234::5")));
    EXPECT_FALSE(prefixContains("2001:db8::/32", v6("2001:db9::5")));
    EXPECT_TRUE(prefixContains("2001:db8:8000::/33", v6("2001:db8:ffff::1")));
    EXPECT_FALSE(prefixContains("2001:db8:8000::/33", v6("2001:db8:7fff::1")));
    // Families do not mix, except as below.
    EXPECT_FALSE(prefixContains("::/0", v4("192.0.2.1")));
    EXPECT_FALSE(prefixContains("0.0.0.0/0", v6("2001:db8::1")));
}

TEST(AddressPrefix, Ipv4MappedSourcesMatchIpv4Prefixes) {
    // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d.
    EXPECT_TRUE(prefixContains("192.0.2.0/24", v6("::ffff:192.0.2.7")));
    EXPECT_FALSE(prefixContains("192.0.2.0/24", v6("::ffff:192.0.3.7")));
    EXPECT_TRUE(prefixContains("127.0.0.1", v6("::ffff:127.0.0.1")));
    // Only the mapped form: an IPv4-compatible or NAT64 address is not the IPv4 client.
    EXPECT_FALSE(prefixContains("192.0.2.0/24", v6("::192.0.2.7")));
    EXPECT_FALSE(prefixContains("192.0.2.0/24", v6("64:ff9b::192.0.2.7")));
    // The mapped prefix form matches both.
    EXPECT_TRUE(prefixContains("::ffff:192.0.2.0/120", v4("192.0.2.7")));
    EXPECT_TRUE(prefixContains("::ffff:192.0.2.0/120", v6("::ffff:192.0.2.7")));
}

TEST(AddressPrefix, NullOrOtherFamiliesNeverMatch) {
    auto p = parseAddressPrefix("0.0.0.0/0");
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->contains(nullptr));
    sockaddr_storage unix{};
    unix.ss_family = AF_UNIX;
    EXPECT_FALSE(p->contains(reinterpret_cast<const sockaddr*>(&unix)));  // NOLINT
}

// ---- sizes and durations ----

TEST(Units, Sizes) {
    EXPECT_EQ(*parseSize("0"), 0u);
    EXPECT_EQ(*parseSize("65536"), 65'536u);
    EXPECT_EQ(*parseSize("512B"), 512u);
    EXPECT_EQ(*parseSize("4k"), 4'096u);
    EXPECT_EQ(*parseSize("64M"), std::size_t{64} << 20);
    EXPECT_EQ(*parseSize("64MiB"), std::size_t{64} << 20);
    EXPECT_EQ(*parseSize("2G"), std::size_t{2} << 30);
    EXPECT_EQ(*parseSize("2gb"), std::size_t{2} << 30);
    EXPECT_EQ(*parseSize("1T"), std::size_t{1} << 40);
    EXPECT_FALSE(parseSize(""));
    EXPECT_FALSE(parseSize("M"));
    EXPECT_FALSE(parseSize("-1"));
    EXPECT_FALSE(parseSize("1.5G"));
    EXPECT_FALSE(parseSize("64 M"));
    EXPECT_FALSE(parseSize("64X"));
    EXPECT_FALSE(parseSize("64MM"));
    EXPECT_FALSE(parseSize("99999999999999999999"));
    EXPECT_FALSE(parseSize("99999999999T"));
}

TEST(Units, Durations) {
    EXPECT_EQ(*parseDuration("45"), seconds(45));
    EXPECT_EQ(*parseDuration("45s"), seconds(45));
    EXPECT_EQ(*parseDuration("30m"), minutes(30));
    EXPECT_EQ(*parseDuration("12h"), hours(12));
    EXPECT_EQ(*parseDuration("7d"), hours(24 * 7));
    EXPECT_EQ(*parseDuration("2w"), hours(24 * 14));
    EXPECT_EQ(*parseDuration("1h30m"), minutes(90));
    EXPECT_EQ(*parseDuration("500ms"), milliseconds(500));
    EXPECT_EQ(*parseDuration("1D"), hours(24));
    EXPECT_FALSE(parseDuration(""));
    EXPECT_FALSE(parseDuration("h"));
    EXPECT_FALSE(parseDuration("1h30"));  // thirty what?
    EXPECT_FALSE(parseDuration("1y"));
    EXPECT_FALSE(parseDuration("-5s"));
    EXPECT_FALSE(parseDuration("5 s"));
    EXPECT_FALSE(parseDuration("99999999999999999999"));
    EXPECT_FALSE(parseDuration("20000d"));  // over ten years
}

TEST(Units, WholeSecondsWhereTheSettingIsInSeconds) {
    auto e = errorsOf("[[template]]\nid = \"t\"\nretry-min = \"1500ms\"\n");
    EXPECT_TRUE(anyContains(e, "template[0].retry-min: must be a whole number of seconds"))
        << joined(e);
    auto c = parseConfig("[server]\nxfr-timeout = \"1500ms\"\n", "/x.toml");
    ASSERT_TRUE(c) << joined(c.error());
    EXPECT_EQ(c->server.xfrTimeout, milliseconds(1500));
    auto small = errorsOf("[server]\nxfr-timeout = \"5ms\"\n");
    EXPECT_TRUE(anyContains(small, "server.xfr-timeout: must be between 100 and 3600000"))
        << joined(small);
}

}  // namespace
}  // namespace dnsfleet::authd::config
