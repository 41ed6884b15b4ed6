// Zone text for import and export. lib/zone reads the records (the same parser the edges load
// zones with, so an import accepts what an edge would); this file groups them into RRsets,
// keeps the comments lib/zone skips, and writes RRsets back in the form it reads.

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "controld/zones/records.hpp"
#include "dnswire/name.hpp"
#include "dnswire/rrtype.hpp"
#include "records_internal.hpp"
#include "zone/parser.hpp"
#include "zone_text_internal.hpp"

namespace dnsfleet::controld::zones {

namespace {

// Enough to fix a file in a few rounds; past it, the pattern is clear.
constexpr std::size_t kMaxErrors = 100;

// Comments are checked before they are stored; this only keeps a stray control character
// from breaking the line structure of the text.
void appendCommentText(std::string_view comment, std::string& out) {
    for (const char c : comment) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(u < 0x20 || u == 0x7F ? ' ' : c);
    }
}

void appendDecimal(std::uint32_t value, std::string& out) {
    char digits[10];
    std::size_t n = 0;
    do {
        digits[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0)
        out.push_back(digits[--n]);
}

std::string lineField(std::size_t line) {
    return "line " + std::to_string(line);
}

}  // namespace

std::string renderZoneText(std::string_view apex, const std::vector<Rrset>& rrsets) {
    std::size_t estimate = 32 + apex.size();
    for (const auto& r : rrsets) {
        estimate += r.comment.size() + 4;
        for (const auto& record : r.records) {
            estimate +=
                r.name.size() + r.type.size() + record.data.size() + record.comment.size() + 24;
        }
    }
    std::string out;
    out.reserve(estimate);
    // Names are written absolute; $ORIGIN only tells a reader which zone this is.
    out.append("$ORIGIN ").append(apex).push_back('\n');
    for (const std::size_t i : detail::canonicalOrder(rrsets, true)) {
        const Rrset& r = rrsets[i];
        if (r.records.empty()) continue;
        // The RRset's comment is a comment line directly above its first record; parseZoneText
        // reads such a line back as the RRset's comment.
        if (!r.comment.empty()) {
            out.append("; ");
            appendCommentText(r.comment, out);
            out.push_back('\n');
        }
        for (const auto& record : r.records) {
            out.append(r.name).push_back('\t');
            appendDecimal(r.ttl, out);
            out.append("\tIN\t").append(r.type).push_back('\t');
            out.append(record.data);
            if (!record.comment.empty()) {
                out.append("\t; ");
                appendCommentText(record.comment, out);
            }
            out.push_back('\n');
        }
    }
    return out;
}

namespace {

struct ParsedRecord {
    std::size_t offset = 0;  // canonical RDATA in the arena
    std::size_t size = 0;
    std::size_t entry = 0;  // index into the scanned entries (line, comments)
};

struct Group {
    std::size_t nameOffset = 0;  // lower-cased owner in the arena
    std::size_t nameSize = 0;
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    std::string comment;
    std::vector<ParsedRecord> records;
};

class ZoneTextReader {
  public:
    ZoneTextReader(const dnswire::Name& apex, std::string_view text)
        : apex_(apex), entries_(detail::scanRecordComments(text)) {}

    Result<void, std::string> add(const zone::RecordView& record) {
        const std::size_t entry = records_++;
        if (!dnswire::isSubdomain(record.owner, apex_)) {
            return fail(record.owner.toText() + " is outside the zone " + apex_.toText());
        }
        // Owner wire form (lower-cased; length octets are below 'A') and type code.
        key_.assign(reinterpret_cast<const char*>(record.owner.data()), record.owner.size());
        for (char& c : key_) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        key_.push_back(static_cast<char>(record.type >> 8U));
        key_.push_back(static_cast<char>(record.type & 0xFFU));

        auto found = index_.find(key_);
        if (found == index_.end()) {
            Group group;
            group.nameOffset = arena_.size();
            group.nameSize = record.owner.size();
            arena_.insert(arena_.end(), key_.begin(), key_.end() - 2);
            group.type = record.type;
            // Within an RRset the first record's TTL wins, as on the edges (lib/zone).
            group.ttl = record.ttl;
            found = index_.emplace(key_, groups_.size()).first;
            groups_.push_back(std::move(group));
        }
        Group& group = groups_[found->second];
        if (entry < entries_.size()) {
            const std::string& leading = entries_[entry].leading;
            if (!leading.empty()) {
                if (!group.comment.empty()) group.comment.push_back(' ');
                group.comment.append(leading);
            }
        }
        const std::size_t offset = arena_.size();
        arena_.insert(arena_.end(), record.rdata.begin(), record.rdata.end());
        dnswire::canonicalizeRdata(
            record.type, std::span<std::uint8_t>(arena_).subspan(offset, record.rdata.size()));
        group.records.push_back({offset, record.rdata.size(), entry});
        return {};
    }

    /// The RRsets in canonical order (SOA first), or the problems found with their lines.
    Result<std::vector<Rrset>, std::vector<FieldError>> finish() {
        std::vector<FieldError> errors;
        auto rdataOf = [this](const ParsedRecord& r) {
            return std::span<const std::uint8_t>(arena_).subspan(r.offset, r.size);
        };
        for (auto& group : groups_) {
            std::stable_sort(group.records.begin(), group.records.end(),
                             [&](const ParsedRecord& a, const ParsedRecord& b) {
                                 return detail::compareRdata(rdataOf(a), rdataOf(b)) < 0;
                             });
            for (std::size_t k = 1; k < group.records.size() && errors.size() < kMaxErrors; ++k) {
                const auto& prev = group.records[k - 1];
                const auto& cur = group.records[k];
                if (detail::compareRdata(rdataOf(prev), rdataOf(cur)) == 0) {
                    errors.push_back({lineField(lineOf(std::max(prev.entry, cur.entry))),
                                      "duplicate record (the same as line " +
                                          std::to_string(lineOf(std::min(prev.entry, cur.entry))) +
                                          ")"});
                }
            }
        }
        if (!errors.empty()) {
            std::sort(errors.begin(), errors.end(), [](const FieldError& a, const FieldError& b) {
                return a.field.size() != b.field.size() ? a.field.size() < b.field.size()
                                                        : a.field < b.field;
            });
            return fail(std::move(errors));
        }

        std::vector<Rrset> rrsets;
        rrsets.reserve(groups_.size());
        for (auto& group : groups_) {
            Rrset rrset;
            dnswire::NameView::fromTrusted(arena_.data() + group.nameOffset, group.nameSize)
                .appendText(rrset.name);
            rrset.type = dnswire::typeToText(group.type);
            rrset.ttl = group.ttl;
            rrset.comment = std::move(group.comment);
            rrset.records.reserve(group.records.size());
            for (const auto& r : group.records) {
                Record out;
                if (!dnswire::rdataToText(group.type, rdataOf(r), out.data)) {
                    // The parser validated it against the layout; the printer reads the same.
                    errors.push_back({lineField(lineOf(r.entry)), "RDATA cannot be printed"});
                    continue;
                }
                if (r.entry < entries_.size()) out.comment = std::move(entries_[r.entry].trailing);
                rrset.records.push_back(std::move(out));
            }
            rrsets.push_back(std::move(rrset));
        }
        if (!errors.empty()) return fail(std::move(errors));
        const auto order = detail::canonicalOrder(rrsets, true);
        std::vector<Rrset> sorted;
        sorted.reserve(rrsets.size());
        for (const std::size_t i : order) {
            sorted.push_back(std::move(rrsets[i]));
        }
        return sorted;
    }

  private:
    [[nodiscard]] std::size_t lineOf(std::size_t entry) const noexcept {
        return entry < entries_.size() ? entries_[entry].line : 0;
    }

    const dnswire::Name& apex_;
    std::vector<detail::EntryComments> entries_;
    std::size_t records_ = 0;
    std::string key_;
    std::vector<std::uint8_t> arena_;
    std::unordered_map<std::string, std::size_t> index_;
    std::vector<Group> groups_;
};

ServiceError zoneTextError(std::vector<FieldError> errors) {
    std::string detail = errors.front().field + ": " + errors.front().message;
    if (errors.size() > 1) {
        detail += " (and " + std::to_string(errors.size() - 1) + " more errors)";
    }
    return invalid(std::move(detail), std::move(errors));
}

}  // namespace

Outcome<std::vector<Rrset>> parseZoneText(std::string_view apex, std::string_view text,
                                          std::uint32_t defaultTtl) {
    auto apexName = dnswire::Name::fromText(apex);
    if (!apexName) return fail(invalid("invalid zone name", {{"/zone", "not a domain name"}}));
    apexName->toLower();

    ZoneTextReader reader(*apexName, text);
    zone::ParseOptions options;
    options.origin = *apexName;
    options.defaultTtl = defaultTtl;
    // An uploaded file must not read files of the server.
    options.allowInclude = false;
    options.maxErrors = kMaxErrors;
    auto parsed = zone::parseZoneText(
        text, "zone", options,
        [&reader](const zone::RecordView& record) { return reader.add(record); });
    if (!parsed) {
        std::vector<FieldError> errors;
        errors.reserve(parsed.error().size());
        for (auto& e : parsed.error()) {
            errors.push_back({lineField(e.line), std::move(e.message)});
        }
        return fail(zoneTextError(std::move(errors)));
    }
    auto rrsets = reader.finish();
    if (!rrsets) return fail(zoneTextError(std::move(rrsets).error()));
    return std::move(rrsets).value();
}

}  // namespace dnsfleet::controld::zones
