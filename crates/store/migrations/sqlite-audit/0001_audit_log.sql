-- The SQLite audit file (beside the database file, `govshare-audit.db`): the audit
-- log, as the main migrations 6 and 9 leave it on PostgreSQL. A file made by an older
-- govshare already has the table; its listing indexes are replaced by the ones the
-- listing reads (an organisation's and each resource's entries, newest first).
CREATE TABLE IF NOT EXISTS audit_log (
    node_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    app_id INTEGER,
    org_id INTEGER,
    action TEXT NOT NULL,
    resource_code TEXT NOT NULL DEFAULT '',
    items TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT '',
    basis TEXT NOT NULL DEFAULT '',
    row_count INTEGER NOT NULL DEFAULT 0,
    digest TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (node_id, seq)
);
DROP INDEX IF EXISTS audit_log_org;
DROP INDEX IF EXISTS audit_log_resource;
CREATE INDEX IF NOT EXISTS audit_log_org_seq ON audit_log (node_id, org_id, seq);
CREATE INDEX IF NOT EXISTS audit_log_resource_seq ON audit_log (node_id, resource_code, seq);
