-- The change feed of a pool lives in the pool itself: every row carries the sequence
-- number of its last change (_seq, added to existing pool tables by the migration's
-- second step); deletions and whole-pool replacements are kept as tombstones. One
-- counter per pool, advanced by each batch under the pool's lock.
ALTER TABLE pools ADD COLUMN last_seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE pool_tombstones (
    resource_id BIGINT NOT NULL REFERENCES resources(id),
    seq BIGINT NOT NULL,
    batch_id BIGINT NOT NULL,
    op TEXT NOT NULL,
    row_key TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (resource_id, seq)
);

DROP TABLE pool_changes;
