package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ninjagold/ninjagold-api/game"
)

const playerColumns = `id, first_name, last_name, gold, created_at`

func scanPlayer(row scanner) (game.Player, error) {
	var p game.Player
	var created int64
	if err := row.Scan(&p.ID, &p.FirstName, &p.LastName, &p.Gold, &created); err != nil {
		return game.Player{}, err
	}
	p.CreatedAt = fromMicros(created)
	return p, nil
}

func playerNotFound(id int64) error {
	return game.Errorf(game.ENOTFOUND, "Player %d does not exist.", id)
}

func (s *Store) CreatePlayer(ctx context.Context, np game.NewPlayer) (game.Player, error) {
	p := game.Player{FirstName: np.FirstName, LastName: np.LastName}
	err := s.inTx(ctx, func(tx writeTx) error {
		// The row holds exactly what is given: only its id is new (see
		// insertVisit).
		now := micros(s.now())
		res, err := tx.Exec(
			`INSERT INTO players (first_name, last_name, gold, token_hash, created_at)
			 VALUES (?, ?, 0, ?, ?)`,
			np.FirstName, np.LastName, np.TokenHash, now)
		if err != nil {
			return err
		}
		p.ID, err = res.LastInsertId()
		p.CreatedAt = fromMicros(now)
		return err
	})
	if err != nil {
		return game.Player{}, err
	}
	return p, nil
}

func (s *Store) GetPlayer(ctx context.Context, id int64) (game.Player, error) {
	p, err := scanPlayer(s.readRow(ctx, `SELECT `+playerColumns+` FROM players WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return game.Player{}, playerNotFound(id)
	}
	return p, wrap(err)
}

func (s *Store) PlayerIDByTokenHash(ctx context.Context, hash []byte) (int64, error) {
	var id int64
	err := s.readRow(ctx, `SELECT id FROM players WHERE token_hash = ?`, hash).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, game.ErrUnknownToken
	}
	return id, wrap(err)
}

// playerOrder holds, per sort, the ORDER BY clause and the keyset condition
// that continues after a given player. Sorted by gold, the condition bounds
// gold alone first (gold <= ?, gold >= ?), which SQLite searches the gold
// index by; said as "gold < ? OR (gold = ? AND id > ?)" it searched nothing
// and scanned the index from its start, or read every player past the
// cursor and sorted them, so a page cost more the further down the board
// it was.
var playerOrder = map[game.PlayerSort]struct{ orderBy, after string }{
	game.ByGoldDesc:      {"gold DESC, id ASC", "gold <= ? AND (gold < ? OR id > ?)"},
	game.ByGoldAsc:       {"gold ASC, id ASC", "gold >= ? AND (gold > ? OR id > ?)"},
	game.ByCreatedAtDesc: {"id DESC", "id < ?"},
	game.ByCreatedAtAsc:  {"id ASC", "id > ?"},
}

func (s *Store) ListPlayers(ctx context.Context, page game.PlayerPage) ([]game.Player, error) {
	query, args, err := playersPage(page)
	if err != nil {
		return nil, err
	}
	rows, err := s.readRows(ctx, query, args...)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	out := make([]game.Player, 0, page.Limit)
	for rows.Next() {
		p, err := scanPlayer(rows)
		if err != nil {
			return nil, wrap(err)
		}
		out = append(out, p)
	}
	return out, wrap(rows.Err())
}

func (s *Store) ReplaceToken(ctx context.Context, id int64, old, hash []byte) (game.Player, error) {
	var p game.Player
	err := s.inTx(ctx, func(tx writeTx) error {
		var err error
		if old == nil {
			p, err = scanPlayer(tx.QueryRow(`UPDATE players SET token_hash = ? WHERE id = ? RETURNING `+playerColumns, hash, id))
		} else {
			p, err = scanPlayer(tx.QueryRow(`UPDATE players SET token_hash = ? WHERE id = ? AND token_hash = ? RETURNING `+playerColumns, hash, id, old))
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := playerExists(tx, id); err != nil {
			return err
		}
		return game.ErrUnknownToken
	})
	if err != nil {
		return game.Player{}, err
	}
	return p, nil
}

func (s *Store) DeletePlayer(ctx context.Context, id int64, token []byte) error {
	return s.inTx(ctx, func(tx writeTx) error {
		var res sql.Result
		var err error
		if token == nil {
			res, err = tx.Exec(`DELETE FROM players WHERE id = ?`, id)
		} else {
			res, err = tx.Exec(`DELETE FROM players WHERE id = ? AND token_hash = ?`, id, token)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n > 0 {
			return nil
		}
		if err := playerExists(tx, id); err != nil {
			return err
		}
		return game.ErrUnknownToken
	})
}

// playersPage is the query of page, with its arguments.
func playersPage(page game.PlayerPage) (string, []any, error) {
	order, ok := playerOrder[page.Sort]
	if !ok {
		return "", nil, fmt.Errorf("sqlite: unknown player sort %q", page.Sort)
	}
	query := `SELECT ` + playerColumns + ` FROM players`
	var args []any
	if a := page.After; a != nil {
		query += ` WHERE ` + order.after
		switch page.Sort {
		case game.ByGoldDesc, game.ByGoldAsc:
			args = append(args, a.Gold, a.Gold, a.ID)
		default:
			args = append(args, a.ID)
		}
	}
	query += ` ORDER BY ` + order.orderBy + pageLimit
	return query, append(args, page.Limit), nil
}
