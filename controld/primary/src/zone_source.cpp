// The served zones and the catalog, read from the database; parsed versions and diffs cached.
#include "zone_source.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <span>

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
    zone::ParseOptions options;
    options.origin = dnswire::Name::fromUncompressed(apex.wire()).value();
    options.allowInclude = false;
    zone::ZoneBuilder builder(apex);
    auto parsed = zone::parseZoneText(text, options.origin.toText(), options,
                                      [&](const zone::RecordView& r) { return builder.add(r); });
    if (!parsed) {
        std::string message;
        for (const auto& e : parsed.error())
            message += (message.empty() ? "" : "; ") + e.toString();
        return fail(message);
    }
    auto built = builder.build();
    if (!built) {
        std::string message;
        for (const auto& e : built.error())
            message += (message.empty() ? "" : "; ") + e;
        return fail(message);
    }
    return std::move(*built);
}

ZoneSource::ZoneSource(storage::Database& db, dnswire::Name catalogApex,
                       std::size_t maxParsedVersions, std::size_t maxDiffs)
    : db_(db),
      catalogApex_(catalogApex),
      maxParsed_(std::max<std::size_t>(maxParsedVersions, 2)),
      maxDiffs_(std::max<std::size_t>(maxDiffs, 1)) {
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

Result<std::shared_ptr<const zone::Zone>, std::string> ZoneSource::version(const ServedZone& zone,
                                                                           std::int64_t version) {
    const VersionKey key{zone.id, version};
    {
        std::lock_guard lock(mutex_);
        for (auto it = parsed_.begin(); it != parsed_.end(); ++it) {
            if (it->first == key) {
                parsed_.splice(parsed_.begin(), parsed_, it);
                return parsed_.front().second;
            }
        }
    }
    std::optional<std::string> text;
    db_.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        const auto row =
            tx.queryOne("SELECT zone_text FROM zone_versions WHERE zone_id = $1 AND version = $2",
                        {zone.id, version});
        if (row) text = row->text(0);
    });
    if (!text) return fail("version " + std::to_string(version) + " is not stored");
    auto parsed = parseZoneText(zone.apex, *text);
    if (!parsed) return fail("version " + std::to_string(version) + ": " + parsed.error());
    std::lock_guard lock(mutex_);
    parsed_.emplace_front(key, *parsed);
    while (parsed_.size() > maxParsed_)
        parsed_.pop_back();
    return std::move(*parsed);
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
    {
        std::lock_guard lock(mutex_);
        for (auto it = diffs_.begin(); it != diffs_.end(); ++it) {
            if (it->first == key) {
                diffs_.splice(diffs_.begin(), diffs_, it);
                return diffs_.front().second;
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
    std::lock_guard lock(mutex_);
    diffs_.emplace_front(key, shared);
    while (diffs_.size() > maxDiffs_)
        diffs_.pop_back();
    return std::shared_ptr<const xfr::ZoneDiff>(shared);
}

std::size_t ZoneSource::cachedVersions() const {
    std::lock_guard lock(mutex_);
    return parsed_.size();
}

}  // namespace dnsfleet::controld::primary
