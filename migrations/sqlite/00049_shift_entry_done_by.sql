-- +goose Up
-- Who took the step a system entry of a shift log records (the officer who
-- acknowledged a call, completed a request, published a notice), when it
-- was a member of staff; empty for the system's own steps and residents'.
ALTER TABLE shift_entries ADD COLUMN done_by INTEGER REFERENCES users (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE shift_entries DROP COLUMN done_by;
