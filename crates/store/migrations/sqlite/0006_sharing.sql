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

-- Conditional requests and the grants approvals make. Quotas are counted in the
-- database (used_total, grant_usage per day) so that every node enforces them exactly.
CREATE TABLE share_requests (
    id INTEGER PRIMARY KEY,
    app_id INTEGER NOT NULL REFERENCES apps(id),
    resource_id INTEGER NOT NULL REFERENCES resources(id),
    scope_json TEXT NOT NULL,
    purpose TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    material TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    deadline TEXT NOT NULL,
    asked_more INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    applicant TEXT NOT NULL,
    decided_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    answered_at TEXT
);
CREATE INDEX share_requests_resource ON share_requests (resource_id, state);
CREATE INDEX share_requests_app ON share_requests (app_id);

CREATE TABLE share_grants (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES share_requests(id),
    app_id INTEGER NOT NULL REFERENCES apps(id),
    resource_id INTEGER NOT NULL REFERENCES resources(id),
    scope_json TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    daily_quota INTEGER NOT NULL,
    total_quota INTEGER NOT NULL,
    used_total INTEGER NOT NULL DEFAULT 0,
    revoked_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX share_grants_app ON share_grants (app_id, resource_id);

CREATE TABLE grant_usage (
    grant_id INTEGER NOT NULL REFERENCES share_grants(id),
    day TEXT NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (grant_id, day)
);

-- Error reports (纠错): a consumer says a value is wrong; the provider fixes it or
-- says why not, by a deadline; every report is tracked to closure.
CREATE TABLE corrections (
    id INTEGER PRIMARY KEY,
    app_id INTEGER NOT NULL REFERENCES apps(id),
    resource_id INTEGER NOT NULL REFERENCES resources(id),
    row_key TEXT NOT NULL,
    item TEXT NOT NULL,
    proposed TEXT NOT NULL,
    evidence TEXT NOT NULL,
    state TEXT NOT NULL,
    deadline TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    reporter TEXT NOT NULL,
    handler TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX corrections_resource ON corrections (resource_id, state);

-- Days off and working weekends of the answer-deadline calendar (kept by the bureau).
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    working INTEGER NOT NULL
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

-- Each node's public key and its signed checkpoints of its own chain.
CREATE TABLE audit_nodes (
    node_id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE audit_checkpoints (
    node_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    at TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (node_id, seq)
);
