#include "xfr/catalog.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "dnswire/rrtype.hpp"
#include "dnswire/wire.hpp"
#include "zone/builder.hpp"
#include "zone/record.hpp"

namespace dnsfleet::xfr {

namespace {

// What Knot DNS 3.2 writes into the catalogs it generates (checked against knotd 3.2.6 with
// `catalog-role: generate`): TTL 0, SOA `invalid. invalid. SERIAL 3600 600 2147483646 0`.
// The expire is as long as a signed 32-bit value allows, so that consumers never expire a
// catalog merely because the primary is away; RFC 9432 §5.1 would otherwise make the catalog
// lose its meaning on expiry.
constexpr std::uint32_t kCatalogTtl = 0;
constexpr std::uint32_t kSoaRefresh = 3600;
constexpr std::uint32_t kSoaRetry = 600;
constexpr std::uint32_t kSoaExpire = 2147483646;
constexpr std::uint32_t kSoaMinimum = 0;

constexpr std::string_view kSchemaVersion = "2";

/// The presentation form of one wire label, without a trailing dot (`\.` and `\DDD` escaped).
std::string labelText(std::span<const std::uint8_t> label) {
    std::array<std::uint8_t, 65> wire{};
    wire[0] = static_cast<std::uint8_t>(label.size());
    std::memcpy(wire.data() + 1, label.data(), label.size());
    std::string text = dnswire::NameView::fromTrusted(wire.data(), label.size() + 2).toText();
    text.pop_back();
    return text;
}

bool labelIs(std::span<const std::uint8_t> label, std::string_view lowercaseText) {
    if (label.size() != lowercaseText.size()) return false;
    for (std::size_t i = 0; i < label.size(); ++i) {
        auto c = static_cast<char>(label[i]);
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != lowercaseText[i]) return false;
    }
    return true;
}

/// The character-strings of one TXT RDATA joined, as a TXT value is read when it is one datum.
/// Fails when the RDATA does not parse as character-strings.
Result<std::string, std::string> txtValue(std::span<const std::uint8_t> rdata) {
    std::string value;
    std::size_t pos = 0;
    while (pos < rdata.size()) {
        const std::size_t length = rdata[pos];
        if (pos + 1 + length > rdata.size()) return fail(std::string("malformed TXT RDATA"));
        value.append(reinterpret_cast<const char*>(rdata.data() + pos + 1), length);  // NOLINT
        pos += 1 + length;
    }
    return value;
}

Result<dnswire::Name, std::string> ptrTarget(std::span<const std::uint8_t> rdata) {
    auto name = dnswire::Name::fromUncompressed(rdata);
    if (!name) return fail(std::string("malformed PTR RDATA"));
    // Zone names compare without regard to case; lower-cased, they can be compared as bytes
    // by whoever configures the members.
    name->toLower();
    return *name;
}

std::string lowerWireKey(dnswire::NameView name) {
    std::string key(reinterpret_cast<const char*>(name.data()), name.size());  // NOLINT
    for (char& c : key) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return key;
}

/// What the nodes below `zones.<catalog>` said about one `<unique-N>` label.
struct MemberNode {
    std::string id;
    std::optional<dnswire::Name> zone;
    std::vector<std::string> groups;
    std::optional<dnswire::Name> changeOwner;
};

Result<void, std::string> readVersion(const zone::Zone& catalog) {
    auto versionName = dnswire::Name::fromText("version", catalog.apex());
    if (!versionName) return fail(std::string("catalog apex name too long for a catalog"));
    const zone::Node* node = catalog.find(*versionName);
    const zone::RRsetView txt =
        node == nullptr ? zone::RRsetView() : catalog.rrset(*node, dnswire::rrtype::TXT);
    // RFC 9432 §4.3.1: exactly one TXT record at version.$CATZ with the expected value, or
    // the zone is a broken catalog that must not be processed.
    if (!txt) return fail(std::string("broken catalog: no version property (RFC 9432 §4.3.1)"));
    if (txt.size() != 1) {
        return fail(std::string("broken catalog: version property has ") +
                    std::to_string(txt.size()) +
                    " TXT records, must have exactly one (RFC 9432 §4.3.1)");
    }
    auto value = txtValue(txt.first());
    if (!value) return fail(std::string("broken catalog: version property: ") + value.error());
    if (*value != kSchemaVersion) {
        return fail(std::string("broken catalog: schema version \"") + *value +
                    "\" is not supported, only \"2\" (RFC 9432 §4.3.1)");
    }
    return {};
}

std::uint32_t soaSerial(const zone::Zone& catalog) {
    const std::span<const std::uint8_t> rdata = catalog.soa().first();
    // The builder checked the SOA layout: MNAME, RNAME, then five 32-bit fields.
    return rdata.size() >= 20 ? dnswire::loadU32(rdata.data() + rdata.size() - 20) : 0;
}

}  // namespace

Result<Catalog, std::string> readCatalog(const zone::Zone& catalogZone,
                                         std::vector<std::string>* warnings) {
    const dnswire::NameView apex = catalogZone.apex();
    DNSFLEET_TRY(readVersion(catalogZone));

    auto zonesName = dnswire::Name::fromText("zones", apex);
    if (!zonesName) return fail(std::string("catalog apex name too long for a catalog"));
    const std::size_t zonesLabels = zonesName->labelCount();

    // Nodes come in canonical order, so a member node precedes its properties; the map keeps
    // the members in that same order of their labels.
    std::map<std::string, MemberNode> nodes;
    for (const zone::Node& node : catalogZone.nodes()) {
        const dnswire::NameView name = catalogZone.name(node);
        if (node.labels <= zonesLabels || !dnswire::isSubdomain(name, *zonesName)) continue;
        const std::size_t depth = node.labels - zonesLabels;
        if (depth > 2) continue;  // ext branches and unknown deeper properties (§4.3, §4.5)
        const dnswire::NameView memberName = name.stripLabels(depth - 1);
        const std::span<const std::uint8_t> idLabel = memberName.firstLabel();
        const std::string key(reinterpret_cast<const char*>(idLabel.data()),  // NOLINT
                              idLabel.size());
        MemberNode& member = nodes[key];
        if (member.id.empty()) member.id = labelText(idLabel);

        if (depth == 1) {
            const zone::RRsetView ptr = catalogZone.rrset(node, dnswire::rrtype::PTR);
            if (!ptr) continue;
            // §4.2: the member PTR RRset must hold exactly one record; more is a broken catalog.
            if (ptr.size() != 1) {
                return fail(std::string("broken catalog: member node ") + name.toText() + " has " +
                            std::to_string(ptr.size()) + " PTR records (RFC 9432 §4.2)");
            }
            auto target = ptrTarget(ptr.first());
            if (!target) return fail(name.toText() + ": " + target.error());
            member.zone = *target;
            continue;
        }

        const std::span<const std::uint8_t> property = name.firstLabel();
        if (labelIs(property, "group")) {
            // §4.4.2: any number of TXT records, each one group value.
            const zone::RRsetView txt = catalogZone.rrset(node, dnswire::rrtype::TXT);
            for (const auto rdata : txt) {
                auto value = txtValue(rdata);
                if (!value) return fail(name.toText() + ": " + value.error());
                member.groups.push_back(std::move(*value));
            }
        } else if (labelIs(property, "coo")) {
            const zone::RRsetView ptr = catalogZone.rrset(node, dnswire::rrtype::PTR);
            if (!ptr) continue;  // a known property with an unknown type is ignored (§4.3)
            // §4.4.1: exactly one PTR; more is a broken catalog.
            if (ptr.size() != 1) {
                return fail(std::string("broken catalog: coo property ") + name.toText() + " has " +
                            std::to_string(ptr.size()) + " PTR records (RFC 9432 §4.4.1)");
            }
            auto target = ptrTarget(ptr.first());
            if (!target) return fail(name.toText() + ": " + target.error());
            member.changeOwner = *target;
        }
        // Anything else (ext, future properties) means nothing to us (§4.3, §4.5).
    }

    Catalog catalog;
    catalog.apex = dnswire::Name(apex);
    catalog.serial = soaSerial(catalogZone);
    std::map<std::string, std::string> idOfZone;
    for (auto& [key, node] : nodes) {
        if (!node.zone) {
            if (warnings != nullptr && (!node.groups.empty() || node.changeOwner)) {
                warnings->push_back("properties of " + node.id +
                                    ".zones without a member PTR ignored");
            }
            continue;
        }
        // §4.2: two <unique-N> labels pointing at the same zone make the catalog broken.
        auto [it, inserted] = idOfZone.emplace(lowerWireKey(*node.zone), node.id);
        if (!inserted) {
            return fail(std::string("broken catalog: member zone ") + node.zone->toText() +
                        " is listed under both " + it->second + " and " + node.id +
                        " (RFC 9432 §4.2)");
        }
        CatalogMember member;
        member.zone = *node.zone;
        member.id = std::move(node.id);
        member.groups = std::move(node.groups);
        member.changeOwner = node.changeOwner;
        catalog.members.push_back(std::move(member));
    }
    return catalog;
}

std::string catalogMemberId(dnswire::NameView zone) {
    std::string key = lowerWireKey(zone);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(key.data(), key.size(), digest.data(), &length, EVP_sha1(), nullptr) != 1) {
        length = 0;  // only without a usable default provider; the fallback below still works
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    id.reserve(std::size_t{2} * length);
    for (unsigned int i = 0; i < length; ++i) {
        id += kHex[digest[i] >> 4];
        id += kHex[digest[i] & 0x0F];
    }
    if (id.empty()) {  // still stable: our own case-insensitive hash of the name
        const std::uint64_t h = dnswire::hashName(zone);
        for (int shift = 60; shift >= 0; shift -= 4) {
            id += kHex[(h >> static_cast<unsigned>(shift)) & 0x0F];
        }
    }
    return id;
}

namespace {

Result<void, std::string> addRecord(zone::ZoneBuilder& builder, dnswire::NameView owner,
                                    std::uint16_t type, std::span<const std::uint8_t> rdata) {
    zone::RecordView record;
    record.owner = owner;
    record.type = type;
    record.ttl = kCatalogTtl;
    record.rdata = rdata;
    return builder.add(record);
}

std::vector<std::uint8_t> txtRdata(std::string_view value) {
    // Built octet by octet: GCC 12 at -O3 misreads push_back followed by insert as an
    // out-of-bounds memcpy (-Warray-bounds).
    std::vector<std::uint8_t> rdata(value.size() + 1);
    rdata[0] = static_cast<std::uint8_t>(value.size());
    for (std::size_t i = 0; i < value.size(); ++i)
        rdata[i + 1] = static_cast<std::uint8_t>(value[i]);
    return rdata;
}

}  // namespace

Result<std::shared_ptr<const zone::Zone>, std::string> buildCatalog(
    dnswire::NameView apex, std::uint32_t serial, std::span<const CatalogMember> members) {
    zone::ZoneBuilder builder(apex);

    auto invalid = dnswire::Name::fromText("invalid.");
    auto zonesName = dnswire::Name::fromText("zones", apex);
    auto versionName = dnswire::Name::fromText("version", apex);
    if (!invalid || !zonesName || !versionName) {
        return fail(std::string("apex name too long for a catalog"));
    }

    std::vector<std::uint8_t> soa;
    soa.insert(soa.end(), invalid->wire().begin(), invalid->wire().end());
    soa.insert(soa.end(), invalid->wire().begin(), invalid->wire().end());
    for (const std::uint32_t field : {serial, kSoaRefresh, kSoaRetry, kSoaExpire, kSoaMinimum}) {
        std::array<std::uint8_t, 4> octets{};
        dnswire::storeU32(octets.data(), field);
        soa.insert(soa.end(), octets.begin(), octets.end());
    }
    DNSFLEET_TRY(addRecord(builder, apex, dnswire::rrtype::SOA, soa));
    // §4.1: one NS naming "invalid." is recommended; consumers ignore it.
    DNSFLEET_TRY(addRecord(builder, apex, dnswire::rrtype::NS, invalid->wire()));
    DNSFLEET_TRY(addRecord(builder, *versionName, dnswire::rrtype::TXT, txtRdata(kSchemaVersion)));

    // We must never produce what §4.2 calls a broken catalog: one PTR per id, one id per zone.
    std::set<std::string> ids;
    std::set<std::string> zones;
    for (const CatalogMember& member : members) {
        const std::string id = member.id.empty() ? catalogMemberId(member.zone) : member.id;
        auto idName = dnswire::Name::fromText(id);
        if (!idName || idName->labelCount() != 1) {
            return fail(std::string("member id '") + id + "' of " + member.zone.toText() +
                        " is not a single label");
        }
        auto owner = idName->concat(*zonesName);
        if (!owner) return fail(std::string("member id '") + id + "' makes a name too long");
        if (!ids.insert(lowerWireKey(*idName)).second) {
            return fail(std::string("member id '") + id + "' used twice");
        }
        if (!zones.insert(lowerWireKey(member.zone)).second) {
            return fail(std::string("member zone ") + member.zone.toText() + " listed twice");
        }
        DNSFLEET_TRY(addRecord(builder, *owner, dnswire::rrtype::PTR, member.zone.wire()));

        for (const std::string& group : member.groups) {
            if (group.size() > 255) {
                return fail(std::string("group of ") + member.zone.toText() +
                            " longer than 255 octets");
            }
            auto groupName = dnswire::Name::fromText("group", *owner);
            if (!groupName)
                return fail(std::string("member id '") + id + "' makes a name too long");
            DNSFLEET_TRY(addRecord(builder, *groupName, dnswire::rrtype::TXT, txtRdata(group)));
        }
        if (member.changeOwner) {
            auto cooName = dnswire::Name::fromText("coo", *owner);
            if (!cooName) return fail(std::string("member id '") + id + "' makes a name too long");
            DNSFLEET_TRY(
                addRecord(builder, *cooName, dnswire::rrtype::PTR, member.changeOwner->wire()));
        }
    }

    auto built = builder.build();
    if (!built) {
        std::string message = "does not build:";
        for (const std::string& error : built.error())
            message += " " + error + ";";
        return fail(std::move(message));
    }
    return std::shared_ptr<const zone::Zone>(std::move(*built));
}

}  // namespace dnsfleet::xfr
