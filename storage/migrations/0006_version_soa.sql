-- Versions stop carrying a copy of the whole zone (R-06; issue 4 §4 and its one-second goal):
-- an apply writes only what it changed, so its cost follows the change, not the zone.
-- A version's full zone text is rebuilt on demand from the live RRsets and the diffs of the
-- later versions (each diff holds whole RRsets before and after), under the version's own SOA
-- kept here. zone_text stays filled for the versions written before this migration and is ''
-- for the later ones.
ALTER TABLE zone_versions ADD COLUMN soa TEXT;  -- JSON of the version's SOA RRset
