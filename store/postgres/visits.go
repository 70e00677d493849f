package postgres

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ninjagold/ninjagold-api/game"
)

const visitColumns = `id, player_id, location_id, location_name, gold, balance, message, created_at`

// scanVisit scans a row of visitColumns, and as many more columns as extra
// has destinations.
func scanVisit(row scanner, extra ...any) (game.Visit, error) {
	var v game.Visit
	dest := append([]any{&v.ID, &v.PlayerID, &v.LocationID, &v.LocationName, &v.Gold, &v.Balance, &v.Message, &v.CreatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return game.Visit{}, err
	}
	v.CreatedAt = v.CreatedAt.UTC()
	return v, nil
}

// recordVisit adds $1 gold to player $2's balance and records the visit
// at location $3 (named $4) with message $5 and, unless $6 is empty,
// idempotency key $6 for the request of hash $7. It returns the visit and
// whether its key was stored (true without a key). Data-modifying WITH
// queries run on one snapshot and see each other only through RETURNING:
// the visit takes its balance from the update, the key its visit id. A row
// in the key's way is replaced if it has expired ($8 is the TTL in seconds)
// and the purge has not reached it yet; a live one means something else
// stored the key after the visit looked (see CreateVisit).
const recordVisit = `
	WITH p AS (
		UPDATE players SET gold = gold + $1 WHERE id = $2 RETURNING gold
	), v AS (
		INSERT INTO visits (player_id, location_id, location_name, gold, balance, message, created_at)
		SELECT $2, $3::bigint, $4::text, $1::integer, p.gold, $5::text, clock_timestamp() FROM p
		RETURNING ` + visitColumns + `
	), k AS (
		INSERT INTO idempotency_keys (player_id, key, request_hash, visit_id, created_at)
		SELECT v.player_id, $6::text, $7::bytea, v.id, v.created_at FROM v WHERE $6::text <> ''
		ON CONFLICT (player_id, key) DO UPDATE SET
			request_hash = EXCLUDED.request_hash, visit_id = EXCLUDED.visit_id, created_at = EXCLUDED.created_at
		WHERE idempotency_keys.created_at < EXCLUDED.created_at - $8::bigint * interval '1 second'
		RETURNING visit_id
	)
	SELECT ` + visitColumns + `, $6::text = '' OR EXISTS (SELECT FROM k) FROM v`

func (s *Store) CreateVisit(ctx context.Context, req game.VisitRequest) (game.Visit, bool, error) {
	var (
		visit    game.Visit
		replayed bool
	)
	err := s.inPlayerTx(ctx, req.PlayerID, func(ctx context.Context, tx pgx.Tx) error {
		replayed = false
		if err := s.lockForVisit(ctx, tx, req); err != nil {
			return err
		}
		start, err := readVisitStart(ctx, tx, req)
		if err != nil {
			return err
		}
		switch {
		case start.keyErr == nil && bytes.Equal(start.keyHash, req.RequestHash):
			if req.Refuse != nil {
				return callbackError{req.Refuse}
			}
			replayed = true
			visit, err = scanVisit(tx.QueryRow(ctx, `SELECT `+visitColumns+` FROM visits WHERE id = $1`, start.keyVisit))
			return err
		case start.keyErr == nil:
			return game.KeyReused()
		case !errors.Is(start.keyErr, pgx.ErrNoRows):
			return start.keyErr
		case errors.Is(start.locErr, pgx.ErrNoRows):
			return game.UnknownVisitLocation()
		case start.locErr != nil:
			return start.locErr
		case req.Refuse != nil:
			return callbackError{req.Refuse}
		}
		out := req.Roll(start.loc)

		// The player's gold, the visit and its key, written in one
		// statement. The player lock already keeps a second request with
		// this key out; should anything else have committed the key, the
		// conflict undoes this visit and the retry replays that one.
		var keyed bool
		visit, err = scanVisit(tx.QueryRow(ctx, recordVisit,
			int64(out.Gold), req.PlayerID, start.loc.ID, start.loc.Name, out.Message, req.IdempotencyKey, req.RequestHash, keyTTL), &keyed)
		if err != nil {
			return err
		}
		if req.IdempotencyKey != "" && !keyed {
			return errKeyTaken
		}
		return nil
	})
	if err != nil {
		return game.Visit{}, false, err
	}
	if req.IdempotencyKey != "" && !replayed {
		s.purger.Maybe(s.now())
	}
	return visit, replayed, nil
}

// lockForVisit takes the locks a visit holds until it commits, and checks
// its token. The player's row lock orders this visit after every other
// visit of the player, in any process, that got it first; the statements
// after it then see what those committed (READ COMMITTED takes a new
// snapshot per statement). The row's token settles whether the request may
// visit at all. Once the row is locked, the same statement takes the
// location's lock, shared (see lockLocation): it holds back a change to
// the location until this visit commits, so a change acknowledged is never
// one a later-stamped visit did not see, and the location read after it, a
// later statement, sees any change committed before it. One round trip for
// both locks, always the player's first.
func (s *Store) lockForVisit(ctx context.Context, tx pgx.Tx, req game.VisitRequest) error {
	var tokenHash []byte
	err := tx.QueryRow(ctx, `
		WITH p AS (SELECT token_hash FROM players WHERE id = $1 FOR UPDATE)
		SELECT token_hash, pg_advisory_xact_lock_shared($2, $3)::text FROM p`,
		req.PlayerID, s.locationLockClass, int32(req.LocationID)).Scan(&tokenHash, nil)
	switch {
	case errors.Is(err, pgx.ErrNoRows) && req.TokenHash != nil:
		return tokenError(ctx, tx, req, false)
	case errors.Is(err, pgx.ErrNoRows):
		return game.PlayerNotFound(req.PlayerID)
	case err != nil:
		return err
	case req.TokenHash != nil && !bytes.Equal(tokenHash, req.TokenHash):
		return tokenError(ctx, tx, req, true)
	}
	return nil
}

// visitStart is what a visit reads once its locks are held: its location,
// and its idempotency key's request hash and visit. locErr and keyErr are
// the reads' own errors: pgx.ErrNoRows for no such location, and for no
// live key (or no key sent).
type visitStart struct {
	loc      game.Location
	locErr   error
	keyHash  []byte
	keyVisit int64
	keyErr   error
}

// readVisitStart reads req's visitStart: the location, and the key's
// record if the visit has a key, in two statements, each a snapshot taken
// after the locks, sent together for one round trip once the connection
// has prepared them. (A replay reads the location too, and fails with it
// should that read fail: a database failure, which the retry or a 503
// answers.) Its error is the round trip's.
func readVisitStart(ctx context.Context, tx pgx.Tx, req game.VisitRequest) (visitStart, error) {
	const locationQuery = `SELECT ` + locationColumns + ` FROM locations WHERE id = $1`
	var st visitStart
	if req.IdempotencyKey == "" {
		st.loc, st.locErr = scanLocation(tx.QueryRow(ctx, locationQuery, req.LocationID))
		st.keyErr = pgx.ErrNoRows
		return st, nil
	}
	batch := &pgx.Batch{}
	batch.Queue(`SELECT request_hash, visit_id FROM idempotency_keys
		WHERE player_id = $1 AND key = $2 AND created_at >= clock_timestamp() - $3::bigint * interval '1 second'`,
		req.PlayerID, req.IdempotencyKey, keyTTL)
	batch.Queue(locationQuery, req.LocationID)
	br := tx.SendBatch(ctx, batch)
	st.keyErr = br.QueryRow().Scan(&st.keyHash, &st.keyVisit)
	st.loc, st.locErr = scanLocation(br.QueryRow())
	return st, br.Close()
}

// keyTTL is game.IdempotencyKeyTTL in seconds: a key older than that is
// expired, whether purged yet or not.
const keyTTL = int64(game.IdempotencyKeyTTL / time.Second)

// deleteExpiredKeys deletes at most limit expired idempotency keys, the
// oldest first, in one statement: the purge.Delete of s.
func (s *Store) deleteExpiredKeys(ctx context.Context, limit int) (int64, error) {
	tag, err := s.pool.Exec(ctx, deleteExpiredKeysQuery, keyTTL, limit)
	return tag.RowsAffected(), err
}

// deleteExpiredKeysQuery deletes at most $2 keys older than $1 seconds. It
// skips the keys a visit holds locked (replacing one) rather than wait for
// them. Its time is the statement's: a stable value, so the age is an index
// condition (clock_timestamp(), volatile, would filter every key, live
// ones included), and never later than the clock_timestamp() of a lookup
// that starts after it, so it deletes no key such a lookup would honour.
// (A lookup before it may have honoured a key it then deletes: the replay
// reads its visit, which stays.)
const deleteExpiredKeysQuery = `
	DELETE FROM idempotency_keys k USING (
		SELECT player_id, key FROM idempotency_keys
		WHERE created_at < statement_timestamp() - $1::bigint * interval '1 second'
		ORDER BY created_at LIMIT $2
		FOR UPDATE SKIP LOCKED) old
	WHERE k.player_id = old.player_id AND k.key = old.key`

func (s *Store) ListVisits(ctx context.Context, playerID, beforeID int64, limit int) ([]game.Visit, error) {
	query := `SELECT ` + visitColumns + ` FROM visits WHERE player_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`
	if beforeID <= 0 {
		beforeID = 1<<63 - 1 // from the newest
	}
	var out []game.Visit
	err := s.retry(ctx, func(ctx context.Context) error {
		rows, err := s.pool.Query(ctx, query, playerID, beforeID, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (game.Visit, error) { return scanVisit(row) })
		if err != nil || len(out) > 0 {
			return err
		}
		// No visits: is there a player? Asked after the page, as GetVisit
		// asks, and not in the page's snapshot, which would cost a
		// transaction's two more round trips per page: a visit shows its
		// player exists (a player's visits go with it), and an empty page
		// and an answer read later held together at some moment between
		// the two reads (the player's creation or deletion, if either came
		// between).
		return playerExists(ctx, s.pool, playerID)
	})
	return out, err
}

// tokenError says why req.TokenHash is not the token of player
// req.PlayerID, in the order of game.VisitRequest.TokenHash: no player has
// it, the player does not exist, it is another player's.
func tokenError(ctx context.Context, tx pgx.Tx, req game.VisitRequest, playerExists bool) error {
	var owner int64
	err := tx.QueryRow(ctx, `SELECT id FROM players WHERE token_hash = $1`, req.TokenHash).Scan(&owner)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return game.ErrUnknownToken
	case err != nil:
		return err
	case !playerExists:
		return game.PlayerNotFound(req.PlayerID)
	}
	return game.ErrForeignToken
}

func (s *Store) GetVisit(ctx context.Context, playerID, visitID int64) (game.Visit, error) {
	var v game.Visit
	err := s.retry(ctx, func(ctx context.Context) error {
		var err error
		v, err = scanVisit(s.pool.QueryRow(ctx,
			`SELECT `+visitColumns+` FROM visits WHERE player_id = $1 AND id = $2`, playerID, visitID))
		if errors.Is(err, pgx.ErrNoRows) {
			// The player's absence when it is the player that does not
			// exist, as ListVisits says.
			if err := playerExists(ctx, s.pool, playerID); err != nil {
				return err
			}
			return game.VisitNotFound(playerID, visitID)
		}
		return err
	})
	return v, err
}
