-- Probes counted beside the log (on PostgreSQL they stay in main migration 10's
-- table): a query that filters on a masked item counts its probe here, with the audit
-- file's own writer, so it never waits for a long write to the main file (a pool load
-- building its indexes). The main file's table is left unused on SQLite (the probes
-- of the day of the upgrade are counted afresh).
CREATE TABLE IF NOT EXISTS probe_usage (
    app_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    used BIGINT NOT NULL,
    PRIMARY KEY (app_id, day)
);
