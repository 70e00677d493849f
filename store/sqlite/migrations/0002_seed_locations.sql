-- The four classic locations, inserted once on a new database.
INSERT INTO locations (name, min_gold, max_gold, description, created_at, updated_at) VALUES
    ('Farm',   10, 20, 'Tend the fields for an honest wage.',   CAST(unixepoch('subsec') * 1000000 AS INTEGER), CAST(unixepoch('subsec') * 1000000 AS INTEGER)),
    ('Cave',    5, 10, 'Search the dark for forgotten coins.',  CAST(unixepoch('subsec') * 1000000 AS INTEGER), CAST(unixepoch('subsec') * 1000000 AS INTEGER)),
    ('House',   2,  5, 'Help around the house for a few coins.', CAST(unixepoch('subsec') * 1000000 AS INTEGER), CAST(unixepoch('subsec') * 1000000 AS INTEGER)),
    ('Casino', -50, 50, 'Bet it all: win big or lose big.',     CAST(unixepoch('subsec') * 1000000 AS INTEGER), CAST(unixepoch('subsec') * 1000000 AS INTEGER));
