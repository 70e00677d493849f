-- The board by gold is read most gold first (GET /players' default), with
-- ids ascending within a gold. An index on (gold, id) holds a gold's ids
-- the other way round when read from the top, so SQLite sorted each gold
-- it reached: a page that reached a large tie (say every player with no
-- gold yet) sorted all of it. This index holds the board in its own order.
-- Least gold first is now the order that sorts each gold; it is the one
-- asked for less. Visits cost the same: each still moves its player in one
-- gold index.
DROP INDEX players_by_gold;
CREATE INDEX players_by_gold ON players (gold DESC, id);
