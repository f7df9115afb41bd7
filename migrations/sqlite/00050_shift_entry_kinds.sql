-- +goose Up
-- The head's figures count the log entries of a period's shifts by kind
-- from the index alone (issue 26).
CREATE INDEX shift_entries_shift_kind ON shift_entries (shift_id, kind);

-- +goose Down
DROP INDEX shift_entries_shift_kind;
