package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
)

const visitColumns = `id, player_id, location_id, location_name, gold, balance, message, created_at`

func scanVisit(row scanner) (game.Visit, error) {
	var v game.Visit
	var created int64
	if err := row.Scan(&v.ID, &v.PlayerID, &v.LocationID, &v.LocationName, &v.Gold, &v.Balance, &v.Message, &created); err != nil {
		return game.Visit{}, err
	}
	v.CreatedAt = fromMicros(created)
	return v, nil
}

func (s *Store) CreateVisit(ctx context.Context, req game.VisitRequest) (game.Visit, bool, error) {
	var (
		visit    game.Visit
		replayed bool
		now      time.Time // the visit's: read in the writer, so visits' times follow their ids (unless the clock is set back)
	)
	err := s.inTx(ctx, func(tx writeTx) (err error) {
		now = s.now()
		if req.IdempotencyKey != "" {
			if visit, replayed, err = keyedVisit(tx, req, now); err != nil || replayed {
				return err
			}
		}
		visit, err = recordVisit(tx, req, now)
		return err
	})
	if err != nil {
		return game.Visit{}, false, err
	}
	if req.IdempotencyKey != "" && !replayed {
		s.purger.Maybe(now)
	}
	return visit, replayed, nil
}

// keyedVisit looks req's idempotency key up, as of now: it returns the
// visit the key recorded and true if the key is live and was used for this
// request, EKEYREUSED if it was used for another, and false if it is not
// live (never used, or expired). A key is replayed for its owner only, so
// it checks the token first.
func keyedVisit(tx writeTx, req game.VisitRequest, now time.Time) (game.Visit, bool, error) {
	if err := checkToken(tx, req); err != nil {
		return game.Visit{}, false, err
	}
	var (
		hash    []byte
		visitID int64
	)
	err := tx.QueryRow(
		`SELECT request_hash, visit_id FROM idempotency_keys WHERE player_id = ? AND key = ? AND created_at >= ?`,
		req.PlayerID, req.IdempotencyKey, keysFrom(now)).Scan(&hash, &visitID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return game.Visit{}, false, nil
	case err != nil:
		return game.Visit{}, false, err
	case !bytes.Equal(hash, req.RequestHash):
		return game.Visit{}, false, game.KeyReused()
	case req.Refuse != nil:
		return game.Visit{}, false, callbackError{req.Refuse}
	}
	v, err := scanVisit(tx.QueryRow(`SELECT `+visitColumns+` FROM visits WHERE id = ?`, visitID))
	return v, err == nil, err
}

// recordVisit records req's visit, made at now, with its key if it has
// one, and moves its gold.
func recordVisit(tx writeTx, req game.VisitRequest, now time.Time) (game.Visit, error) {
	loc, gold, err := visitStartOf(tx, req)
	if err != nil {
		return game.Visit{}, err
	}
	if req.Refuse != nil {
		return game.Visit{}, callbackError{req.Refuse}
	}
	out := req.Roll(loc)
	balance := gold + int64(out.Gold)
	if out.Gold > 0 && balance < gold || out.Gold < 0 && balance > gold {
		// PostgreSQL refuses it too (bigint out of range), writing
		// nothing.
		return game.Visit{}, fmt.Errorf("player %d's gold %d and the visit's %d overflow a 64-bit integer", req.PlayerID, gold, out.Gold)
	}
	if _, err := tx.Exec(`UPDATE players SET gold = ? WHERE id = ?`, balance, req.PlayerID); err != nil {
		return game.Visit{}, err
	}
	visit, err := insertVisit(tx, game.Visit{
		PlayerID: req.PlayerID, LocationID: loc.ID, LocationName: loc.Name,
		Gold: out.Gold, Balance: balance, Message: out.Message,
	}, micros(now))
	if err != nil || req.IdempotencyKey == "" {
		return visit, err
	}
	// keyedVisit found no live key, so a row in the way holds an expired
	// one the purge has not reached yet: it is replaced.
	_, err = tx.Exec(
		`INSERT INTO idempotency_keys (player_id, key, request_hash, visit_id, created_at) VALUES (?, ?, ?, ?, ?)
		 ON CONFLICT (player_id, key) DO UPDATE SET
			request_hash = excluded.request_hash, visit_id = excluded.visit_id, created_at = excluded.created_at`,
		req.PlayerID, req.IdempotencyKey, req.RequestHash, visit.ID, micros(now))
	return visit, err
}

// visitStartOf reads the location and the player's gold req's visit
// starts from (visitStart). One read finds both, holding the token when
// one is given, so the update needs no check of either; when it finds
// nothing, it says what is missing, the worse first: a wrong token, an
// unknown player, then the location.
func visitStartOf(tx writeTx, req game.VisitRequest) (game.Location, int64, error) {
	var (
		loc  game.Location
		gold int64
		err  error
	)
	if req.TokenHash == nil {
		loc, gold, err = scanVisitStart(tx.QueryRow(visitStart+` WHERE l.id = +? AND p.id = +?`,
			req.LocationID, req.PlayerID))
	} else {
		loc, gold, err = scanVisitStart(tx.QueryRow(visitStart+` WHERE l.id = +? AND p.id = +? AND p.token_hash = ?`,
			req.LocationID, req.PlayerID, req.TokenHash))
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return loc, gold, err
	}
	if err := checkToken(tx, req); err != nil {
		return game.Location{}, 0, err
	}
	if err := playerExists(tx, req.PlayerID); err != nil {
		return game.Location{}, 0, err
	}
	return game.Location{}, 0, game.UnknownVisitLocation()
}

// keysFrom is the time (micros) of the oldest idempotency key still
// honoured at now; older ones are expired, whether purged yet or not.
func keysFrom(now time.Time) int64 { return micros(now.Add(-game.IdempotencyKeyTTL)) }

// visitStart reads what a visit starts from: its location, and its
// player's gold. It runs in the writer's transaction, which holds the
// file's write lock from its start (BEGIN IMMEDIATE, so even with
// Options.Shared no other process writes meanwhile): the gold read is the
// gold the update replaces.
//
// Its ids are given as +? (see "Bound values and plans" in stmts.go): both
// tables are searched by rowid whatever they are.
const visitStart = `SELECT l.id, l.name, l.min_gold, l.max_gold, l.description, l.version, l.created_at, l.updated_at, p.gold
	FROM locations l, players p`

func scanVisitStart(row scanner) (loc game.Location, gold int64, err error) {
	var created, updated int64
	if err := row.Scan(&loc.ID, &loc.Name, &loc.MinGold, &loc.MaxGold, &loc.Description, &loc.Version, &created, &updated, &gold); err != nil {
		return game.Location{}, 0, err
	}
	loc.CreatedAt, loc.UpdatedAt = fromMicros(created), fromMicros(updated)
	return loc, gold, nil
}

// insertVisit records v, made at createdAt (micros), and returns it with
// its id and time. The row holds exactly the values given, so they are not
// read back (RETURNING): a query's rows cost a visit more than its insert.
func insertVisit(tx writeTx, v game.Visit, createdAt int64) (game.Visit, error) {
	res, err := tx.Exec(
		`INSERT INTO visits (player_id, location_id, location_name, gold, balance, message, created_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?)`,
		v.PlayerID, v.LocationID, v.LocationName, v.Gold, v.Balance, v.Message, createdAt)
	if err != nil {
		return game.Visit{}, err
	}
	if v.ID, err = res.LastInsertId(); err != nil {
		return game.Visit{}, err
	}
	v.CreatedAt = fromMicros(createdAt)
	return v, nil
}

// checkToken returns nil if req has no TokenHash or the token is the
// player's, and what is wrong otherwise (tokenError).
func checkToken(tx writeTx, req game.VisitRequest) error {
	if req.TokenHash == nil {
		return nil
	}
	var one int
	err := tx.QueryRow(`SELECT 1 FROM players WHERE id = ? AND token_hash = ?`, req.PlayerID, req.TokenHash).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return tokenError(tx, req)
	}
	return err
}

// tokenError says why req.TokenHash is not the token of player
// req.PlayerID, in the order of game.VisitRequest.TokenHash: no player has
// it, the player does not exist, it is another player's.
func tokenError(tx writeTx, req game.VisitRequest) error {
	var owner int64
	err := tx.QueryRow(`SELECT id FROM players WHERE token_hash = ?`, req.TokenHash).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return game.ErrUnknownToken
	} else if err != nil {
		return err
	}
	if err := playerExists(tx, req.PlayerID); err != nil {
		return err
	}
	return game.ErrForeignToken
}

func playerExists(tx writeTx, id int64) error { return playerIn(tx.QueryRow(playerRow, id), id) }

// playerIn is the error, if any, that row, player id's row read with
// playerRow, says: the player's absence when there is none.
func playerIn(row scanner, id int64) error {
	var one int
	err := row.Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return game.PlayerNotFound(id)
	}
	return err
}

// deleteExpiredKeys deletes at most limit expired idempotency keys, the
// oldest first, in a write of its own: the purge.Delete of s. (Its LIMIT is
// +?, as stmts.go's "Bound values and plans" asks: the index gives the
// order, whatever the limit.)
func (s *Store) deleteExpiredKeys(ctx context.Context, limit int) (int64, error) {
	var deleted int64
	err := s.inTx(ctx, func(tx writeTx) error {
		res, err := tx.Exec(`DELETE FROM idempotency_keys WHERE rowid IN
			(SELECT rowid FROM idempotency_keys WHERE created_at < ? ORDER BY created_at LIMIT +?)`,
			keysFrom(s.now()), limit)
		if err != nil {
			return err
		}
		deleted, err = res.RowsAffected()
		return err
	})
	return deleted, err
}

func (s *Store) ListVisits(ctx context.Context, playerID, beforeID int64, limit int) ([]game.Visit, error) {
	// +?: see "Bound values and plans" in stmts.go.
	query := `SELECT ` + visitColumns + ` FROM visits WHERE player_id = +?`
	args := []any{playerID}
	if beforeID > 0 {
		query += ` AND id < ?`
		args = append(args, beforeID)
	}
	query += ` ORDER BY id DESC` + pageLimit
	args = append(args, limit)
	rows, err := s.readRows(ctx, query, args...)
	if err != nil {
		return nil, wrap(err)
	}
	out, err := scanVisits(rows, limit)
	if err != nil || len(out) > 0 {
		return out, err
	}
	// No visits: is there a player? Asked after the page, as GetVisit asks,
	// and not in the page's snapshot, which would cost a read transaction
	// per page: a visit shows its player exists (a player's visits go with
	// it), and an empty page and an answer read later held together at some
	// moment between the two reads (the player's creation or deletion, if
	// either came between).
	if err := playerIn(s.readRow(ctx, playerRow, playerID), playerID); err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

// scanVisits reads at most limit visits from rows and closes rows.
func scanVisits(rows *sql.Rows, limit int) ([]game.Visit, error) {
	defer rows.Close()
	out := make([]game.Visit, 0, limit)
	for rows.Next() {
		v, err := scanVisit(rows)
		if err != nil {
			return nil, wrap(err)
		}
		out = append(out, v)
	}
	return out, wrap(rows.Err())
}

// playerRow finds a player's row, or none.
const playerRow = `SELECT 1 FROM players WHERE id = ?`

func (s *Store) GetVisit(ctx context.Context, playerID, visitID int64) (game.Visit, error) {
	v, err := scanVisit(s.readRow(ctx,
		`SELECT `+visitColumns+` FROM visits WHERE player_id = ? AND id = ?`, playerID, visitID))
	if errors.Is(err, sql.ErrNoRows) {
		return game.Visit{}, noVisit(s.readRow(ctx, playerRow, playerID), playerID, visitID)
	}
	return v, wrap(err)
}

// noVisit is the error for a visit playerID does not have: the player's
// absence when it is the player that does not exist (as ListVisits says),
// read from exists.
func noVisit(exists scanner, playerID, visitID int64) error {
	if err := playerIn(exists, playerID); err != nil {
		return wrap(err)
	}
	return game.VisitNotFound(playerID, visitID)
}
