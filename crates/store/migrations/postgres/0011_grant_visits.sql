-- A grant's visits are counted from the audit log: each entry of a call under a grant
-- says how many visits it counted, and the log's entries are added up per grant,
-- node and day (China time) in the transaction that moves the count mark
-- (share_calls_through), as the data calls are. share_grants.used_total and
-- grant_usage keep what was counted before, and no longer grow.
ALTER TABLE audit_log ADD COLUMN visits BIGINT NOT NULL DEFAULT 0;
CREATE TABLE grant_visits (
    grant_id BIGINT NOT NULL,
    node_id TEXT NOT NULL,
    day TEXT NOT NULL,
    visits BIGINT NOT NULL,
    PRIMARY KEY (grant_id, node_id, day)
);
-- Visits a node may answer under a grant on a day: together never more than the
-- grant's quotas allow. A node takes leases as it needs them and gives back what it
-- did not use.
CREATE TABLE grant_leases (
    grant_id BIGINT NOT NULL REFERENCES share_grants(id),
    node_id TEXT NOT NULL,
    day TEXT NOT NULL,
    leased BIGINT NOT NULL,
    PRIMARY KEY (grant_id, node_id, day)
);
