// Knot DNS as the oracle: a zone checkZone accepts must load in Knot (`knotc zone-check`, the
// same loader and semantic checks as kzonecheck, which Debian's knot 3.2 package lacks), and a
// zone checkZone refuses must be refused by Knot too. The edges serve what Knot would, so
// disagreement in either direction is a bug.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "controld/zones/records.hpp"

namespace dnsfleet::controld::zones {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kApex = "example.com.";

Rrset checked(std::string name, std::string type, std::vector<std::string> data) {
    RrsetInput input;
    input.name = std::move(name);
    input.type = std::move(type);
    input.ttl = 300;
    input.records.reserve(data.size());
    for (auto& d : data) {
        input.records.push_back({std::move(d), "note: " + input.type});
    }
    auto out = checkRrset(kApex, input, 3600);
    EXPECT_TRUE(out.has_value()) << input.name << " " << input.type;
    return out ? *out : Rrset{};
}

class KnotOracle : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(fs::exists(kKnotc)) << kKnotc << " is needed (Debian package knot)";
        char pattern[] = "/tmp/records-oracle-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        dir_ = pattern;
        std::ofstream conf(dir_ / "knot.conf");
        conf << "server:\n    rundir: " << dir_.string() << "\n"
             << "database:\n    storage: " << dir_.string() << "\n"
             << "template:\n  - id: default\n    storage: " << dir_.string()
             << "\n    semantic-checks: on\n"
             << "zone:\n  - domain: " << kApex << "\n    file: zone.txt\n";
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    /// True when Knot loads `text` as the zone (warnings allowed, errors not).
    bool knotAccepts(const std::string& text) {
        {
            std::ofstream zone(dir_ / "zone.txt");
            zone << text;
        }
        const std::string command =
            "timeout 60 " + std::string(kKnotc) + " -c " + (dir_ / "knot.conf").string() +
            " zone-check " + std::string(kApex) + " >" + (dir_ / "out.txt").string() + " 2>&1";
        const int status = std::system(command.c_str());  // NOLINT(cert-env33-c)
        EXPECT_TRUE(WIFEXITED(status));
        const int code = WEXITSTATUS(status);
        EXPECT_TRUE(code == 0 || code == 1) << "knotc failed to run: " << code << "\n" << output();
        return code == 0;
    }
    std::string output() const {
        std::ifstream in(dir_ / "out.txt");
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    static std::vector<Rrset> base() {
        const config::NameServerSettings ns;
        return {makeSoa(kApex, ns, 2026112601), makeApexNs(kApex, ns)};
    }

    static constexpr const char* kKnotc = "/usr/sbin/knotc";
    fs::path dir_;
};

TEST_F(KnotOracle, ARichZoneLoads) {
    auto zone = base();
    for (auto&& r : {
             checked("www", "A", {"192.0.2.1", "192.0.2.2"}),
             checked("www", "AAAA", {"2001:db8::1"}),
             checked("@", "MX", {"10 mail", "20 mx.example.net."}),
             checked("mail", "A", {"192.0.2.25"}),
             checked("@", "TXT", {"\"v=spf1 mx -all\"", "\"" + std::string(255, 'x') + "\" \"y\""}),
             checked("_sip._udp", "SRV", {"10 60 5060 sip"}),
             checked("sip", "A", {"192.0.2.60"}),
             checked("@", "CAA", {"0 issue \"letsencrypt.org\""}),
             checked("_443._tcp.www", "TLSA", {"3 1 1 " + std::string(64, 'e')}),
             checked("@", "HTTPS", {"1 . alpn=h2,h3 ipv4hint=192.0.2.1"}),
             checked("svc", "SVCB", {"1 www port=8443"}),
             checked("alias", "CNAME", {"www"}),
             checked("old", "DNAME", {"example.net."}),
             checked("sub", "NS", {"ns1.sub", "ns2.example.net."}),
             checked("ns1.sub", "A", {"192.0.2.53"}),
             checked("sub", "DS", {"12345 13 2 " + std::string(64, 'a')}),
             checked("1.2.0.192", "PTR", {"www"}),
             checked("@", "NAPTR", {"100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp"}),
             checked("*.dyn", "A", {"192.0.2.99"}),
             checked("x", "TYPE65534", {"\\# 3 010203"}),
         }) {
        zone.push_back(r);
    }
    zone.back().comment = "an RRset comment";
    ASSERT_TRUE(checkZone(kApex, zone).has_value());
    const std::string text = renderZoneText(kApex, zone);
    EXPECT_TRUE(knotAccepts(text)) << output() << "\n" << text;
    // And our own reader agrees with what Knot loaded.
    auto back = parseZoneText(kApex, text, 3600);
    ASSERT_TRUE(back.has_value()) << back.error().detail;
    EXPECT_EQ(back->size(), zone.size());
}

TEST_F(KnotOracle, BothRefuseWhatBreaksTheZone) {
    struct Case {
        const char* what;
        std::vector<Rrset> extra;
    };
    Rrset twoCnames = checked("two", "CNAME", {"a.example.net."});
    twoCnames.records.push_back({"b.example.net.", ""});
    const std::vector<Case> cases = {
        {"CNAME and other data",
         {checked("www", "CNAME", {"a.example.net."}), checked("www", "A", {"192.0.2.1"})}},
        {"CNAME and TXT", {checked("t", "TXT", {"x"}), checked("t", "CNAME", {"www"})}},
        {"several CNAMEs", {twoCnames}},
        {"data below a DNAME",
         {checked("old", "DNAME", {"example.net."}), checked("a.old", "A", {"192.0.2.1"})}},
    };
    for (const auto& c : cases) {
        auto zone = base();
        zone.insert(zone.end(), c.extra.begin(), c.extra.end());
        const bool ours = checkZone(kApex, zone).has_value();
        const std::string text = renderZoneText(kApex, zone);
        const bool knot = knotAccepts(text);
        EXPECT_FALSE(ours) << c.what;
        EXPECT_EQ(ours, knot) << c.what << "\n" << output() << "\n" << text;
    }
    // The control: the same zone without the conflict is fine for both.
    auto zone = base();
    zone.push_back(checked("www", "A", {"192.0.2.1"}));
    zone.push_back(checked("alias", "CNAME", {"www"}));
    EXPECT_TRUE(checkZone(kApex, zone).has_value());
    EXPECT_TRUE(knotAccepts(renderZoneText(kApex, zone))) << output();
}

}  // namespace
}  // namespace dnsfleet::controld::zones
