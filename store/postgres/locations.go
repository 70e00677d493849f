package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ninjagold/ninjagold-api/game"
)

const locationColumns = `id, name, min_gold, max_gold, description, version, created_at, updated_at`

func scanLocation(row scanner) (game.Location, error) {
	var l game.Location
	if err := row.Scan(&l.ID, &l.Name, &l.MinGold, &l.MaxGold, &l.Description, &l.Version, &l.CreatedAt, &l.UpdatedAt); err != nil {
		return game.Location{}, err
	}
	l.CreatedAt, l.UpdatedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC()
	return l, nil
}

func (s *Store) ListLocations(ctx context.Context, afterID int64, limit int) ([]game.Location, error) {
	var out []game.Location
	err := s.retry(ctx, func(ctx context.Context) error {
		rows, err := s.pool.Query(ctx,
			`SELECT `+locationColumns+` FROM locations WHERE id > $1 ORDER BY id LIMIT $2`, afterID, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (game.Location, error) { return scanLocation(row) })
		return err
	})
	return out, err
}

func (s *Store) GetLocation(ctx context.Context, id int64) (game.Location, error) {
	var l game.Location
	err := s.retry(ctx, func(ctx context.Context) error {
		var err error
		l, err = scanLocation(s.pool.QueryRow(ctx, `SELECT `+locationColumns+` FROM locations WHERE id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return game.LocationNotFound(id)
		}
		return err
	})
	return l, err
}

// Writes stamp rows with clock_timestamp(), the time of the statement, not
// now(), the start of the transaction: a transaction that waited for a row
// lock must not stamp the row earlier than the one it waited for.

// CreateLocation creates locations one at a time, holding the schema's
// advisory lock for it until the commit, as CreatePlayer does players: the
// list pages by id, which holds only if ids commit in their order. Without
// the lock, a location could commit after one with a larger id, and a
// client paging past that one would never see it.
func (s *Store) CreateLocation(ctx context.Context, f game.LocationFields) (game.Location, error) {
	var l game.Location
	err := s.inTx(ctx, pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.createLocationKey); err != nil {
			return err
		}
		var err error
		l, err = scanLocation(tx.QueryRow(ctx,
			`INSERT INTO locations (name, min_gold, max_gold, description, version, created_at, updated_at)
			 SELECT $1, $2, $3, $4, 1, ts, ts FROM clock_timestamp() AS ts
			 RETURNING `+locationColumns,
			f.Name, f.MinGold, f.MaxGold, f.Description))
		return nameTaken(err)
	})
	return l, err
}

func (s *Store) UpdateLocation(ctx context.Context, id int64, update func(*game.Location) error) (game.Location, error) {
	var l game.Location
	err := s.inTx(ctx, pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx) error {
		if err := s.lockLocation(ctx, tx, id); err != nil {
			return err
		}
		cur, err := scanLocation(tx.QueryRow(ctx, `SELECT `+locationColumns+` FROM locations WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return game.LocationNotFound(id)
		} else if err != nil {
			return err
		}
		changed, err := cur.Apply(update)
		if err != nil {
			return callbackError{err}
		}
		if !changed {
			l = cur // no new version
			return nil
		}
		l, err = scanLocation(tx.QueryRow(ctx,
			`UPDATE locations SET name = $1, min_gold = $2, max_gold = $3, description = $4,
			        version = version + 1, updated_at = clock_timestamp()
			 WHERE id = $5 RETURNING `+locationColumns,
			cur.Name, cur.MinGold, cur.MaxGold, cur.Description, id))
		return nameTaken(err)
	})
	if err != nil {
		return game.Location{}, err
	}
	return l, nil
}

// nameTaken is err, or game.LocationNameTaken for a write to locations that
// broke the unique index on names (locations_by_name, migration 0003).
// Two creates of one name at once: the second waits for the first's commit
// and then breaks it, so it is refused too.
func nameTaken(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "locations_by_name" { // unique_violation
		return game.LocationNameTaken()
	}
	return err
}

func (s *Store) DeleteLocation(ctx context.Context, id int64, check func(game.Location) error) error {
	return s.inTx(ctx, pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx) error {
		if err := s.lockLocation(ctx, tx, id); err != nil {
			return err
		}
		cur, err := scanLocation(tx.QueryRow(ctx, `SELECT `+locationColumns+` FROM locations WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return game.LocationNotFound(id)
		} else if err != nil {
			return err
		}
		if err := check(cur); err != nil {
			return callbackError{err}
		}
		_, err = tx.Exec(ctx, `DELETE FROM locations WHERE id = $1`, id)
		return err
	})
}

// lockLocation takes location id's advisory lock, exclusive, until tx ends,
// for a change to the location; a visit takes it shared (CreateVisit).
// PostgreSQL queues these locks in order, so a change waits for the visits
// that hold the lock and the visits that come after it wait for the change.
// (A row lock would not do: visits sharing a row lock keep taking it ahead
// of a change waiting for it, and a busy location's change would wait until
// it timed out.) The key's second half is the id's low 32 bits: two
// locations sharing them only wait for each other needlessly.
func (s *Store) lockLocation(ctx context.Context, tx pgx.Tx, id int64) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, s.locationLockClass, int32(id))
	return err
}
