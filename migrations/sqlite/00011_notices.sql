-- +goose Up
-- Community notices: what a station's staff publish to the residents of its
-- area (the whole station, or the booths in notice_booths). version counts
-- the CAP messages the notice has been sent as: 1 for the first alert, one
-- more for each update and for the withdrawal. announced_at is when it went
-- out live (and, if urgent, by push): at once, or at starts_at for one
-- written ahead.
CREATE TABLE notices (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id      INTEGER NOT NULL REFERENCES stations (id),
    author_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('anti_fraud', 'safety', 'service', 'missing_person')),
    severity        TEXT NOT NULL CHECK (severity IN ('minor', 'moderate', 'severe', 'extreme')),
    urgent          BOOLEAN NOT NULL DEFAULT 0,
    public          BOOLEAN NOT NULL DEFAULT 1,
    language        TEXT NOT NULL CHECK (language IN ('zh-CN', 'en')),
    starts_at       DATETIME NOT NULL,
    expires_at      DATETIME NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    announced_at    DATETIME,
    withdrawn_at    DATETIME,
    withdrawn_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    withdraw_reason TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at      DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK (expires_at > starts_at)
);
CREATE INDEX notices_station ON notices (station_id, expires_at);
CREATE INDEX notices_public ON notices (expires_at) WHERE public;
-- What the announcer claims: notices written ahead whose time has come.
CREATE INDEX notices_unannounced ON notices (starts_at) WHERE announced_at IS NULL AND withdrawn_at IS NULL;

-- The booths a notice is for; none: the whole station.
CREATE TABLE notice_booths (
    notice_id  INTEGER NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    booth_id   INTEGER NOT NULL REFERENCES booths (id),
    station_id INTEGER NOT NULL REFERENCES stations (id),
    PRIMARY KEY (notice_id, booth_id)
);
CREATE INDEX notice_booths_booth ON notice_booths (booth_id);

-- Every message a notice went out as: the first alert, each update, the
-- withdrawal. at is the CAP "sent" of that message, which later messages
-- reference.
CREATE TABLE notice_revisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    notice_id  INTEGER NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    station_id INTEGER NOT NULL REFERENCES stations (id),
    version    INTEGER NOT NULL,
    msg_type   TEXT NOT NULL CHECK (msg_type IN ('Alert', 'Update', 'Cancel')),
    actor_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    at         DATETIME NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    UNIQUE (notice_id, version)
);

-- What each resident did with a notice: it reached them (listed or pushed),
-- they opened it, they acknowledged it. Personal: it goes with the account.
CREATE TABLE notice_receipts (
    notice_id       INTEGER NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    station_id      INTEGER NOT NULL REFERENCES stations (id),
    received_at     DATETIME NOT NULL,
    read_at         DATETIME,
    acknowledged_at DATETIME,
    PRIMARY KEY (notice_id, user_id)
);
CREATE INDEX notice_receipts_user ON notice_receipts (user_id);

-- +goose Down
DROP TABLE notice_receipts;
DROP TABLE notice_revisions;
DROP TABLE notice_booths;
DROP TABLE notices;
