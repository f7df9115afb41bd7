-- +goose Up
-- The board asks on every render whether an officer's view of a caller is
-- audited already (one entry per officer, call, way and what was seen):
-- the question is answered from this index, not a scan of the log.
CREATE INDEX audit_entries_actor_action_target ON audit_entries (actor_id, action, target);

-- +goose Down
DROP INDEX audit_entries_actor_action_target;
