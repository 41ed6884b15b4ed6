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
///
/// Names inside RDATA follow zone-file rules with `$ORIGIN` at the apex: "mail.example.com."
/// is absolute, "mail" and "mail.example.com" (no final dot) are relative to the apex, so the
/// latter becomes "mail.example.com.example.com." — the canonical form sent back shows it.
/// Comments are trimmed of blanks and must be UTF-8 without control characters (a line break
/// would end the `;` comment in the zone text).
struct RecordInput {
    std::string data;
    std::string comment;
};

/// One RRset as a customer sends it. `name` is absolute ("www.example.com."), relative to the
/// zone ("www"), or "@" for the apex — the same zone-file rule as RDATA names, so
/// "www.example.com" without the final dot is relative; `type` a mnemonic or TYPEnnn.
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

/// The canonical zone name ("example.com."), or a field error ("/name") when `name` is not a
/// valid domain name. The final dot is optional here. Only letters, digits, '-', '_' and '/'
/// (RFC 2317 reverse zones) are allowed in labels; the root and wildcards are refused.
[[nodiscard]] Outcome<std::string> canonicalZoneName(std::string_view name);

/// The canonical owner name ("*.dyn.example.com.") of `name` in zone `apex` (canonical), by
/// the same rule as checkRrset(): absolute, relative to the apex, or "@". A field error
/// ("/name") when it is not a domain name or lies outside the zone. Unlike
/// canonicalZoneName() it takes any label (wildcards, escapes), as owners may have them.
[[nodiscard]] Outcome<std::string> canonicalOwnerName(std::string_view apex, std::string_view name);

/// Checks one RRset for zone `apex` (canonical) and returns its canonical form. Field errors
/// are JSON pointers under `fieldPrefix` ("/records/2/data"). Refused: owners outside the zone,
/// unknown or meta types (ANY, AXFR, OPT, TSIG...), types the platform generates (SOA anywhere,
/// NS at the apex, RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY, CDS, CDNSKEY: the signer's), RDATA
/// that does not parse for the type, TTLs out of range, duplicate records, an empty record list.
/// Also refused: ZONEMD (it digests the whole zone, which every apply changes), CNAME at the
/// apex, DS at the apex (it belongs in the parent), more than one CNAME or DNAME record.
/// Errors are ErrorCode::Invalid with every failing field listed (at most 20): "/name",
/// "/type", "/ttl", "/comment", "/records", "/records/N/data", "/records/N/comment".
/// Duplicates are found on the canonical wire form ("10 Mail" equals "10 mail.example.com.").
/// Allocates only the returned strings once the thread's scratch buffers have grown.
[[nodiscard]] Outcome<Rrset> checkRrset(std::string_view apex, const RrsetInput& input,
                                        std::uint32_t defaultTtl, const RecordLimits& limits = {},
                                        std::string_view fieldPrefix = "");

/// Checks a whole zone's RRsets together (after a draft is merged into the live version):
/// CNAME beside other data at the same name (RFC 2181 §10.1) or at the apex, more than one
/// CNAME or DNAME record, data below a DNAME (RFC 6672 §2.3). The error's `conflicts` name the
/// RRsets involved. Also refused: the same RRset twice, RRsets outside the zone. The error is
/// ErrorCode::Invalid; its detail describes the first problem, `conflicts` lists every RRset
/// of every problem ("www.example.com. CNAME", "www.example.com. A").
[[nodiscard]] Outcome<void> checkZone(std::string_view apex, const std::vector<Rrset>& rrsets);

/// The generated apex RRsets: SOA (from the platform's settings, with `serial`; MNAME is the
/// first name server, TTL the settings' default TTL) and NS (every name server, deduplicated).
[[nodiscard]] Rrset makeSoa(std::string_view apex, const config::NameServerSettings& settings,
                            std::uint32_t serial);
[[nodiscard]] Rrset makeApexNs(std::string_view apex, const config::NameServerSettings& settings);

/// An RFC 1035 zone file of `rrsets` (SOA first, then canonical order); record comments are
/// written as `;` comments after the record, an RRset's comment as a `;` line directly above
/// its first record. One record per line, absolute names, explicit TTL and class.
/// parseZoneText() reads it back to the same RRsets (the fuzz target checks it).
[[nodiscard]] std::string renderZoneText(std::string_view apex, const std::vector<Rrset>& rrsets);

/// Parses an RFC 1035 zone file for `apex` into RRsets (with `;` comments after a record kept
/// as its comment, several joined with blanks, and comment lines directly above a record —
/// no blank line between — as its RRset's comment). Errors name the line: the error's detail
/// is "line 12: unknown type 'FOO'" for the first, `fields` holds every error (at most 100)
/// as {"line 12", "unknown type 'FOO'"}. $ORIGIN, $TTL, relative names, parentheses, quoted
/// strings and RFC 3597 generic RDATA are read by lib/zone (Knot's rules); $INCLUDE is refused,
/// only class IN is accepted. Refused as well: owners outside the zone and duplicate records.
/// Within an RRset the first record's TTL wins (as on the edges). RRsets come back canonical
/// (SOA first, then canonical order) but are not checked with checkRrset(): the SOA and apex
/// NS are returned like any RRset; the caller decides what to do with them.
[[nodiscard]] Outcome<std::vector<Rrset>> parseZoneText(std::string_view apex,
                                                        std::string_view text,
                                                        std::uint32_t defaultTtl);

/// What changed from `before` to `after` (both canonical), in canonical order of the RRsets.
/// A change of TTL or of a comment is a change.
struct RrsetChange {
    std::optional<Rrset> before;  ///< nullopt: added
    std::optional<Rrset> after;   ///< nullopt: removed
};
[[nodiscard]] std::vector<RrsetChange> diffRrsets(const std::vector<Rrset>& before,
                                                  const std::vector<Rrset>& after);

}  // namespace dnsfleet::controld::zones
