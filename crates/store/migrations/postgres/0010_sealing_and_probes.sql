-- Secrets of the installation, shared by all its nodes: the key that seals the paging
-- cursors and row references handed to consumers (made at the first start).
CREATE TABLE installation_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Probes: queries that test a guessed value of an item the app reads masked, counted
-- per app and day against the probe limit (a filter on a masked item tells the caller
-- whether its guess was right, as one verification does).
CREATE TABLE probe_usage (
    app_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    used BIGINT NOT NULL,
    PRIMARY KEY (app_id, day)
);
