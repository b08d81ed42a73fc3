-- Department data pools: one table per resource (created from the catalog, named
-- pool_<resource id>), with the batches that filled them, the rows they refused, and a
-- change feed per pool.
CREATE TABLE pools (
    resource_id INTEGER PRIMARY KEY REFERENCES resources(id),
    table_name TEXT NOT NULL UNIQUE,
    schema_json TEXT NOT NULL,
    row_count INTEGER NOT NULL DEFAULT 0,
    byte_count INTEGER NOT NULL DEFAULT 0,
    last_batch_at TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE pool_batches (
    id INTEGER PRIMARY KEY,
    resource_id INTEGER NOT NULL REFERENCES resources(id),
    client_batch_id TEXT,
    mode TEXT NOT NULL,
    source_name TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    header_json TEXT NOT NULL,
    actor TEXT NOT NULL,
    received INTEGER NOT NULL,
    accepted INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    UNIQUE (resource_id, client_batch_id)
);

CREATE TABLE pool_quarantine (
    batch_id INTEGER NOT NULL REFERENCES pool_batches(id),
    row_number INTEGER NOT NULL,
    column_name TEXT NOT NULL,
    value TEXT NOT NULL,
    reason TEXT NOT NULL,
    row_json TEXT NOT NULL
);
CREATE INDEX pool_quarantine_batch ON pool_quarantine(batch_id, row_number);

CREATE TABLE pool_changes (
    seq INTEGER PRIMARY KEY,
    resource_id INTEGER NOT NULL,
    batch_id INTEGER NOT NULL,
    op TEXT NOT NULL,
    row_key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX pool_changes_resource ON pool_changes(resource_id, seq);

-- Capacity quotas per organisation, over all its pools: rows, and bytes of the stored
-- values (UTF-8). No row here means no limit.
CREATE TABLE org_quotas (
    org_id INTEGER PRIMARY KEY REFERENCES orgs(id),
    max_rows INTEGER,
    max_bytes INTEGER
);
