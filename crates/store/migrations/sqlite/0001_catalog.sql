-- The catalog: organisations, classification, resources and their history, themes,
-- users and sessions, and the catalog change feed.
CREATE TABLE orgs (
    id INTEGER PRIMARY KEY,
    credit_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    region_code TEXT NOT NULL,
    parent_id INTEGER REFERENCES orgs(id),
    created_at TEXT NOT NULL
);

CREATE TABLE classes (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent_code TEXT REFERENCES classes(code)
);

CREATE TABLE code_sequences (
    class_code TEXT PRIMARY KEY REFERENCES classes(code),
    last_seq INTEGER NOT NULL
);

CREATE TABLE themes (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE resources (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    classification TEXT NOT NULL REFERENCES classes(code),
    name TEXT NOT NULL,
    owner_org_id INTEGER NOT NULL REFERENCES orgs(id),
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    sharing_type TEXT NOT NULL,
    open_type TEXT NOT NULL,
    format_category TEXT NOT NULL,
    update_cycle TEXT NOT NULL,
    spec_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX resources_owner ON resources(owner_org_id, id);
CREATE INDEX resources_state ON resources(state, id);
CREATE INDEX resources_class ON resources(classification, id);

CREATE TABLE resource_items (
    resource_id INTEGER NOT NULL REFERENCES resources(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    column_name TEXT NOT NULL,
    data_type TEXT NOT NULL,
    length INTEGER NOT NULL,
    is_key INTEGER NOT NULL,
    is_required INTEGER NOT NULL,
    is_sensitive INTEGER NOT NULL,
    PRIMARY KEY (resource_id, position)
);

CREATE TABLE resource_themes (
    resource_id INTEGER NOT NULL REFERENCES resources(id),
    theme_code TEXT NOT NULL REFERENCES themes(code),
    PRIMARY KEY (resource_id, theme_code)
);
CREATE INDEX resource_themes_theme ON resource_themes(theme_code, resource_id);

CREATE TABLE resource_history (
    id INTEGER PRIMARY KEY,
    resource_id INTEGER NOT NULL REFERENCES resources(id),
    version INTEGER NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    actor_id INTEGER,
    actor_name TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    snapshot_json TEXT NOT NULL
);
CREATE INDEX resource_history_resource ON resource_history(resource_id, id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE catalog_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_id INTEGER NOT NULL,
    code TEXT NOT NULL,
    op TEXT NOT NULL,
    at TEXT NOT NULL
);
