-- A grant's visits, counted from the log beside it (see the main migration 11 on
-- PostgreSQL): each entry of a call under a grant says how many visits it counted.
ALTER TABLE audit_log ADD COLUMN visits INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS grant_visits (
    grant_id INTEGER NOT NULL,
    node_id TEXT NOT NULL,
    day TEXT NOT NULL,
    visits INTEGER NOT NULL,
    PRIMARY KEY (grant_id, node_id, day)
) WITHOUT ROWID;
