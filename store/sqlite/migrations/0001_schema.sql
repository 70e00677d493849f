-- The game's tables. Timestamps are Unix microseconds (UTC).
CREATE TABLE locations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    min_gold    INTEGER NOT NULL,
    max_gold    INTEGER NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CHECK (min_gold <= max_gold)
);

CREATE TABLE players (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    first_name TEXT    NOT NULL,
    last_name  TEXT    NOT NULL,
    gold       INTEGER NOT NULL DEFAULT 0,
    token_hash BLOB    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE INDEX players_by_gold ON players (gold, id);

-- location_id has no foreign key on purpose: deleting a location keeps the
-- visits, which carry the name and amount they had.
CREATE TABLE visits (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    player_id     INTEGER NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    location_id   INTEGER NOT NULL,
    location_name TEXT    NOT NULL,
    gold          INTEGER NOT NULL,
    balance       INTEGER NOT NULL,
    message       TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX visits_by_player ON visits (player_id, id);

CREATE TABLE idempotency_keys (
    player_id    INTEGER NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    key          TEXT    NOT NULL,
    request_hash BLOB    NOT NULL,
    visit_id     INTEGER NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (player_id, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
