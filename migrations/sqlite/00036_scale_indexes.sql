-- +goose Up
-- Indexes for a district's year (issue 26): the head's figures (a
-- station's calls of a period, requests closed in it and still open), the
-- coverage gap job (a booth's last shift) and the prune job (events past
-- the replay window).
CREATE INDEX assistance_calls_station_created ON assistance_calls (station_id, created_at, acknowledged_at, booth_id);
CREATE INDEX service_requests_station_closed ON service_requests (station_id, closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX service_requests_station_open ON service_requests (station_id, created_at) WHERE closed_at IS NULL;
CREATE INDEX shifts_booth_ended ON shifts (booth_id, ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX events_created ON events (created_at);

-- +goose Down
DROP INDEX events_created;
DROP INDEX shifts_booth_ended;
DROP INDEX service_requests_station_open;
DROP INDEX service_requests_station_closed;
DROP INDEX assistance_calls_station_created;
