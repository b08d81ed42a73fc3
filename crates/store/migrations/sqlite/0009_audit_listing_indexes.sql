-- The audit listing's indexes (see the PostgreSQL migration). On SQLite the log lives
-- in the audit file, whose indexes are made when it is opened; nothing changes here.
SELECT 1;
