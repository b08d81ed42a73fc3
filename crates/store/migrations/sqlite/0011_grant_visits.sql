-- Nothing in the main file: a grant's visits are counted from the audit log, which
-- on SQLite is kept in the audit file (its migration 3), and one process serves, so
-- no node takes leases. The number keeps the two backends' migrations in step.
SELECT 1;
