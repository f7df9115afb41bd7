-- +goose NO TRANSACTION
-- +goose Up
-- Indexes for a district's year (issue 26), built CONCURRENTLY so writers
-- go on while they build on large tables; each drop first clears an invalid
-- index a failed concurrent build may have left.
--
-- The head's figures: a station's calls of a period (ack times read from
-- the index alone), requests closed in the period and requests still open.
DROP INDEX CONCURRENTLY IF EXISTS assistance_calls_station_created;
CREATE INDEX CONCURRENTLY assistance_calls_station_created ON assistance_calls (station_id, created_at) INCLUDE (acknowledged_at, booth_id);
DROP INDEX CONCURRENTLY IF EXISTS service_requests_station_closed;
CREATE INDEX CONCURRENTLY service_requests_station_closed ON service_requests (station_id, closed_at) WHERE closed_at IS NOT NULL;
DROP INDEX CONCURRENTLY IF EXISTS service_requests_station_open;
CREATE INDEX CONCURRENTLY service_requests_station_open ON service_requests (station_id, created_at) WHERE closed_at IS NULL;
-- The coverage gap job: when a booth's last shift ended.
DROP INDEX CONCURRENTLY IF EXISTS shifts_booth_ended;
CREATE INDEX CONCURRENTLY shifts_booth_ended ON shifts (booth_id, ended_at) WHERE ended_at IS NOT NULL;
-- The prune job: the events past the replay window, without reading the window.
DROP INDEX CONCURRENTLY IF EXISTS events_created;
CREATE INDEX CONCURRENTLY events_created ON events (created_at);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS events_created;
DROP INDEX CONCURRENTLY IF EXISTS shifts_booth_ended;
DROP INDEX CONCURRENTLY IF EXISTS service_requests_station_open;
DROP INDEX CONCURRENTLY IF EXISTS service_requests_station_closed;
DROP INDEX CONCURRENTLY IF EXISTS assistance_calls_station_created;
