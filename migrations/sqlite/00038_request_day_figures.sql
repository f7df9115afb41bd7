-- +goose Up
-- The head's figures over long periods read requests completed per
-- station, booth and local day from here instead of every request of the
-- period (issue 26). The summarize_days job writes each station's days
-- once they are over (a completed request never changes again), up to
-- request_figures_through.day; later days are read live.
CREATE TABLE request_day_figures (
    station_id     INTEGER NOT NULL REFERENCES stations (id),
    booth_id       INTEGER NOT NULL REFERENCES booths (id),
    day            TEXT NOT NULL,
    completed      INTEGER NOT NULL CHECK (completed >= 0),
    completed_late INTEGER NOT NULL CHECK (completed_late >= 0),
    PRIMARY KEY (station_id, day, booth_id)
);

CREATE TABLE request_figures_through (
    station_id INTEGER PRIMARY KEY REFERENCES stations (id),
    day        TEXT NOT NULL
);

-- +goose Down
DROP TABLE request_figures_through;
DROP TABLE request_day_figures;
