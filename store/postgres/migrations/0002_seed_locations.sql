-- The four classic locations, inserted once on a new database, in id order.
INSERT INTO locations (name, min_gold, max_gold, description, created_at, updated_at) VALUES
    ('Farm',    10, 20, 'Tend the fields for an honest wage.',    now(), now()),
    ('Cave',     5, 10, 'Search the dark for forgotten coins.',   now(), now()),
    ('House',    2,  5, 'Help around the house for a few coins.', now(), now()),
    ('Casino', -50, 50, 'Bet it all: win big or lose big.',       now(), now());
