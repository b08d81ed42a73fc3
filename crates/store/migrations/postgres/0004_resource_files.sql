-- File-type resources (电子文件 and the like) keep versioned files. Contents are stored
-- once per checksum, inside the database, so that a version and its bytes commit
-- together and a backup of the database holds everything.
CREATE TABLE file_blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content BYTEA NOT NULL
);

CREATE TABLE resource_files (
    resource_id BIGINT NOT NULL REFERENCES resources(id),
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES file_blobs(sha256),
    note TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    PRIMARY KEY (resource_id, version)
);
