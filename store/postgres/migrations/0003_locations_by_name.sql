-- Location names are unique, compared byte for byte (SQLite's BINARY
-- collation; PostgreSQL's deterministic collations compare equal only what
-- is equal byte for byte too): "Farm" and "farm" are two names. A retried
-- create that was committed the first time is refused, not stored twice.
-- On a schema that already holds two locations of one name this migration
-- fails (naming the index, and the name in "Key (name)=(Farm) is
-- duplicated.") and changes nothing, and the server does not start: rename
-- one of them (with the version before, or psql) and start again.
CREATE UNIQUE INDEX locations_by_name ON locations (name);
