-- +goose Up
-- A signed-off shift log is sealed in the database too, not only in code:
-- only a head's note may still be added, and the seal cannot be lifted nor
-- the shift's record changed.
-- +goose StatementBegin
CREATE FUNCTION shift_entries_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind <> 'head_note' AND EXISTS (SELECT 1 FROM shifts WHERE id = NEW.shift_id AND signed_off_at IS NOT NULL) THEN
        RAISE EXCEPTION 'the shift log is signed off and sealed';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER shift_entries_sealed BEFORE INSERT ON shift_entries
    FOR EACH ROW EXECUTE FUNCTION shift_entries_sealed();
-- +goose StatementBegin
CREATE FUNCTION shifts_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.signed_off_at IS DISTINCT FROM OLD.signed_off_at OR NEW.started_at IS DISTINCT FROM OLD.started_at
        OR NEW.ended_at IS DISTINCT FROM OLD.ended_at OR NEW.handover_note IS DISTINCT FROM OLD.handover_note
        OR NEW.officer_id IS DISTINCT FROM OLD.officer_id OR NEW.booth_id IS DISTINCT FROM OLD.booth_id THEN
        RAISE EXCEPTION 'the shift log is signed off and sealed';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER shifts_sealed BEFORE UPDATE ON shifts
    FOR EACH ROW WHEN (OLD.signed_off_at IS NOT NULL) EXECUTE FUNCTION shifts_sealed();

-- +goose Down
DROP TRIGGER shifts_sealed ON shifts;
DROP FUNCTION shifts_sealed();
DROP TRIGGER shift_entries_sealed ON shift_entries;
DROP FUNCTION shift_entries_sealed();
