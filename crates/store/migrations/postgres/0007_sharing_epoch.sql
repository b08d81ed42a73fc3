-- The sharing epoch: one number that moves whenever anything a sharing decision
-- rests on changes (a resource, a pool's schema, a registration, a grant's scope,
-- validity or revocation, an app's key, expiry or revocation). Nodes keep decided
-- reads in memory and read the epoch in the same statement as the data, so a change
-- made on any node is seen by the very next call.
CREATE TABLE sharing_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO sharing_epoch (id, n) VALUES (1, 1);

CREATE FUNCTION bump_sharing_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sharing_epoch SET n = n + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER epoch_resources AFTER INSERT OR UPDATE OR DELETE ON resources
    FOR EACH STATEMENT EXECUTE FUNCTION bump_sharing_epoch();
CREATE TRIGGER epoch_pools AFTER INSERT OR UPDATE OF schema_json, table_name OR DELETE ON pools
    FOR EACH STATEMENT EXECUTE FUNCTION bump_sharing_epoch();
CREATE TRIGGER epoch_regs AFTER INSERT OR UPDATE OR DELETE ON share_registrations
    FOR EACH STATEMENT EXECUTE FUNCTION bump_sharing_epoch();
CREATE TRIGGER epoch_grants AFTER INSERT OR UPDATE OF scope_json, valid_from, valid_to, daily_quota, total_quota, revoked_at, app_id, resource_id OR DELETE ON share_grants
    FOR EACH STATEMENT EXECUTE FUNCTION bump_sharing_epoch();
CREATE TRIGGER epoch_apps AFTER UPDATE OF key_hash, org_id, expires_at, revoked_at OR DELETE ON apps
    FOR EACH STATEMENT EXECUTE FUNCTION bump_sharing_epoch();

-- Registrations the bureau wants reviewed by hand: for these resources a registered
-- use waits (pending) until the provider approves or rejects it.
CREATE TABLE share_review (
    resource_id BIGINT PRIMARY KEY REFERENCES resources(id),
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
);
ALTER TABLE share_registrations ADD COLUMN answer TEXT NOT NULL DEFAULT '';
ALTER TABLE share_registrations ADD COLUMN answered_by TEXT;
ALTER TABLE share_registrations ADD COLUMN answered_at TEXT;
