-- +goose NO TRANSACTION
-- +goose Up
-- The head's figures count a period's hand-offs to 110/120/119 per
-- station: a partial index of those few timeline entries, so the count
-- never reads every call's timeline (issue 26). Built CONCURRENTLY.
DROP INDEX CONCURRENTLY IF EXISTS call_entries_handoffs;
CREATE INDEX CONCURRENTLY call_entries_handoffs ON call_entries (station_id, at) WHERE kind = 'handoff';

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS call_entries_handoffs;
