// The served zones and the catalog, read from the database; parsed versions and diffs cached.
#include "zone_source.hpp"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <span>
#include <unordered_map>

#include "dnswire/rrtype.hpp"
#include "xfr/catalog.hpp"
#include "xfr/serial.hpp"
#include "zone/builder.hpp"
#include "zone/parser.hpp"

namespace dnsfleet::controld::primary {
namespace {

std::string hexDigest(const std::string& text) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(std::size_t{size} * 2U);
    for (unsigned int i = 0; i < size; ++i) {
        out.push_back(kHex[digest[i] >> 4U]);
        out.push_back(kHex[digest[i] & 0x0FU]);
    }
    return out;
}

/// The next catalog serial: one more than the last, or the time in seconds when that is later,
/// so that a database restored from an old backup still moves the catalog forward.
std::uint32_t nextCatalogSerial(std::optional<std::uint32_t> previous) {
    const auto seconds =
        static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
    if (!previous) return seconds;
    const std::uint32_t next = xfr::addSerial(*previous, 1);
    return xfr::serialNewer(seconds, next) ? seconds : next;
}

/// Parses zone text of `apex` with absolute or relative names, record by record.
Result<void, std::string> parseRecords(dnswire::NameView apex, std::string_view text,
                                       const zone::RecordSink& sink) {
    zone::ParseOptions options;
    options.origin = dnswire::Name::fromUncompressed(apex.wire()).value();
    options.allowInclude = false;
    auto parsed = zone::parseZoneText(text, options.origin.toText(), options, sink);
    if (parsed) return {};
    std::string message;
    for (const auto& e : parsed.error())
        message += (message.empty() ? "" : "; ") + e.toString();
    return fail(message);
}

/// The octets that make two records the same record: owner, type, class, TTL and RDATA.
std::string recordIdentity(const zone::RecordView& record) {
    std::string out(reinterpret_cast<const char*>(record.owner.wire().data()),
                    record.owner.wire().size());
    const std::array<std::uint32_t, 3> fixed{record.type, record.rclass, record.ttl};
    for (const std::uint32_t field : fixed) {
        for (int shift = 24; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((field >> static_cast<unsigned>(shift)) & 0xFFU));
    }
    out.append(reinterpret_cast<const char*>(record.rdata.data()), record.rdata.size());
    return out;
}

/// The IXFR step of one version from its step text: the records present on both sides (the
/// unchanged records of an RRset that changed) are dropped from both.
Result<xfr::ZoneDiff, std::string> diffOfStep(dnswire::NameView apex, const VersionStepText& step) {
    xfr::RecordList removedAll;
    xfr::RecordList addedAll;
    const auto into = [](xfr::RecordList& list) {
        return [&list](const zone::RecordView& r) -> Result<void, std::string> {
            list.add(r);
            return {};
        };
    };
    if (auto parsed = parseRecords(apex, step.removed, into(removedAll)); !parsed)
        return fail("removed records: " + parsed.error());
    if (auto parsed = parseRecords(apex, step.added, into(addedAll)); !parsed)
        return fail("added records: " + parsed.error());
    if (removedAll.empty() || addedAll.empty() || removedAll.front().type != dnswire::rrtype::SOA ||
        addedAll.front().type != dnswire::rrtype::SOA) {
        return fail("a step must start with the SOA on both sides");
    }
    std::unordered_map<std::string, std::size_t> removedCount;
    for (const zone::RecordView r : removedAll)
        ++removedCount[recordIdentity(r)];
    std::unordered_map<std::string, std::size_t> kept;
    xfr::ZoneDiff diff;
    for (const zone::RecordView r : addedAll) {
        std::string identity = recordIdentity(r);
        const auto it = removedCount.find(identity);
        if (it != removedCount.end() && it->second > 0) {
            --it->second;
            ++kept[std::move(identity)];
            continue;
        }
        diff.added.add(r);
    }
    for (const zone::RecordView r : removedAll) {
        const auto it = kept.find(recordIdentity(r));
        if (it != kept.end() && it->second > 0) {
            --it->second;
            continue;
        }
        diff.removed.add(r);
    }
    diff.fromSerial = xfr::soaSerialOf(diff.removed.front().rdata);
    diff.toSerial = xfr::soaSerialOf(diff.added.front().rdata);
    diff.createdAt = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return diff;
}

}  // namespace

std::string zoneKey(std::string_view name) {
    std::string key(name);
    std::transform(key.begin(), key.end(), key.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    if (key.empty() || key.back() != '.') key.push_back('.');
    return key;
}

Result<std::shared_ptr<const zone::Zone>, std::string> parseZoneText(dnswire::NameView apex,
                                                                     std::string_view text) {
    zone::ZoneBuilder builder(apex);
    auto parsed =
        parseRecords(apex, text, [&](const zone::RecordView& r) { return builder.add(r); });
    if (!parsed) return fail(parsed.error());
    auto built = builder.build();
    if (!built) {
        std::string message;
        for (const auto& e : built.error())
            message += (message.empty() ? "" : "; ") + e;
        return fail(message);
    }
    return std::move(*built);
}

ZoneSource::ZoneSource(storage::Database& db, dnswire::Name catalogApex, VersionReader reader,
                       std::size_t maxParsedVersions, std::size_t maxDiffs)
    : db_(db),
      reader_(std::move(reader)),
      catalogApex_(catalogApex),
      maxDiffs_(std::max<std::size_t>(maxDiffs, 1)),
      parsed_(std::max<std::size_t>(maxParsedVersions, 2)),
      diffs_(maxDiffs_) {
    catalogApex_.toLower();
}

std::shared_ptr<const Snapshot> ZoneSource::reload() {
    auto next = std::make_shared<Snapshot>();
    next->catalogApex = catalogApex_;
    std::string names;
    db_.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        const auto rows = tx.query(
            "SELECT id, name, current_version, serial FROM zones WHERE deleted_at IS NULL ORDER BY "
            "id");
        for (const auto& row : rows) {
            auto apex = dnswire::Name::fromText(zoneKey(row.text(1)));
            if (!apex) continue;  // the zones service only stores valid names
            apex->toLower();
            ServedZone served{row.integer(0), *apex, row.integer(2),
                              static_cast<std::uint32_t>(row.integer(3))};
            next->zones.emplace(apex->toText(), served);
        }
    });
    for (const auto& [key, zone] : next->zones)
        names += key + "\n";
    const std::string digest = hexDigest(names);

    std::uint32_t serial = 0;
    db_.run(storage::Mode::Write, [&](storage::Transaction& tx) {
        const auto row =
            tx.queryOne("SELECT serial, members_digest FROM fleet_catalog WHERE id = 1");
        if (row && row->text(1) == digest) {
            serial = static_cast<std::uint32_t>(row->integer(0));
            tx.rollback();
            return;
        }
        serial = nextCatalogSerial(
            row ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(row->integer(0)))
                : std::nullopt);
        tx.execute(
            "INSERT INTO fleet_catalog (id, serial, members_digest, updated_at) "
            "VALUES (1, $1, $2, $3) ON CONFLICT (id) DO UPDATE SET serial = excluded.serial, "
            "members_digest = excluded.members_digest, updated_at = excluded.updated_at",
            {static_cast<std::int64_t>(serial), digest, nowUtc()});
    });
    next->catalogSerial = serial;

    const auto previous = snapshot();
    if (previous && previous->catalog && previous->catalogSerial == serial) {
        next->catalog = previous->catalog;
    } else {
        std::vector<xfr::CatalogMember> members;
        members.reserve(next->zones.size());
        for (const auto& [key, zone] : next->zones) {
            xfr::CatalogMember member;
            member.zone = zone.apex;
            members.push_back(std::move(member));
        }
        auto built = xfr::buildCatalog(catalogApex_, serial, members);
        if (!built) throw std::runtime_error("cannot build the catalog zone: " + built.error());
        next->catalog = std::move(*built);
    }
    std::lock_guard lock(mutex_);
    snapshot_ = next;
    return next;
}

std::shared_ptr<const Snapshot> ZoneSource::snapshot() const {
    std::lock_guard lock(mutex_);
    return snapshot_;
}

std::shared_ptr<const zone::Zone> ZoneSource::cachedVersion(const VersionKey& key) {
    std::lock_guard lock(mutex_);
    return parsed_.find(key);
}

std::shared_ptr<const xfr::ZoneDiff> ZoneSource::cachedDiff(const DiffKey& key) {
    std::lock_guard lock(mutex_);
    return diffs_.find(key);
}

void ZoneSource::remember(const VersionKey& key, std::shared_ptr<const zone::Zone> zone) {
    // One parsed version per zone, the newest: the fleet serves only the current version and
    // makes the next one from it, and a big zone's copy is tens of MB. An older version (the
    // IXFR fallback's) is parsed again when asked for.
    const auto sameZone = [&key](const VersionKey& other) { return other.first == key.first; };
    std::lock_guard lock(mutex_);
    if (parsed_.anyKey([&](const VersionKey& other) {
            return sameZone(other) && other.second > key.second;
        })) {
        return;
    }
    parsed_.eraseIf(sameZone);
    parsed_.put(key, std::move(zone));
}

void ZoneSource::remember(const DiffKey& key, std::shared_ptr<const xfr::ZoneDiff> diff) {
    std::lock_guard lock(mutex_);
    diffs_.put(key, std::move(diff));
}

Result<std::shared_ptr<const zone::Zone>, std::string> ZoneSource::version(const ServedZone& zone,
                                                                           std::int64_t version) {
    const VersionKey key{zone.id, version};
    if (auto hit = cachedVersion(key)) return hit;
    if (auto built = fromSteps(zone, version)) return built;
    return wholeVersion(zone, version);
}

std::shared_ptr<const zone::Zone> ZoneSource::fromSteps(const ServedZone& zone,
                                                        std::int64_t version) {
    if (!reader_.step) return nullptr;
    std::optional<std::pair<VersionKey, std::shared_ptr<const zone::Zone>>> base;
    {
        std::lock_guard lock(mutex_);
        base = parsed_.findIf(
            [&](const VersionKey& key) { return key.first == zone.id && key.second < version; });
    }
    if (!base || version - base->first.second > static_cast<std::int64_t>(maxDiffs_))
        return nullptr;
    // Several versions may have been made since the cached one (applies in a burst).
    std::vector<std::shared_ptr<const xfr::ZoneDiff>> owned;
    std::vector<const xfr::ZoneDiff*> steps;
    for (std::int64_t v = base->first.second + 1; v <= version; ++v) {
        auto step = stepDiff(zone, v);
        // A step that cannot be read or does not apply is a bug to see in the log, not a
        // reason to stop serving: the whole version is read instead.
        if (!step) {
            spdlog::warn("fleet: {} version {}: {}", zone.apex.toText(), v, step.error());
            return nullptr;
        }
        if (!*step) return nullptr;
        owned.push_back(std::move(*step));
        steps.push_back(owned.back().get());
    }
    auto applied = xfr::applyDiffs(*base->second, steps);
    if (!applied) {
        spdlog::error(
            "fleet: {} version {}: its steps do not apply, IXFR from whole versions "
            "from now on: {}",
            zone.apex.toText(), version, applied.error());
        std::lock_guard lock(mutex_);
        distrusted_.insert(zone.id);
        diffs_.eraseIf([&zone](const DiffKey& key) { return std::get<0>(key) == zone.id; });
        return nullptr;
    }
    remember({zone.id, version}, *applied);
    return std::move(*applied);
}

Result<std::shared_ptr<const zone::Zone>, std::string> ZoneSource::wholeVersion(
    const ServedZone& zone, std::int64_t version) {
    std::optional<std::string> text;
    db_.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        if (reader_.zoneText) {
            text = reader_.zoneText(tx, zone.id, version);
            return;
        }
        const auto row =
            tx.queryOne("SELECT zone_text FROM zone_versions WHERE zone_id = $1 AND version = $2",
                        {zone.id, version});
        if (row) text = row->text(0);
    });
    if (!text) return fail("version " + std::to_string(version) + " is not stored");
    auto parsed = parseZoneText(zone.apex, *text);
    if (!parsed) return fail("version " + std::to_string(version) + ": " + parsed.error());
    remember(VersionKey{zone.id, version}, *parsed);
    return std::move(*parsed);
}

Result<std::shared_ptr<const xfr::ZoneDiff>, std::string> ZoneSource::stepDiff(
    const ServedZone& zone, std::int64_t version) {
    {
        std::lock_guard lock(mutex_);
        if (distrusted_.count(zone.id) != 0) return std::shared_ptr<const xfr::ZoneDiff>();
    }
    const DiffKey key{zone.id, version - 1, version};
    if (auto hit = cachedDiff(key)) return hit;
    if (!reader_.step) return std::shared_ptr<const xfr::ZoneDiff>();
    std::optional<VersionStepText> text;
    db_.run(storage::Mode::Read,
            [&](storage::Transaction& tx) { text = reader_.step(tx, zone.id, version); });
    if (!text) return std::shared_ptr<const xfr::ZoneDiff>();
    auto diff = diffOfStep(zone.apex, *text);
    if (!diff) return fail("version " + std::to_string(version) + ": " + diff.error());
    auto shared = std::make_shared<const xfr::ZoneDiff>(std::move(*diff));
    remember(key, shared);
    return std::shared_ptr<const xfr::ZoneDiff>(shared);
}

Result<std::shared_ptr<const xfr::ZoneDiff>, std::string> ZoneSource::diffFrom(
    const ServedZone& zone, std::uint32_t fromSerial) {
    std::optional<std::int64_t> fromVersion;
    db_.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        const auto row = tx.queryOne(
            "SELECT version FROM zone_versions WHERE zone_id = $1 AND serial = $2 AND version < $3 "
            "ORDER BY version DESC LIMIT 1",
            {zone.id, static_cast<std::int64_t>(fromSerial), zone.version});
        if (row) fromVersion = row->integer(0);
    });
    if (!fromVersion) return std::shared_ptr<const xfr::ZoneDiff>();
    const DiffKey key{zone.id, *fromVersion, zone.version};
    if (auto hit = cachedDiff(key)) return hit;

    // From the versions' own steps when each is at hand: no whole version is read or compared.
    if (reader_.step && zone.version - *fromVersion <= static_cast<std::int64_t>(maxDiffs_)) {
        std::vector<std::shared_ptr<const xfr::ZoneDiff>> steps;
        for (std::int64_t v = *fromVersion + 1; v <= zone.version; ++v) {
            auto step = stepDiff(zone, v);
            if (!step || !*step) break;
            steps.push_back(std::move(*step));
        }
        if (steps.size() == static_cast<std::size_t>(zone.version - *fromVersion)) {
            if (steps.size() == 1) return std::shared_ptr<const xfr::ZoneDiff>(steps.front());
            auto condensed = xfr::condense(steps);
            if (condensed) {
                auto shared = std::make_shared<const xfr::ZoneDiff>(std::move(*condensed));
                remember(key, shared);
                return std::shared_ptr<const xfr::ZoneDiff>(shared);
            }
        }
    }

    auto from = version(zone, *fromVersion);
    if (!from) return fail(from.error());
    auto to = current(zone);
    if (!to) return fail(to.error());
    auto diff = xfr::diffZones(**from, **to);
    if (!diff) return fail(diff.error());
    auto shared = std::make_shared<const xfr::ZoneDiff>(std::move(*diff));
    remember(key, shared);
    return std::shared_ptr<const xfr::ZoneDiff>(shared);
}

std::size_t ZoneSource::cachedVersions() const {
    std::lock_guard lock(mutex_);
    return parsed_.size();
}

}  // namespace dnsfleet::controld::primary
