package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"

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
		return game.Player{}, game.PlayerNotFound(id)
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
// playersPage), past its id otherwise. Least gold first is read by the gold
// index backwards, each gold's ids greatest first, and put in order once
// read (see pagePart.idsDown).
var playerOrder = map[game.PlayerSort]struct{ orderBy, after string }{
	game.ByGoldDesc:      {"gold DESC, id ASC", "gold < ?"},
	game.ByGoldAsc:       {"gold ASC, id DESC", "gold > ?"},
	game.ByCreatedAtDesc: {"id DESC", "id < ?"},
	game.ByCreatedAtAsc:  {"id ASC", "id > ?"},
}

// tieRest continues a page sorted by gold within the gold of the player it
// continues after: the players of that gold with a greater id, which the
// gold index holds in that order. From math.MinInt64 it reads a gold from
// its first player (ids are positive).
const tieRest = `SELECT ` + playerColumns + ` FROM players WHERE gold = +? AND id > ? ORDER BY id` + pageLimit

// leastGold is the gold of the players at the bottom of the board, which
// SQLite reads from the end of the gold index (NULL with no player), and
// leastGoldFirst is tieRest from the first player of that gold.
const (
	leastGold      = `(SELECT min(gold) FROM players)`
	leastGoldFirst = `SELECT ` + playerColumns + ` FROM players WHERE gold = ` + leastGold + ` ORDER BY id` + pageLimit
)

func (s *Store) ListPlayers(ctx context.Context, page game.PlayerPage) ([]game.Player, error) {
	if err := s.file.err(); err != nil {
		return nil, err
	}
	parts, err := playersPage(page)
	if err != nil {
		return nil, err
	}
	stmts, reread, err := s.pageStatements(ctx, page.Sort, parts)
	if err != nil {
		return nil, err
	}
	// More than one read sees one snapshot, in a read transaction, begun
	// once their statements are had: preparing one takes a connection of
	// its own, and with every reader inside such a transaction none would
	// come back.
	var tx *sql.Tx
	if len(parts) > 1 || reread != nil {
		if tx, err = s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}); err != nil {
			return nil, wrap(err)
		}
		defer tx.Rollback()
		if reread != nil {
			reread = tx.StmtContext(ctx, reread)
		}
	}
	out := make([]game.Player, 0, page.Limit+1)
	for i, part := range parts {
		if len(out) == page.Limit {
			break
		}
		st := stmts[i]
		if tx != nil {
			st = tx.StmtContext(ctx, st)
		}
		if out, err = readPart(ctx, st, reread, part, out, page.Limit); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pageStatements returns the prepared statements of parts, in order, and,
// for a page of least gold first, reread: the statement that reads a gold
// again from its first player (see pagePart.idsDown).
func (s *Store) pageStatements(ctx context.Context, sort game.PlayerSort, parts []pagePart) (stmts []*sql.Stmt, reread *sql.Stmt, err error) {
	stmts = make([]*sql.Stmt, len(parts))
	for i, part := range parts {
		if stmts[i], err = s.reads.get(ctx, part.query); err != nil {
			return nil, nil, wrap(err)
		}
	}
	if sort == game.ByGoldAsc {
		if reread, err = s.reads.get(ctx, tieRest); err != nil {
			return nil, nil, wrap(err)
		}
	}
	return stmts, reread, nil
}

// readPart appends to out what part, through its statement st, reads of a
// page of limit players. A part read least gold first (idsDown) reads one
// player past the page, puts each gold's players in the order of their
// ids, and reads the page's last gold again through reread when the page
// may have ended inside it.
func readPart(ctx context.Context, st, reread *sql.Stmt, part pagePart, out []game.Player, limit int) ([]game.Player, error) {
	from, want := len(out), limit-len(out)
	n := want
	if part.idsDown {
		n++ // one player past the page says if its last gold was read whole
	}
	rows, err := st.QueryContext(ctx, append(part.args, n)...)
	if err != nil {
		return nil, wrap(err)
	}
	if out, err = scanPlayers(rows, out); err != nil || !part.idsDown {
		return out, err
	}
	read := out[from:]
	last := idsUp(read)
	if len(read) <= want {
		return out, nil // every gold read whole
	}
	// The player past the page goes, and so does the page's last gold
	// unless that player began another: it may hold more players than were
	// read, with smaller ids, and is read again from its first.
	gold := read[last].Gold
	out = out[:from+last]
	if last == want {
		return out, nil
	}
	rows, err = reread.QueryContext(ctx, gold, int64(math.MinInt64), limit-len(out))
	if err != nil {
		return nil, wrap(err)
	}
	return scanPlayers(rows, out)
}

// idsUp puts each gold's players in ps, read by gold with ids greatest
// first, in the order of their ids, and says where the last gold's start.
func idsUp(ps []game.Player) (last int) {
	for i := range ps {
		if i > 0 && ps[i].Gold != ps[i-1].Gold {
			slices.Reverse(ps[last:i])
			last = i
		}
	}
	slices.Reverse(ps[last:])
	return last
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
	// idsDown marks a part that reads least gold first by the gold index,
	// which holds the board most gold first: backwards, so each gold's ids
	// come greatest first. readPart reads one player more than the page
	// holds, turns each gold's round (idsUp) and, when that player shares
	// the page's last gold, reads the gold again from its first id
	// (tieRest), as the page may have ended inside it. Sorted as
	// the page is, "ORDER BY gold, id", SQLite sorted every gold the page
	// reached, however many players it held: 465 ms for a first page out
	// of half a million players with no gold (docs/benchmarks-history.md). A second
	// index on gold would make each visit move its player in two.
	idsDown bool
}

// playersPage is what reads page, in order (least gold first, a part may
// be followed by a read of its last gold: see pagePart.idsDown). Sorted by
// gold, a page after a player is read in two parts: the rest of that
// player's gold (tieRest), then, while the page is not full, the players
// past that gold. Each part starts where it is to start, in an index: as
// one condition, "gold < ? OR (gold = ? AND id > ?)", SQLite scanned the
// gold index from the top of the board (56 ms for a page 900,000 players
// down), and "gold <= ? AND (gold < ? OR id > ?)" still passed over the
// players of the cursor's gold with a smaller id (123 ms a page inside a
// tie of 500,000: docs/benchmarks-history.md).
func playersPage(page game.PlayerPage) ([]pagePart, error) {
	order, ok := playerOrder[page.Sort]
	if !ok {
		return nil, fmt.Errorf("sqlite: unknown player sort %q", page.Sort)
	}
	idsDown := page.Sort == game.ByGoldAsc
	a := page.After
	switch {
	case a == nil && idsDown:
		// Least gold first, the first page is read as the pages after a
		// cursor are, from just before the first player of the least
		// gold: that gold by id, then the players past it. Read from the
		// bottom of the board as one part, a first page inside a gold
		// held by more players than the page was read twice: players
		// from the gold's end, then, since they shared the page's last
		// gold, the gold again from its first id
		// (docs/benchmarks-history.md, "Twenty-ninth session").
		pastLeast := `SELECT ` + playerColumns + ` FROM players WHERE gold > ` + leastGold + ` ORDER BY ` + order.orderBy + pageLimit
		return []pagePart{{query: leastGoldFirst}, {query: pastLeast, idsDown: true}}, nil
	case a == nil:
		return []pagePart{{query: `SELECT ` + playerColumns + ` FROM players ORDER BY ` + order.orderBy + pageLimit}}, nil
	}
	past := `SELECT ` + playerColumns + ` FROM players WHERE ` + order.after + ` ORDER BY ` + order.orderBy + pageLimit
	switch page.Sort {
	case game.ByGoldDesc, game.ByGoldAsc:
		return []pagePart{{query: tieRest, args: []any{a.Gold, a.ID}}, {query: past, args: []any{a.Gold}, idsDown: idsDown}}, nil
	}
	return []pagePart{{query: past, args: []any{a.ID}}}, nil
}
