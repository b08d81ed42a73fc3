-- Data calls counted as they are logged, kept beside the log they count (see the main
-- migration 8 on PostgreSQL). The step after this counts the log written before.
CREATE TABLE IF NOT EXISTS share_calls (
    hour TEXT NOT NULL,
    org_id INTEGER NOT NULL,
    resource_code TEXT NOT NULL,
    outcome TEXT NOT NULL,
    calls INTEGER NOT NULL,
    rows_served INTEGER NOT NULL,
    PRIMARY KEY (hour, org_id, resource_code, outcome)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS share_calls_through (
    node_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
) WITHOUT ROWID;
