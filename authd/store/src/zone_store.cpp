#include "authd/store/zone_store.hpp"

#include <lmdb.h>

#include <cerrno>
#include <optional>
#include <system_error>
#include <utility>

#include "dnswire/rrtype.hpp"
#include "encoding.hpp"
#include "lmdb_txn.hpp"
#include "zone/builder.hpp"

namespace dnsfleet::authd::store {

namespace {
/// The environment and its databases (the handles stay valid for the environment's life).
struct Handles {
    MDB_env* env = nullptr;
    MDB_dbi meta = 0;
    MDB_dbi zones = 0;
    MDB_dbi snapshot = 0;
    MDB_dbi journal = 0;
};
}  // namespace

struct ZoneStore::Env : Handles {
    std::filesystem::path directory;

    Env() = default;
    Env(const Env&) = delete;
    Env& operator=(const Env&) = delete;
    ~Env() {
        if (env != nullptr) mdb_env_close(env);
    }
};

namespace lmdb {

std::string errorText(int rc, std::string_view what) {
    // LMDB's own codes already read "MDB_MAP_FULL: Environment mapsize limit reached"; errno
    // values get their symbolic name in front so that a log search for ENOSPC finds them.
    std::string text = "store: ";
    switch (rc) {
        case ENOSPC:
            text += "ENOSPC: ";
            break;
        case EIO:
            text += "EIO: ";
            break;
        case EACCES:
            text += "EACCES: ";
            break;
        case ENOMEM:
            text += "ENOMEM: ";
            break;
        case EROFS:
            text += "EROFS: ";
            break;
        case ENOENT:
            text += "ENOENT: ";
            break;
        case EINVAL:
            text += "EINVAL: ";
            break;
        default:
            break;
    }
    text += mdb_strerror(rc);
    text += " (";
    text += what;
    text += ')';
    return text;
}

}  // namespace lmdb

namespace {

using dnswire::NameView;
using encoding::ZoneHeader;
using lmdb::Cursor;
using lmdb::Txn;

using VoidResult = Result<void, std::string>;

std::string zoneError(NameView apex, std::string_view message) {
    return "store: " + apex.toText() + ": " + std::string(message);
}

VoidResult check(int rc, std::string_view what) {
    if (rc != MDB_SUCCESS) return fail(lmdb::errorText(rc, what));
    return {};
}

Result<std::optional<ZoneHeader>, std::string> readHeader(MDB_txn* txn, MDB_dbi zones,
                                                          NameView apex) {
    const auto key = encoding::zoneKey(apex);
    MDB_val k = lmdb::val(key);
    MDB_val v;
    const int rc = mdb_get(txn, zones, &k, &v);
    if (rc == MDB_NOTFOUND) return std::optional<ZoneHeader>();
    if (rc != MDB_SUCCESS) return fail(lmdb::errorText(rc, "reading " + apex.toText()));
    auto header = encoding::decodeHeader(lmdb::bytes(v));
    if (!header) return fail(zoneError(apex, header.error()));
    return std::optional<ZoneHeader>(*header);
}

VoidResult putHeader(MDB_txn* txn, MDB_dbi zones, NameView apex, const ZoneHeader& header) {
    const auto key = encoding::zoneKey(apex);
    const auto value = encoding::encodeHeader(header);
    MDB_val k = lmdb::val(key);
    MDB_val v = lmdb::val(value);
    return check(mdb_put(txn, zones, &k, &v, 0), "writing " + apex.toText());
}

/// Reserves `size` octets under `key` and lets `fill` write them: one copy, straight into the
/// page LMDB will write.
template <class Fill>
VoidResult putReserved(MDB_txn* txn, MDB_dbi dbi, std::span<const std::uint8_t> key,
                       std::size_t size, std::string_view what, Fill&& fill) {
    MDB_val k = lmdb::val(key);
    MDB_val v{size, nullptr};
    DNSFLEET_TRY(check(mdb_put(txn, dbi, &k, &v, MDB_RESERVE), what));
    fill(std::span<std::uint8_t>(static_cast<std::uint8_t*>(v.mv_data), size));
    return {};
}

/// Deletes every key that starts with `prefix` (a zone's chunks or journal entries).
VoidResult deletePrefix(MDB_txn* txn, MDB_dbi dbi, std::span<const std::uint8_t> prefix,
                        std::string_view what) {
    Cursor cursor;
    DNSFLEET_TRY(check(cursor.open(txn, dbi), what));
    // Re-seek after every delete: simpler than reasoning about where a cursor stands after
    // mdb_cursor_del at a page boundary, and a zone has few keys.
    for (;;) {
        MDB_val k = lmdb::val(prefix);
        MDB_val v;
        const int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE);
        if (rc == MDB_NOTFOUND || (rc == MDB_SUCCESS && !lmdb::hasPrefix(k, prefix))) return {};
        DNSFLEET_TRY(check(rc, what));
        DNSFLEET_TRY(check(mdb_cursor_del(cursor.get(), 0), what));
    }
}

/// Replaces the zone's snapshot chunks with `records` and records the fact in `header`.
VoidResult writeSnapshot(MDB_txn* txn, MDB_dbi snapshot, NameView apex,
                         const xfr::RecordList& records, std::uint32_t serial, ZoneHeader& header) {
    const std::string what = "writing the snapshot of " + apex.toText();
    DNSFLEET_TRY(deletePrefix(txn, snapshot, encoding::zoneKey(apex), what));
    const auto chunks = encoding::splitRecords(records.raw());
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        const auto key = encoding::chunkKey(apex, static_cast<std::uint32_t>(i));
        const auto chunk = chunks[i];
        DNSFLEET_TRY(putReserved(txn, snapshot, key, 1 + chunk.size(), what,
                                 [&](std::span<std::uint8_t> out) {
                                     out[0] = encoding::kValueVersion;
                                     std::copy(chunk.begin(), chunk.end(), out.begin() + 1);
                                 }));
    }
    header.snapshotSerial = serial;
    header.snapshotChunks = static_cast<std::uint32_t>(chunks.size());
    header.snapshotRecords = records.size();
    return {};
}

Result<std::uint32_t, std::string> fullVersionSerial(NameView apex,
                                                     const xfr::RecordList& records) {
    if (records.empty() || records.front().type != dnswire::rrtype::SOA)
        return fail(zoneError(apex, "a complete version must start with its SOA"));
    auto serial = encoding::soaSerial(records.front().rdata);
    if (!serial) return fail(zoneError(apex, serial.error()));
    return *serial;
}

}  // namespace

namespace {

/// Reads what the store holds for `apex` in one read transaction: `onRecord(RecordView)` for
/// every snapshot record (views into the map, valid only during the call), then
/// `onDiff(ZoneDiff&&)` for every journal entry, oldest first. Checks that the pieces agree
/// with the header (chunk and record counts, the serial chain), so that a damaged store is
/// reported rather than served half.
template <class OnRecord, class OnDiff>
Result<ZoneHeader, std::string> walkZone(const Handles& env, NameView apex, OnRecord&& onRecord,
                                         OnDiff&& onDiff) {
    const std::string what = "reading " + apex.toText();
    Txn txn;
    DNSFLEET_TRY(check(txn.begin(env.env, true), what));
    auto found = readHeader(txn.get(), env.zones, apex);
    if (!found) return fail(std::move(found).error());
    if (!*found) return fail(zoneError(apex, "not stored"));
    const ZoneHeader header = **found;

    std::uint64_t records = 0;
    for (std::uint32_t chunk = 0; chunk < header.snapshotChunks; ++chunk) {
        const auto key = encoding::chunkKey(apex, chunk);
        MDB_val k = lmdb::val(key);
        MDB_val v;
        const int rc = mdb_get(txn.get(), env.snapshot, &k, &v);
        if (rc == MDB_NOTFOUND) return fail(zoneError(apex, "snapshot chunk missing"));
        DNSFLEET_TRY(check(rc, what));
        auto raw = encoding::chunkRecords(lmdb::bytes(v));
        if (!raw) return fail(zoneError(apex, raw.error()));
        auto count = encoding::forEachRecord(*raw, onRecord);
        if (!count) return fail(zoneError(apex, "snapshot " + count.error()));
        records += *count;
    }
    if (records != header.snapshotRecords)
        return fail(zoneError(apex, "snapshot holds a different number of records"));

    Cursor cursor;
    DNSFLEET_TRY(check(cursor.open(txn.get(), env.journal), what));
    const auto prefix = encoding::zoneKey(apex);
    const auto first = encoding::journalKey(apex, header.journalFirst);
    MDB_val k = lmdb::val(first);
    MDB_val v;
    int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE);
    std::uint32_t serial = header.snapshotSerial;
    std::uint64_t entries = 0;
    while (rc == MDB_SUCCESS && lmdb::hasPrefix(k, prefix)) {
        auto diff = encoding::decodeDiff(lmdb::bytes(v));
        if (!diff) return fail(zoneError(apex, diff.error()));
        if (diff->fromSerial != serial)
            return fail(zoneError(apex, "journal entry from serial " +
                                            std::to_string(diff->fromSerial) + " follows serial " +
                                            std::to_string(serial)));
        serial = diff->toSerial;
        DNSFLEET_TRY(onDiff(std::move(*diff)));
        ++entries;
        rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT);
    }
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) return fail(lmdb::errorText(rc, what));
    if (entries != header.journalCount() || serial != header.serial)
        return fail(zoneError(apex, "journal does not lead to the stored serial"));
    return header;
}

std::string joinErrors(const std::vector<std::string>& errors) {
    std::string text;
    for (const auto& e : errors) {
        if (!text.empty()) text += "; ";
        text += e;
    }
    return text;
}

}  // namespace

ZoneStore::ZoneStore(std::unique_ptr<Env> env) : env_(std::move(env)) {}
ZoneStore::~ZoneStore() = default;

Result<std::unique_ptr<ZoneStore>, std::string> ZoneStore::open(
    const std::filesystem::path& directory, std::size_t mapSize) {
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) return fail("store: cannot create " + directory.string() + ": " + ec.message());

    auto env = std::make_unique<Env>();
    env->directory = directory;
    const std::string what = "opening " + directory.string();
    DNSFLEET_TRY(check(mdb_env_create(&env->env), what));
    DNSFLEET_TRY(check(mdb_env_set_maxdbs(env->env, 4), what));
    DNSFLEET_TRY(check(mdb_env_set_mapsize(env->env, mapSize), what));
    // MDB_NOTLS: read transactions are not tied to the thread that began them, so parallel
    // zone loading on a thread pool cannot run out of reader slots. No MDB_NOSYNC and no
    // MDB_NOMETASYNC: a commit is on stable storage when it returns (see README).
    const int rc = mdb_env_open(env->env, directory.c_str(), MDB_NOTLS, 0600);
    if (rc != MDB_SUCCESS) return fail(lmdb::errorText(rc, what));
    // A reader killed by kill -9 leaves its slot behind; clear such slots now so that they do
    // not pin old pages (and grow the file) for the whole life of this process.
    int dead = 0;
    DNSFLEET_TRY(check(mdb_reader_check(env->env, &dead), what));

    Txn txn;
    DNSFLEET_TRY(check(txn.begin(env->env, false), what));
    DNSFLEET_TRY(check(mdb_dbi_open(txn.get(), "meta", MDB_CREATE, &env->meta), what));
    MDB_val k = lmdb::val(encoding::kFormatKey);
    MDB_val v;
    const int found = mdb_get(txn.get(), env->meta, &k, &v);
    if (found == MDB_NOTFOUND) {
        const auto value = encoding::encodeFormat(kFormatVersion);
        MDB_val nv = lmdb::val(value);
        DNSFLEET_TRY(check(mdb_put(txn.get(), env->meta, &k, &nv, 0), what));
    } else {
        DNSFLEET_TRY(check(found, what));
        auto format = encoding::decodeFormat(lmdb::bytes(v));
        if (!format) return fail("store: " + directory.string() + ": " + format.error());
        if (*format > kFormatVersion) {
            return fail("store format " + std::to_string(*format) +
                        " is newer than this server's (" + std::to_string(kFormatVersion) + ")");
        }
        if (*format == 0) return fail(std::string("store format 0 is unknown"));
    }
    DNSFLEET_TRY(check(mdb_dbi_open(txn.get(), "zones", MDB_CREATE, &env->zones), what));
    DNSFLEET_TRY(check(mdb_dbi_open(txn.get(), "snapshot", MDB_CREATE, &env->snapshot), what));
    DNSFLEET_TRY(check(mdb_dbi_open(txn.get(), "journal", MDB_CREATE, &env->journal), what));
    DNSFLEET_TRY(check(txn.commit(), what));
    return std::unique_ptr<ZoneStore>(new ZoneStore(std::move(env)));
}

Result<std::vector<dnswire::Name>, std::string> ZoneStore::zones() const {
    const std::string what = "listing zones";
    Txn txn;
    DNSFLEET_TRY(check(txn.begin(env_->env, true), what));
    Cursor cursor;
    DNSFLEET_TRY(check(cursor.open(txn.get(), env_->zones), what));
    std::vector<dnswire::Name> names;
    MDB_val k;
    MDB_val v;
    int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST);
    while (rc == MDB_SUCCESS) {
        auto name = dnswire::Name::fromUncompressed(lmdb::bytes(k));
        if (!name) return fail(std::string("store: a zone key is not a domain name"));
        names.push_back(*name);
        rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT);
    }
    if (rc != MDB_NOTFOUND) return fail(lmdb::errorText(rc, what));
    return names;
}

Result<StoredZone, std::string> ZoneStore::read(NameView apex) const {
    StoredZone stored;
    stored.apex = dnswire::Name(apex);
    stored.apex.toLower();
    auto header = walkZone(
        *env_, apex,
        [&](const zone::RecordView& record) -> VoidResult {
            stored.snapshot.add(record);
            return {};
        },
        [&](xfr::ZoneDiff&& diff) -> VoidResult {
            stored.journal.push_back(std::move(diff));
            return {};
        });
    if (!header) return fail(std::move(header).error());
    stored.serial = header->serial;
    stored.lastTransfer = header->lastTransfer;
    return stored;
}

Result<RestoredZone, std::string> ZoneStore::restore(NameView apex) const {
    // The snapshot's records go from the map straight into the builder (no intermediate
    // list). The journal is then applied with xfr::applyDiffs, the same code that applied it
    // when it arrived: it matches removals canonically (RFC 4034 §6.2) and the old SOA by
    // serial, so a raw builder.remove() of the diff's octets could differ from what was served.
    zone::ZoneBuilder builder(apex);
    RestoredZone restored;
    auto header = walkZone(
        *env_, apex, [&](const zone::RecordView& record) { return builder.add(record); },
        [&](xfr::ZoneDiff&& diff) -> VoidResult {
            restored.journal.push_back(std::move(diff));
            return {};
        });
    if (!header) return fail(std::move(header).error());
    auto built = builder.build();
    if (!built) return fail(zoneError(apex, "snapshot: " + joinErrors(built.error())));
    std::shared_ptr<const zone::Zone> zone = std::move(*built);
    if (!restored.journal.empty()) {
        std::vector<const xfr::ZoneDiff*> steps;
        steps.reserve(restored.journal.size());
        for (const auto& diff : restored.journal)
            steps.push_back(&diff);
        auto applied = xfr::applyDiffs(*zone, steps);
        if (!applied) return fail(zoneError(apex, "journal: " + applied.error()));
        zone = std::move(*applied);
    }
    auto serial = encoding::soaSerial(zone->soa().first());
    if (!serial || *serial != header->serial)
        return fail(zoneError(apex, "the rebuilt zone's SOA serial is not the stored serial"));
    restored.zone = std::move(zone);
    restored.serial = header->serial;
    restored.lastTransfer = header->lastTransfer;
    return restored;
}

Result<std::shared_ptr<const zone::Zone>, std::string> ZoneStore::load(NameView apex) const {
    auto restored = restore(apex);
    if (!restored) return fail(std::move(restored).error());
    return std::move(restored->zone);
}

Result<void, std::string> ZoneStore::storeFull(NameView apex, const xfr::RecordList& records,
                                               std::int64_t now) {
    auto serial = fullVersionSerial(apex, records);
    if (!serial) return fail(std::move(serial).error());
    const std::string what = "writing " + apex.toText();
    Txn txn;
    DNSFLEET_TRY(check(txn.begin(env_->env, false), what));
    ZoneHeader header;
    header.serial = *serial;
    header.lastTransfer = now;
    DNSFLEET_TRY(deletePrefix(txn.get(), env_->journal, encoding::zoneKey(apex), what));
    DNSFLEET_TRY(writeSnapshot(txn.get(), env_->snapshot, apex, records, *serial, header));
    DNSFLEET_TRY(putHeader(txn.get(), env_->zones, apex, header));
    return check(txn.commit(), what);
}

Result<void, std::string> ZoneStore::appendDiffs(NameView apex,
                                                 std::span<const xfr::ZoneDiff> diffs,
                                                 const zone::Zone& result,
                                                 std::size_t compactAfterBytes, std::int64_t now) {
    const std::string what = "appending to the journal of " + apex.toText();
    Txn txn;
    DNSFLEET_TRY(check(txn.begin(env_->env, false), what));
    auto found = readHeader(txn.get(), env_->zones, apex);
    if (!found) return fail(std::move(found).error());
    if (!*found) return fail(zoneError(apex, "not stored, cannot append a diff"));
    ZoneHeader header = **found;

    for (const xfr::ZoneDiff& diff : diffs) {
        // A journal that does not chain would make the stored zone unloadable: refuse it here,
        // while the previous version is still intact.
        if (diff.fromSerial != header.serial) {
            return fail(zoneError(apex, "diff from serial " + std::to_string(diff.fromSerial) +
                                            " does not continue the stored serial " +
                                            std::to_string(header.serial)));
        }
        const auto key = encoding::journalKey(apex, header.journalNext);
        DNSFLEET_TRY(
            putReserved(txn.get(), env_->journal, key, encoding::diffSize(diff), what,
                        [&](std::span<std::uint8_t> out) { encoding::encodeDiff(diff, out); }));
        ++header.journalNext;
        header.journalBytes += diff.bytes();
        header.serial = diff.toSerial;
    }
    auto resultSerial = encoding::soaSerial(result.soa().first());
    if (!resultSerial || *resultSerial != header.serial) {
        return fail(zoneError(apex, "the resulting zone's serial is not the last diff's"));
    }
    if (header.journalBytes > compactAfterBytes) {
        const xfr::RecordList records = xfr::zoneRecords(result);
        DNSFLEET_TRY(deletePrefix(txn.get(), env_->journal, encoding::zoneKey(apex), what));
        DNSFLEET_TRY(
            writeSnapshot(txn.get(), env_->snapshot, apex, records, header.serial, header));
        header.journalFirst = header.journalNext;
        header.journalBytes = 0;
    }
    header.lastTransfer = now;
    DNSFLEET_TRY(putHeader(txn.get(), env_->zones, apex, header));
    return check(txn.commit(), what);
}

Result<void, std::string> ZoneStore::remove(NameView apex) {
    const std::string what = "removing " + apex.toText();
    Txn txn;
    DNSFLEET_TRY(check(txn.begin(env_->env, false), what));
    const auto key = encoding::zoneKey(apex);
    MDB_val k = lmdb::val(key);
    const int rc = mdb_del(txn.get(), env_->zones, &k, nullptr);
    if (rc != MDB_NOTFOUND) DNSFLEET_TRY(check(rc, what));
    DNSFLEET_TRY(deletePrefix(txn.get(), env_->snapshot, key, what));
    DNSFLEET_TRY(deletePrefix(txn.get(), env_->journal, key, what));
    return check(txn.commit(), what);
}

std::size_t ZoneStore::fileSize() const noexcept {
    std::error_code ec;
    const auto size = std::filesystem::file_size(env_->directory / "data.mdb", ec);
    return ec ? 0 : static_cast<std::size_t>(size);
}

}  // namespace dnsfleet::authd::store
