// RRset checks: everything a customer's RRset must pass before it is staged. RDATA goes
// through lib/dnswire's presentation parser and printer, so the canonical text stored here is
// exactly what the edges load and serve.

#include "controld/zones/records.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <span>

#include "dnswire/name.hpp"
#include "dnswire/rrtype.hpp"
#include "records_internal.hpp"

namespace dnsfleet::controld::zones {

namespace {

namespace rrtype = dnswire::rrtype;

// More field errors than this help nobody: the first ones show the pattern.
constexpr std::size_t kMaxFieldErrors = 20;
constexpr std::size_t kMaxRdata = 65535;

class FieldErrors {
  public:
    explicit FieldErrors(std::string_view prefix) : prefix_(prefix) {}

    void add(std::string_view pointer, std::string message) {
        if (errors_.size() >= kMaxFieldErrors) return;
        std::string field;
        field.reserve(prefix_.size() + pointer.size());
        field.append(prefix_).append(pointer);
        errors_.push_back({std::move(field), std::move(message)});
    }
    void addRecord(std::size_t index, std::string_view member, std::string message) {
        std::string pointer = "/records/";
        pointer += std::to_string(index);
        pointer += '/';
        pointer += member;
        add(pointer, std::move(message));
    }
    [[nodiscard]] bool empty() const noexcept { return errors_.empty(); }
    [[nodiscard]] ServiceError take(std::string detail) {
        return invalid(std::move(detail), std::move(errors_));
    }

  private:
    std::string_view prefix_;
    std::vector<FieldError> errors_;
};

// Types a customer may not write: the platform writes the SOA and the apex NS, the signer the
// DNSSEC records. ZONEMD digests the whole zone, which the platform changes on every apply
// (new SOA serial), so a customer's ZONEMD would always be wrong.
bool generatedType(std::uint16_t code) noexcept {
    switch (code) {
        case rrtype::SOA:
        case rrtype::RRSIG:
        case rrtype::NSEC:
        case rrtype::NSEC3:
        case rrtype::NSEC3PARAM:
        case rrtype::DNSKEY:
        case rrtype::CDS:
        case rrtype::CDNSKEY:
        case rrtype::ZONEMD:
            return true;
        default:
            return false;
    }
}

// Per-thread scratch space: checkRrset runs once per RRset of an import, and after the first
// few calls it allocates only the strings it returns.
struct Scratch {
    std::vector<dnswire::RdataToken> tokens;
    std::vector<std::uint8_t> wire;  // every record's canonical RDATA, back to back
    std::vector<std::pair<std::size_t, std::size_t>> spans;  // (offset, length) per record
    std::vector<std::size_t> order;
};

Scratch& scratch() {
    thread_local Scratch s;
    return s;
}

}  // namespace

namespace detail {

bool isTrimBlank(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trimBlanks(std::string_view text) noexcept {
    while (!text.empty() && isTrimBlank(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && isTrimBlank(text.back()))
        text.remove_suffix(1);
    return text;
}

bool validUtf8(std::string_view text) noexcept {
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (i + extra >= n) return false;
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(text[i + k]);
            if ((cc & 0xC0u) != 0x80u) return false;
            cp = (cp << 6u) | (cc & 0x3Fu);
        }
        // Overlong forms, surrogates and code points past U+10FFFF.
        if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

std::optional<std::string> commentProblem(std::string_view comment, std::size_t maxBytes) {
    if (comment.size() > maxBytes) {
        return "longer than " + std::to_string(maxBytes) + " bytes";
    }
    for (const char c : comment) {
        const auto u = static_cast<unsigned char>(c);
        // A line break would end the `;` comment in the zone text and start a bogus record.
        if (u < 0x20 || u == 0x7F) return std::string("must not contain control characters");
    }
    if (!validUtf8(comment)) return std::string("must be UTF-8");
    return std::nullopt;
}

std::optional<std::uint16_t> zoneTypeCode(std::string_view text, std::string& problem) {
    const auto code = dnswire::typeFromText(text);
    if (!code) {
        problem = "unknown type '" + std::string(text) + "'";
        return std::nullopt;
    }
    const auto* info = dnswire::findType(*code);
    // RFC 6895 §3.1: 0 is reserved, 128-255 are QTYPEs and meta types.
    if (*code == 0 || (*code >= 128 && *code <= 255) || (info != nullptr && info->meta)) {
        problem = "type " + dnswire::typeToText(*code) + " cannot appear in a zone";
        return std::nullopt;
    }
    return code;
}

int compareRdata(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
    const std::size_t n = std::min(a.size(), b.size());
    if (n != 0) {
        const int c = std::memcmp(a.data(), b.data(), n);
        if (c != 0) return c;
    }
    if (a.size() == b.size()) return 0;
    return a.size() < b.size() ? -1 : 1;
}

}  // namespace detail

Outcome<std::string> canonicalZoneName(std::string_view name) {
    auto bad = [](std::string message) -> Outcome<std::string> {
        return fail(invalid("invalid zone name", {{"/name", std::move(message)}}));
    };
    if (name.empty()) return bad("must not be empty");
    if (name == "." || name == "@") return bad("the root zone cannot be hosted");
    // Zone names are host names: letters, digits, '-', '_' (service zones such as
    // _msdcs) and '/' (RFC 2317 classless reverse zones). Escapes and other bytes would make
    // names that look alike but differ.
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '/' || c == '.';
        if (!ok) {
            return bad("only letters, digits, '-', '_', '/' and '.' are allowed in a zone name");
        }
    }
    auto parsed = dnswire::Name::fromText(name);
    if (!parsed) return bad(std::string(dnswire::describe(parsed.error())));
    if (parsed->isRoot()) return bad("the root zone cannot be hosted");
    parsed->toLower();
    return parsed->toText();
}

Outcome<std::string> canonicalOwnerName(std::string_view apex, std::string_view name) {
    auto apexName = dnswire::Name::fromText(apex);
    if (!apexName) return fail(invalid("invalid zone name", {{"/zone", "not a domain name"}}));
    auto bad = [](std::string message) -> Outcome<std::string> {
        return fail(invalid("invalid owner name", {{"/name", std::move(message)}}));
    };
    if (name.empty()) return bad("must not be empty");
    auto owner = dnswire::Name::fromText(name, *apexName);
    if (!owner) return bad(std::string(dnswire::describe(owner.error())));
    if (!dnswire::isSubdomain(*owner, *apexName)) {
        return bad(owner->toText() + " is outside the zone " + apexName->toText());
    }
    owner->toLower();
    return owner->toText();
}

Outcome<Rrset> checkRrset(std::string_view apex, const RrsetInput& input, std::uint32_t defaultTtl,
                          const RecordLimits& limits, std::string_view fieldPrefix) {
    FieldErrors errors(fieldPrefix);
    auto apexName = dnswire::Name::fromText(apex);
    if (!apexName) {
        return fail(invalid("invalid zone name", {{"/zone", "not a domain name"}}));
    }
    apexName->toLower();

    // Owner: relative names (and '@') are completed with the apex, as in a zone file.
    dnswire::Name owner;
    bool ownerOk = false;
    if (input.name.empty()) {
        errors.add("/name", "must not be empty");
    } else if (auto parsed = dnswire::Name::fromText(input.name, *apexName); !parsed) {
        errors.add("/name", std::string(dnswire::describe(parsed.error())));
    } else if (!dnswire::isSubdomain(*parsed, *apexName)) {
        errors.add("/name", parsed->toText() + " is outside the zone " + apexName->toText());
    } else {
        owner = *parsed;
        owner.toLower();
        ownerOk = true;
    }
    const bool atApex = ownerOk && owner == *apexName;

    std::uint16_t type = 0;
    std::string problem;
    if (auto code = detail::zoneTypeCode(input.type, problem); !code) {
        errors.add("/type", std::move(problem));
    } else if (generatedType(*code)) {
        errors.add("/type", "type " + dnswire::typeToText(*code) +
                                " is generated by the platform and cannot be edited");
    } else if (*code == rrtype::NS && atApex) {
        errors.add("/type", "the apex NS RRset is generated by the platform and cannot be edited");
    } else if (*code == rrtype::CNAME && atApex) {
        errors.add("/type", "a CNAME cannot be at the zone apex (it would sit beside SOA and NS)");
    } else if (*code == rrtype::DS && atApex) {
        errors.add("/type", "a DS RRset belongs in the parent zone, not at the apex");
    } else {
        type = *code;
    }

    const std::uint32_t ttl = input.ttl.value_or(defaultTtl);
    if (ttl < limits.minTtl || ttl > limits.maxTtl) {
        errors.add("/ttl", "must be between " + std::to_string(limits.minTtl) + " and " +
                               std::to_string(limits.maxTtl));
    }
    const std::string_view rrsetComment = detail::trimBlanks(input.comment);
    if (auto bad = detail::commentProblem(rrsetComment, limits.maxCommentBytes)) {
        errors.add("/comment", std::move(*bad));
    }

    const auto& records = input.records;
    if (records.empty()) {
        errors.add("/records", "an RRset needs at least one record");
    } else if (records.size() > limits.maxRecordsPerRrset) {
        errors.add("/records",
                   "at most " + std::to_string(limits.maxRecordsPerRrset) + " records per RRset");
    }

    auto& s = scratch();
    s.wire.clear();
    s.spans.clear();
    if (type != 0 && records.size() <= limits.maxRecordsPerRrset) {
        s.spans.reserve(records.size());
        for (std::size_t i = 0; i < records.size(); ++i) {
            const std::size_t offset = s.wire.size();
            s.tokens.clear();
            if (!dnswire::tokenizeRdata(records[i].data, s.tokens)) {
                errors.addRecord(i, "data", "unterminated quoted string");
            } else if (auto converted =
                           dnswire::rdataFromText(type, s.tokens, apexName->view(), s.wire);
                       !converted) {
                errors.addRecord(i, "data", std::move(converted).error());
            } else if (s.wire.size() - offset > kMaxRdata) {
                errors.addRecord(i, "data", "RDATA longer than 65535 octets");
                s.wire.resize(offset);
            } else {
                dnswire::canonicalizeRdata(
                    type, std::span<std::uint8_t>(s.wire).subspan(offset, s.wire.size() - offset));
            }
            s.spans.emplace_back(offset, s.wire.size() - offset);
        }
    }
    for (std::size_t i = 0; i < records.size() && i < limits.maxRecordsPerRrset; ++i) {
        const std::string_view comment = detail::trimBlanks(records[i].comment);
        if (auto bad = detail::commentProblem(comment, limits.maxCommentBytes)) {
            errors.addRecord(i, "comment", std::move(*bad));
        }
    }
    if (!errors.empty()) return fail(errors.take("the RRset is not valid"));

    // RFC 4034 §6.3 canonical order; equal RDATA next to each other are duplicates.
    auto rdataOf = [&s](std::size_t i) {
        return std::span<const std::uint8_t>(s.wire).subspan(s.spans[i].first, s.spans[i].second);
    };
    s.order.resize(records.size());
    std::iota(s.order.begin(), s.order.end(), std::size_t{0});
    std::stable_sort(s.order.begin(), s.order.end(), [&](std::size_t a, std::size_t b) {
        return detail::compareRdata(rdataOf(a), rdataOf(b)) < 0;
    });
    for (std::size_t k = 1; k < s.order.size(); ++k) {
        if (detail::compareRdata(rdataOf(s.order[k - 1]), rdataOf(s.order[k])) == 0) {
            errors.addRecord(s.order[k], "data",
                             "duplicate of /records/" + std::to_string(s.order[k - 1]));
        }
    }
    if (type == rrtype::CNAME || type == rrtype::DNAME) {
        if (records.size() > 1) {
            errors.add("/records", "a " + dnswire::typeToText(type) +
                                       " RRset holds exactly one record (RFC 2181 §10.1)");
        }
    }
    if (!errors.empty()) return fail(errors.take("the RRset is not valid"));

    Rrset out;
    out.name = owner.toText();
    out.type = dnswire::typeToText(type);
    out.ttl = ttl;
    out.comment = std::string(rrsetComment);
    out.records.reserve(records.size());
    for (const std::size_t i : s.order) {
        Record record;
        if (auto printed = dnswire::rdataToText(type, rdataOf(i), record.data); !printed) {
            // rdataFromText produced it, so the printer must read it: a bug in lib/dnswire.
            return fail(ServiceError{ErrorCode::Internal, "RDATA could not be printed", {}, {}, 0});
        }
        record.comment = std::string(detail::trimBlanks(records[i].comment));
        out.records.push_back(std::move(record));
    }
    return out;
}

namespace {

Rrset apexRrset(std::string_view apex, std::uint16_t type, std::uint32_t ttl,
                const std::vector<std::string>& texts) {
    Rrset out;
    auto apexName = dnswire::Name::fromText(apex);
    if (apexName) {
        apexName->toLower();
        out.name = apexName->toText();
    } else {
        out.name = std::string(apex);
    }
    out.type = dnswire::typeToText(type);
    out.ttl = ttl;
    // Through the wire library, so that the text is canonical and sorts like any RRset; the
    // settings are checked when they are loaded, so a failure here keeps the raw text.
    std::vector<std::pair<std::vector<std::uint8_t>, std::string>> parsed;
    parsed.reserve(texts.size());
    for (const auto& text : texts) {
        std::vector<std::uint8_t> wire;
        std::string printed;
        if (!dnswire::rdataFromString(type, text, dnswire::NameView(), wire)) {
            parsed.emplace_back(std::vector<std::uint8_t>{}, text);
            continue;
        }
        dnswire::canonicalizeRdata(type, wire);
        if (dnswire::rdataToText(type, wire, printed)) {
            parsed.emplace_back(std::move(wire), std::move(printed));
        } else {
            parsed.emplace_back(std::vector<std::uint8_t>{}, text);
        }
    }
    std::sort(parsed.begin(), parsed.end());
    parsed.erase(std::unique(parsed.begin(), parsed.end()), parsed.end());
    out.records.reserve(parsed.size());
    for (auto& [wire, text] : parsed) {
        out.records.push_back({std::move(text), {}});
    }
    return out;
}

}  // namespace

Rrset makeSoa(std::string_view apex, const config::NameServerSettings& settings,
              std::uint32_t serial) {
    const std::string primary =
        settings.nameServers.empty() ? std::string(apex) : settings.nameServers.front();
    std::string text = primary + " " + settings.hostmaster + " " + std::to_string(serial) + " " +
                       std::to_string(settings.refresh) + " " + std::to_string(settings.retry) +
                       " " + std::to_string(settings.expire) + " " +
                       std::to_string(settings.minimum);
    return apexRrset(apex, rrtype::SOA, settings.defaultTtl, {std::move(text)});
}

Rrset makeApexNs(std::string_view apex, const config::NameServerSettings& settings) {
    return apexRrset(apex, rrtype::NS, settings.defaultTtl, settings.nameServers);
}

}  // namespace dnsfleet::controld::zones
