-- The fleet (R-02, R-16): the edge servers controld distributes zones to, the change ids whose
-- sync status the API reports, and what each edge last answered for each zone.
CREATE TABLE edges (
    id {{ID}},
    name TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL,
    address TEXT NOT NULL,                      -- host:port of the edge's management listener
    created_at BIGINT NOT NULL
);

-- One row per new zone version (apply, restore, create, delete). No foreign key to zones: the
-- change of a deleted zone outlives the zone's row.
CREATE TABLE changes (
    id {{ID}},
    contract_id BIGINT NOT NULL,
    zone_id BIGINT NOT NULL,
    zone_name TEXT NOT NULL,                    -- canonical, lower-case, final dot
    serial BIGINT NOT NULL,                     -- the new SOA serial (0..2^32-1)
    created_at BIGINT NOT NULL,
    insync_at BIGINT                            -- NULL while PENDING
);
CREATE INDEX changes_pending ON changes (insync_at, id);
CREATE INDEX changes_contract ON changes (contract_id, id);

-- The last answer of each edge to the SOA query for each zone (or NULL serial when the edge
-- does not serve the zone), written by the sync poller.
CREATE TABLE edge_sync (
    edge_id BIGINT NOT NULL REFERENCES edges (id) ON DELETE CASCADE,
    zone_id BIGINT NOT NULL,
    serial BIGINT,
    served BIGINT NOT NULL DEFAULT 0,           -- 1 when the edge answered authoritatively
    reachable BIGINT NOT NULL,
    checked_at BIGINT NOT NULL,
    PRIMARY KEY (edge_id, zone_id)
);

-- The catalog zone's serial (one row, id 1): bumped when the set of served zones changes, kept
-- here so that it never goes back across restarts.
CREATE TABLE fleet_catalog (
    id BIGINT PRIMARY KEY,
    serial BIGINT NOT NULL,
    members_digest TEXT NOT NULL,               -- SHA-256 of the sorted member names
    updated_at BIGINT NOT NULL
);
