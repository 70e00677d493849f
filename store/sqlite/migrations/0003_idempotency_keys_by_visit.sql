-- Deleting a player cascades to their visits and from each visit to its
-- key; without this index every deleted visit scans the whole keys table,
-- inside the one writer, so a player with thousands of visits held every
-- other write for seconds. The PostgreSQL schema has had it from the start.
CREATE INDEX idempotency_keys_by_visit ON idempotency_keys (visit_id);
