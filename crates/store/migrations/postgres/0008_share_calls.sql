-- Data calls counted as they are logged: calls and rows served per hour (UTC),
-- consumer organisation (0 for none), resource and outcome, and for each node the
-- sequence number its entries are counted up to (moved in the transaction that adds
-- to the counts). Statistics read these, and the few entries past the marks, instead
-- of scanning the log. The log written before is counted once, after this statement.
CREATE TABLE share_calls (
    hour TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    resource_code TEXT NOT NULL,
    outcome TEXT NOT NULL,
    calls BIGINT NOT NULL,
    rows_served BIGINT NOT NULL,
    PRIMARY KEY (hour, org_id, resource_code, outcome)
);
CREATE TABLE share_calls_through (
    node_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL
);
