-- +goose Up
-- Family invitations are offers (#18): the filer of a newborn registration
-- names a phone number; the holder of that number, signed in and verified,
-- accepts or declines. Only an accepted offer puts them in photo_family.
-- The filer is told the same whatever the number, so offers are kept for
-- numbers with no account too.
CREATE TABLE family_invitations (
    id          BIGSERIAL PRIMARY KEY,
    station_id  BIGINT NOT NULL REFERENCES stations (id),
    request_id  BIGINT NOT NULL REFERENCES service_requests (id) ON DELETE CASCADE,
    phone       TEXT NOT NULL,
    invited_by  BIGINT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('offered', 'accepted', 'declined')),
    created_at  TIMESTAMPTZ NOT NULL,
    answered_at TIMESTAMPTZ,
    answered_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (request_id, phone)
);
CREATE INDEX family_invitations_phone ON family_invitations (phone) WHERE status = 'offered';

-- The members invited before offers existed were let in at once: they
-- count as accepted.
INSERT INTO family_invitations (station_id, request_id, phone, invited_by, status, created_at, answered_at, answered_by)
SELECT r.station_id, f.request_id, u.phone, f.invited_by, 'accepted', f.created_at, f.created_at, f.user_id
FROM photo_family f JOIN service_requests r ON r.id = f.request_id JOIN users u ON u.id = f.user_id;

-- +goose Down
DROP TABLE family_invitations;
