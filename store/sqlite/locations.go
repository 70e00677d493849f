package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ninjagold/ninjagold-api/game"
)

const locationColumns = `id, name, min_gold, max_gold, description, version, created_at, updated_at`

func scanLocation(row scanner) (game.Location, error) {
	var l game.Location
	var created, updated int64
	if err := row.Scan(&l.ID, &l.Name, &l.MinGold, &l.MaxGold, &l.Description, &l.Version, &created, &updated); err != nil {
		return game.Location{}, err
	}
	l.CreatedAt, l.UpdatedAt = fromMicros(created), fromMicros(updated)
	return l, nil
}

func (s *Store) ListLocations(ctx context.Context, afterID int64, limit int) ([]game.Location, error) {
	rows, err := s.readRows(ctx,
		`SELECT `+locationColumns+` FROM locations WHERE id > ? ORDER BY id`+pageLimit, afterID, limit)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	out := make([]game.Location, 0, limit)
	for rows.Next() {
		l, err := scanLocation(rows)
		if err != nil {
			return nil, wrap(err)
		}
		out = append(out, l)
	}
	return out, wrap(rows.Err())
}

func (s *Store) GetLocation(ctx context.Context, id int64) (game.Location, error) {
	l, err := scanLocation(s.readRow(ctx, `SELECT `+locationColumns+` FROM locations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return game.Location{}, game.LocationNotFound(id)
	}
	return l, wrap(err)
}

func (s *Store) CreateLocation(ctx context.Context, f game.LocationFields) (game.Location, error) {
	var l game.Location
	err := s.inTx(ctx, func(tx writeTx) error {
		now := micros(s.now())
		var err error
		l, err = scanLocation(tx.QueryRow(
			`INSERT INTO locations (name, min_gold, max_gold, description, version, created_at, updated_at)
			 VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING `+locationColumns,
			f.Name, f.MinGold, f.MaxGold, f.Description, now, now))
		return nameTaken(err)
	})
	return l, err
}

func (s *Store) UpdateLocation(ctx context.Context, id int64, update func(*game.Location) error) (game.Location, error) {
	var l game.Location
	err := s.inTx(ctx, func(tx writeTx) error {
		cur, err := scanLocation(tx.QueryRow(`SELECT `+locationColumns+` FROM locations WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
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
		l, err = scanLocation(tx.QueryRow(
			`UPDATE locations SET name = ?, min_gold = ?, max_gold = ?, description = ?,
			        version = version + 1, updated_at = ?
			 WHERE id = ? RETURNING `+locationColumns,
			cur.Name, cur.MinGold, cur.MaxGold, cur.Description, micros(s.now()), id))
		return nameTaken(err)
	})
	return l, err
}

// nameTaken is err, or game.LocationNameTaken for a write to locations that
// broke the unique index on names (locations_by_name, migration 0005): the
// table's one unique index, the id being its rowid.
func nameTaken(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return game.LocationNameTaken()
	}
	return err
}

func (s *Store) DeleteLocation(ctx context.Context, id int64, check func(game.Location) error) error {
	return s.inTx(ctx, func(tx writeTx) error {
		cur, err := scanLocation(tx.QueryRow(`SELECT `+locationColumns+` FROM locations WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return game.LocationNotFound(id)
		} else if err != nil {
			return err
		}
		if err := check(cur); err != nil {
			return callbackError{err}
		}
		_, err = tx.Exec(`DELETE FROM locations WHERE id = ?`, id)
		return err
	})
}
