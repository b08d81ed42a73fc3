-- The sharing epoch: one number that moves whenever anything a sharing decision
-- rests on changes (a resource, a pool's schema, a registration, a grant's scope,
-- validity or revocation, an app's key, expiry or revocation). Nodes keep decided
-- reads in memory and read the epoch in the same statement as the data, so a change
-- made on any node is seen by the very next call.
CREATE TABLE sharing_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT INTO sharing_epoch (id, n) VALUES (1, 1);

CREATE TRIGGER epoch_resources_ins AFTER INSERT ON resources BEGIN UPDATE sharing_epoch SET n = n + 1; END;
CREATE TRIGGER epoch_resources_upd AFTER UPDATE ON resources BEGIN UPDATE sharing_epoch SET n = n + 1; END;
CREATE TRIGGER epoch_resources_del AFTER DELETE ON resources BEGIN UPDATE sharing_epoch SET n = n + 1; END;
CREATE TRIGGER epoch_pools_ins AFTER INSERT ON pools BEGIN UPDATE sharing_epoch SET n = n + 1; END;
CREATE TRIGGER epoch_pools_upd AFTER UPDATE OF schema_json, table_name ON pools BEGIN UPDATE sharing_epoch SET n = n + 1; END;
CREATE TRIGGER epoch_pools_del AFTER DELETE ON pools BEGIN UPDATE sharing_epoch SET n = n + 1; END;
CREATE TRIGGER epoch_regs_ins AFTER INSERT ON share_registrations BEGIN UPDATE sharing_epoch SET n = n + 1; END;
CREATE TRIGGER epoch_regs_upd AFTER UPDATE ON share_registrations BEGIN UPDATE sharing_epoch SET n = n + 1; END;
CREATE TRIGGER epoch_regs_del AFTER DELETE ON share_registrations BEGIN UPDATE sharing_epoch SET n = n + 1; END;
CREATE TRIGGER epoch_grants_ins AFTER INSERT ON share_grants BEGIN UPDATE sharing_epoch SET n = n + 1; END;
CREATE TRIGGER epoch_grants_upd AFTER UPDATE OF scope_json, valid_from, valid_to, daily_quota, total_quota, revoked_at, app_id, resource_id ON share_grants BEGIN UPDATE sharing_epoch SET n = n + 1; END;
CREATE TRIGGER epoch_grants_del AFTER DELETE ON share_grants BEGIN UPDATE sharing_epoch SET n = n + 1; END;
CREATE TRIGGER epoch_apps_upd AFTER UPDATE OF key_hash, org_id, expires_at, revoked_at ON apps BEGIN UPDATE sharing_epoch SET n = n + 1; END;
CREATE TRIGGER epoch_apps_del AFTER DELETE ON apps BEGIN UPDATE sharing_epoch SET n = n + 1; END;

-- Registrations the bureau wants reviewed by hand: for these resources a registered
-- use waits (pending) until the provider approves or rejects it.
CREATE TABLE share_review (
    resource_id INTEGER PRIMARY KEY REFERENCES resources(id),
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
);
ALTER TABLE share_registrations ADD COLUMN answer TEXT NOT NULL DEFAULT '';
ALTER TABLE share_registrations ADD COLUMN answered_by TEXT;
ALTER TABLE share_registrations ADD COLUMN answered_at TEXT;
