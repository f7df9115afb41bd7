-- +goose NO TRANSACTION
-- +goose Up
-- The head's figures count the log entries of a period's shifts by kind:
-- with the kind in the index the count reads the index of those shifts'
-- entries alone, never the whole log (a parallel scan of every entry
-- before, issue 26). Built CONCURRENTLY.
DROP INDEX CONCURRENTLY IF EXISTS shift_entries_shift_kind;
CREATE INDEX CONCURRENTLY shift_entries_shift_kind ON shift_entries (shift_id, kind);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS shift_entries_shift_kind;
