-- The event log (R-20, R-25): one hash chain per contract (contract_id 0 = the platform's own
-- chain). No foreign key to contracts: the platform chain has no contract row, and the purge of
-- a cancelled contract deletes its log explicitly.
CREATE TABLE events (
    id {{ID}},
    contract_id BIGINT NOT NULL,
    time BIGINT NOT NULL,                       -- microseconds since the epoch, UTC
    actor TEXT NOT NULL,                        -- "user:<login>", "staff:<login>", "token:<id>:<login>", "system", "anonymous"
    source_address TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,                       -- "zone.apply", "auth.login", "access.denied", ...
    target TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL,                       -- "ok", "denied", "failed"
    details TEXT NOT NULL DEFAULT '{}',         -- canonical JSON (sorted keys), hashed as stored
    hash TEXT NOT NULL                          -- hex SHA-256 over the previous hash and this entry
);
CREATE INDEX events_contract_time ON events (contract_id, time);
CREATE INDEX events_contract_id ON events (contract_id, id);

-- Where a chain starts after the retention job removed its oldest entries: the hash of the last
-- removed entry, so that the first remaining entry can still be checked.
CREATE TABLE event_anchors (
    contract_id BIGINT PRIMARY KEY,
    hash TEXT NOT NULL,
    removed_through_id BIGINT NOT NULL
);

-- Time-limited, logged grants that let a staff member read one contract's zone data.
CREATE TABLE staff_grants (
    id {{ID}},
    staff_id BIGINT NOT NULL,
    contract_id BIGINT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX staff_grants_live ON staff_grants (contract_id, staff_id, expires_at);
