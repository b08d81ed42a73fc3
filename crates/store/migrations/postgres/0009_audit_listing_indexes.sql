-- An organisation's audit listing (its own calls, and the calls to its resources) is
-- read newest first along these indexes, one range for the organisation and one for
-- each of its resources, instead of walking the whole chain. They replace the indexes
-- by time, which no query uses any more (statistics read share_calls).
DROP INDEX audit_log_org;
DROP INDEX audit_log_resource;
CREATE INDEX audit_log_org_seq ON audit_log (node_id, org_id, seq);
CREATE INDEX audit_log_resource_seq ON audit_log (node_id, resource_code, seq);
