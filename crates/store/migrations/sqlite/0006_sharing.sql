-- Sharing between government bodies: consumer systems (apps) with hashed API keys,
-- registered uses of unconditional resources, and the audit log, a hash chain per
-- node in which every sharing call, decision, key change and sign-in is an entry.
CREATE TABLE apps (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    key_prefix TEXT NOT NULL UNIQUE,
    key_hash TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
);
CREATE INDEX apps_org ON apps (org_id);

CREATE TABLE share_registrations (
    id INTEGER PRIMARY KEY,
    app_id INTEGER NOT NULL REFERENCES apps(id),
    resource_id INTEGER NOT NULL REFERENCES resources(id),
    purpose TEXT NOT NULL,
    scenario TEXT NOT NULL,
    status TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (app_id, resource_id)
);

CREATE TABLE audit_log (
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
CREATE INDEX audit_log_org ON audit_log (org_id, at);
CREATE INDEX audit_log_resource ON audit_log (resource_code, at);
