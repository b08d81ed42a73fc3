-- Data calls counted as they are logged (see the PostgreSQL migration). On SQLite the
-- counts live beside the log in the audit file, so they are made, and the log written
-- before counted, when the audit file is opened; nothing changes in this file.
SELECT 1;
