#pragma once
/// \file
/// RRsets as customers edit them, and the checks they pass before anything is staged: valid
/// RDATA for the type, owners inside the zone, TTL range, duplicates, CNAME beside other data.
/// Pure functions (no database): the zone service and the import use them, and the fuzz target
/// for the API's input validation drives them. RDATA is parsed and printed by lib/dnswire, so
/// what is accepted here is exactly what the edges serve.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controld/config/settings.hpp"
#include "controld/core/context.hpp"

namespace dnsfleet::controld::zones {

/// One record as a customer sends it: presentation-format RDATA ("192.0.2.1",
/// "10 mail.example.com.") and an optional comment (R-06).
struct RecordInput {
    std::string data;
    std::string comment;
};

/// One RRset as a customer sends it. `name` is absolute ("www.example.com."), relative to the
/// zone ("www"), or "@" for the apex; `type` a mnemonic or TYPEnnn.
struct RrsetInput {
    std::string name;
    std::string type;
    std::optional<std::uint32_t> ttl;  ///< nullopt: the zone's default TTL
    std::vector<RecordInput> records;
    std::string comment;
};

struct Record {
    std::string data;  ///< canonical presentation (names absolute, lower-case where case-free)
    std::string comment;
    bool operator==(const Record&) const = default;
};

/// A checked RRset in canonical form.
struct Rrset {
    std::string name;  ///< absolute, lower-case, with the final dot
    std::string type;  ///< the canonical mnemonic ("A", "TYPE65534")
    std::uint32_t ttl = 0;
    std::vector<Record> records;  ///< in canonical RDATA order, no duplicates
    std::string comment;
    bool operator==(const Rrset&) const = default;
    /// "www.example.com. A", as conflicts and errors name RRsets.
    [[nodiscard]] std::string key() const { return name + " " + type; }
};

/// Limits that are platform policy rather than protocol.
struct RecordLimits {
    std::uint32_t minTtl = 0;
    std::uint32_t maxTtl = 2'147'483'647;  ///< RFC 2181 §8
    std::size_t maxRecordsPerRrset = 1000;
    std::size_t maxCommentBytes = 1024;
};

/// The canonical zone name ("example.com."), or a field error when `name` is not a valid
/// domain name.
[[nodiscard]] Outcome<std::string> canonicalZoneName(std::string_view name);

/// Checks one RRset for zone `apex` (canonical) and returns its canonical form. Field errors
/// are JSON pointers under `fieldPrefix` ("/records/2/data"). Refused: owners outside the zone,
/// unknown or meta types (ANY, AXFR, OPT, TSIG...), types the platform generates (SOA anywhere,
/// NS at the apex, RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY, CDS, CDNSKEY: the signer's), RDATA
/// that does not parse for the type, TTLs out of range, duplicate records, an empty record list.
[[nodiscard]] Outcome<Rrset> checkRrset(std::string_view apex, const RrsetInput& input,
                                        std::uint32_t defaultTtl, const RecordLimits& limits = {},
                                        std::string_view fieldPrefix = "");

/// Checks a whole zone's RRsets together (after a draft is merged into the live version):
/// CNAME beside other data at the same name (RFC 2181 §10.1) or at the apex, more than one
/// CNAME or DNAME record, data below a DNAME (RFC 6672 §2.3). The error's `conflicts` name the
/// RRsets involved.
[[nodiscard]] Outcome<void> checkZone(std::string_view apex, const std::vector<Rrset>& rrsets);

/// The generated apex RRsets: SOA (from the platform's settings, with `serial`) and NS.
[[nodiscard]] Rrset makeSoa(std::string_view apex, const config::NameServerSettings& settings,
                            std::uint32_t serial);
[[nodiscard]] Rrset makeApexNs(std::string_view apex, const config::NameServerSettings& settings);

/// An RFC 1035 zone file of `rrsets` (SOA first, then canonical order); record comments are
/// written as `;` comments after the record. lib/zone parses it back to the same RRsets.
[[nodiscard]] std::string renderZoneText(std::string_view apex, const std::vector<Rrset>& rrsets);

/// Parses an RFC 1035 zone file for `apex` into RRsets (with `;` comments after a record kept
/// as its comment). Errors name the line: "line 12: unknown type FOO". The SOA and apex NS are
/// returned like any RRset; the caller decides what to do with them.
[[nodiscard]] Outcome<std::vector<Rrset>> parseZoneText(std::string_view apex,
                                                        std::string_view text,
                                                        std::uint32_t defaultTtl);

/// What changed from `before` to `after` (both canonical).
struct RrsetChange {
    std::optional<Rrset> before;  ///< nullopt: added
    std::optional<Rrset> after;   ///< nullopt: removed
};
[[nodiscard]] std::vector<RrsetChange> diffRrsets(const std::vector<Rrset>& before,
                                                  const std::vector<Rrset>& after);

}  // namespace dnsfleet::controld::zones
