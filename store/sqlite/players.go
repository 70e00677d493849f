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
// that continues after a given player: past its gold, sorted by gold (see
// playersPage), past its id otherwise.
var playerOrder = map[game.PlayerSort]struct{ orderBy, after string }{
	game.ByGoldDesc:      {"gold DESC, id ASC", "gold < ?"},
	game.ByGoldAsc:       {"gold ASC, id ASC", "gold > ?"},
	game.ByCreatedAtDesc: {"id DESC", "id < ?"},
	game.ByCreatedAtAsc:  {"id ASC", "id > ?"},
}

// tieRest continues a page sorted by gold within the gold of the player it
// continues after: the players of that gold with a greater id, which the
// gold index holds in that order.
const tieRest = `SELECT ` + playerColumns + ` FROM players WHERE gold = +? AND id > ? ORDER BY id` + pageLimit

func (s *Store) ListPlayers(ctx context.Context, page game.PlayerPage) ([]game.Player, error) {
	if err := s.file.err(); err != nil {
		return nil, err
	}
	parts, err := playersPage(page)
	if err != nil {
		return nil, err
	}
	stmts := make([]*sql.Stmt, len(parts))
	for i, part := range parts {
		if stmts[i], err = s.reads.get(ctx, part.query); err != nil {
			return nil, wrap(err)
		}
	}
	// Two parts read one snapshot, in a read transaction, begun (as in
	// ListVisits) once their statements are had.
	var tx *sql.Tx
	if len(parts) > 1 {
		if tx, err = s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}); err != nil {
			return nil, wrap(err)
		}
		defer tx.Rollback()
	}
	out := make([]game.Player, 0, page.Limit)
	for i, part := range parts {
		if len(out) == page.Limit {
			break
		}
		st := stmts[i]
		if tx != nil {
			st = tx.StmtContext(ctx, st)
		}
		rows, err := st.QueryContext(ctx, append(part.args, page.Limit-len(out))...)
		if err != nil {
			return nil, wrap(err)
		}
		if out, err = scanPlayers(rows, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanPlayers appends rows' players to out and closes rows.
func scanPlayers(rows *sql.Rows, out []game.Player) ([]game.Player, error) {
	defer rows.Close()
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

// pagePart is a query that reads some of a page, with its arguments but
// the last: how many players it is to read at most (its LIMIT).
type pagePart struct {
	query string
	args  []any
}

// playersPage is what reads page, in order. Sorted by gold, a page after a
// player is read in two parts: the rest of that player's gold (tieRest),
// then, while the page is not full, the players past that gold. Each part
// starts where it is to start, in an index: as one condition, "gold < ? OR
// (gold = ? AND id > ?)", SQLite scanned the gold index from the top of the
// board (56 ms for a page 900,000 players down), and "gold <= ? AND (gold <
// ? OR id > ?)" still passed over the players of the cursor's gold with a
// smaller id (123 ms a page inside a tie of 500,000: BENCHMARKS.md).
func playersPage(page game.PlayerPage) ([]pagePart, error) {
	order, ok := playerOrder[page.Sort]
	if !ok {
		return nil, fmt.Errorf("sqlite: unknown player sort %q", page.Sort)
	}
	a := page.After
	if a == nil {
		return []pagePart{{`SELECT ` + playerColumns + ` FROM players ORDER BY ` + order.orderBy + pageLimit, nil}}, nil
	}
	past := `SELECT ` + playerColumns + ` FROM players WHERE ` + order.after + ` ORDER BY ` + order.orderBy + pageLimit
	switch page.Sort {
	case game.ByGoldDesc, game.ByGoldAsc:
		return []pagePart{{tieRest, []any{a.Gold, a.ID}}, {past, []any{a.Gold}}}, nil
	}
	return []pagePart{{past, []any{a.ID}}}, nil
}
