-- Zones, their live RRsets, their versions and the per-user drafts (R-04, R-06; issue 4 §4).
-- The primary (fleet) reads zones(id, name, contract_id, current_version, serial, deleted_at)
-- and zone_versions(zone_id, version, serial, zone_text): those names are a contract.

CREATE TABLE zones (
    id {{ID}},
    contract_id BIGINT NOT NULL REFERENCES contracts (id),
    name TEXT NOT NULL,                     -- canonical: lower-case, final dot ("example.com.")
    -- The labels in reverse order ("com.example."), so that the zones below a name are one
    -- index range scan (the cross-contract check at creation).
    reversed_name TEXT NOT NULL,
    default_ttl BIGINT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    labels TEXT NOT NULL DEFAULT '{}',      -- JSON object of string → string
    current_version BIGINT NOT NULL,
    serial BIGINT NOT NULL,                 -- the live SOA serial (0 .. 2^32-1)
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT                       -- set when deleted; the row stays for the fleet
);
-- A name is unique among the zones that exist; a deleted zone's name can be created again.
CREATE UNIQUE INDEX zones_live_name ON zones (name) WHERE deleted_at IS NULL;
CREATE INDEX zones_live_reversed ON zones (reversed_name) WHERE deleted_at IS NULL;
-- Listing one contract's zones by name (the first page of 100k zones, and its count) reads
-- this index only.
CREATE INDEX zones_contract_name ON zones (contract_id, name) WHERE deleted_at IS NULL;

-- Labels once more, one row each, so that the label filter is an index lookup on both backends
-- (the JSON column is what the API shows).
CREATE TABLE zone_labels (
    zone_id BIGINT NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (zone_id, key)
);
CREATE INDEX zone_labels_key_value ON zone_labels (key, value, zone_id);

-- Every version of every zone, kept in full: description, author, time, diff and zone text.
CREATE TABLE zone_versions (
    zone_id BIGINT NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    serial BIGINT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL,                   -- the actor's login ("alice", "system")
    author_id BIGINT NOT NULL DEFAULT 0,    -- the actor's account id (0: system)
    created_at BIGINT NOT NULL,
    diff TEXT NOT NULL DEFAULT '[]',        -- JSON array of RRset changes (SOA not included)
    zone_text TEXT NOT NULL,                -- the full RFC 1035 zone file of the version
    PRIMARY KEY (zone_id, version)
);

-- The live version's RRsets, SOA and apex NS included.
CREATE TABLE rrsets (
    zone_id BIGINT NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    name TEXT NOT NULL,                     -- absolute, canonical
    type TEXT NOT NULL,                     -- canonical mnemonic
    ttl BIGINT NOT NULL,
    records TEXT NOT NULL,                  -- JSON array of {data, comment}
    comment TEXT NOT NULL DEFAULT '',
    changed_in_version BIGINT NOT NULL,     -- the version that last changed this RRset
    PRIMARY KEY (zone_id, name, type)
);

-- One draft per user and zone: the staged changes and the version they started from.
-- account_id is the account of the user (or of the token's user) that stages; no foreign key,
-- so that the zones schema does not depend on the accounts schema's shape.
CREATE TABLE drafts (
    zone_id BIGINT NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL,
    base_version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (zone_id, account_id)
);

CREATE TABLE draft_rrsets (
    zone_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('put', 'delete')),
    ttl BIGINT NOT NULL DEFAULT 0,
    records TEXT NOT NULL DEFAULT '[]',
    comment TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (zone_id, account_id, name, type),
    FOREIGN KEY (zone_id, account_id) REFERENCES drafts (zone_id, account_id) ON DELETE CASCADE
);
