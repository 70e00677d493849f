-- The game's tables: the same shape and rules as the SQLite store's, in
-- PostgreSQL's types. Timestamps are timestamptz (microseconds, UTC inside).
CREATE TABLE locations (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL,
    min_gold    integer     NOT NULL,
    max_gold    integer     NOT NULL,
    description text        NOT NULL DEFAULT '',
    version     bigint      NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CHECK (min_gold <= max_gold)
);

CREATE TABLE players (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_name text        NOT NULL,
    last_name  text        NOT NULL,
    gold       bigint      NOT NULL DEFAULT 0,
    token_hash bytea       NOT NULL UNIQUE,
    created_at timestamptz NOT NULL
);
-- One index per gold order: PostgreSQL cannot read (gold, id) backwards as
-- gold DESC, id ASC, and "-gold" is the leaderboard everyone asks for.
CREATE INDEX players_by_gold ON players (gold, id);
CREATE INDEX players_by_gold_desc ON players (gold DESC, id);

-- location_id has no foreign key on purpose: deleting a location keeps the
-- visits, which carry the name and amount they had.
CREATE TABLE visits (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    player_id     bigint      NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    location_id   bigint      NOT NULL,
    location_name text        NOT NULL,
    gold          integer     NOT NULL,
    balance       bigint      NOT NULL,
    message       text        NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE INDEX visits_by_player ON visits (player_id, id);

CREATE TABLE idempotency_keys (
    player_id    bigint      NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    key          text        NOT NULL,
    request_hash bytea       NOT NULL,
    visit_id     bigint      NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (player_id, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
-- Deleting a player cascades to their visits and from each visit to its
-- key; without this index every deleted visit would scan the keys.
CREATE INDEX idempotency_keys_by_visit ON idempotency_keys (visit_id);
