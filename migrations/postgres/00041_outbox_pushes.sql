-- +goose Up
-- outbox_messages carries Web Push too: channel says how a message goes
-- ('sms': a text to phone; 'push': an alert to one browser's
-- subscription, body holding its JSON payload). A push is written in the
-- transaction of the change that causes it, one row per subscription, and
-- sent by send_messages with the texts' retries; it is given up when its
-- ttl_seconds end (a push service would drop it then anyway). A
-- subscription that goes takes its pending pushes with it.
ALTER TABLE outbox_messages ADD COLUMN channel TEXT NOT NULL DEFAULT 'sms';
ALTER TABLE outbox_messages ADD COLUMN subscription_id BIGINT REFERENCES push_subscriptions (id) ON DELETE CASCADE;
ALTER TABLE outbox_messages ADD COLUMN urgency TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_messages ADD COLUMN ttl_seconds INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_messages_subscription ON outbox_messages (subscription_id) WHERE subscription_id IS NOT NULL;

-- +goose Down
DROP INDEX outbox_messages_subscription;
ALTER TABLE outbox_messages DROP COLUMN ttl_seconds;
ALTER TABLE outbox_messages DROP COLUMN urgency;
ALTER TABLE outbox_messages DROP COLUMN subscription_id;
ALTER TABLE outbox_messages DROP COLUMN channel;
