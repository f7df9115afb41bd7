-- +goose Up
-- What the retention jobs look for: closed calls that still hold a
-- location, and finished requests (whose attachments expire). SQLite keeps
-- times as text, so the jobs compare julianday() values.
CREATE INDEX assistance_calls_located ON assistance_calls (julianday(closed_at))
    WHERE lat IS NOT NULL AND status IN ('resolved', 'cancelled');
CREATE INDEX service_requests_closed ON service_requests (julianday(closed_at))
    WHERE closed_at IS NOT NULL;

-- +goose Down
DROP INDEX service_requests_closed;
DROP INDEX assistance_calls_located;
