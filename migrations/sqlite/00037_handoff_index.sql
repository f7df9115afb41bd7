-- +goose Up
-- The head's figures count a period's hand-offs to 110/120/119 per
-- station: a partial index of those few timeline entries (issue 26).
CREATE INDEX call_entries_handoffs ON call_entries (station_id, at) WHERE kind = 'handoff';

-- +goose Down
DROP INDEX call_entries_handoffs;
