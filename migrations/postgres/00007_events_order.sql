-- +goose Up
-- The event readers walk the log in (tx_id, id) order.
CREATE INDEX events_tx_order ON events (tx_id, id);

-- +goose Down
DROP INDEX events_tx_order;
