-- Selection rules (kept in pools.schema_json) can leave rows out of a batch: they are
-- counted as skipped, so that accepted + rejected + skipped = received.
ALTER TABLE pool_batches ADD COLUMN skipped BIGINT NOT NULL DEFAULT 0;
