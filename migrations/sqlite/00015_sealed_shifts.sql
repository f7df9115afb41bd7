-- +goose Up
-- A signed-off shift log is sealed in the database too, not only in code:
-- only a head's note may still be added, and the seal cannot be lifted nor
-- the shift's record changed.
-- +goose StatementBegin
CREATE TRIGGER shift_entries_sealed BEFORE INSERT ON shift_entries
WHEN NEW.kind <> 'head_note' AND (SELECT signed_off_at FROM shifts WHERE id = NEW.shift_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'the shift log is signed off and sealed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER shifts_sealed BEFORE UPDATE ON shifts
WHEN OLD.signed_off_at IS NOT NULL AND (NEW.signed_off_at IS NOT OLD.signed_off_at
    OR NEW.started_at IS NOT OLD.started_at OR NEW.ended_at IS NOT OLD.ended_at OR NEW.handover_note IS NOT OLD.handover_note
    OR NEW.officer_id IS NOT OLD.officer_id OR NEW.booth_id IS NOT OLD.booth_id)
BEGIN
    SELECT RAISE(ABORT, 'the shift log is signed off and sealed');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER shifts_sealed;
DROP TRIGGER shift_entries_sealed;
