package postgres

import (
	"context"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/purge"
)

// CommitUnknown is what a caller hears of a COMMIT whose answer never came.
const CommitUnknown = commitUnknown

// MigrationLockKey lets the external tests hold a schema's migration lock.
var MigrationLockKey = migrationLockKey

// SetClock makes s read the time from now, which decides when a purge may
// start (keys are dated by the server's clock). Call it while no call to s
// is in flight.
func SetClock(s *Store, now func() time.Time) { s.now = now }

// StopPurges stops s's idempotency-key purges for good.
func StopPurges(s *Store) { s.purger.Close() }

// StartPurge starts a purge of s's expired keys, as a visit at now would.
func StartPurge(s *Store, now time.Time) { s.purger.Maybe(now) }

// WaitPurges waits until no purge of s's is running.
func WaitPurges(s *Store) { s.purger.Wait() }

// DeleteExpiredKeysQuery is the purge's statement.
const DeleteExpiredKeysQuery = deleteExpiredKeysQuery

// DeleteExpiredKeys is s's purge.Delete.
func DeleteExpiredKeys(s *Store) purge.Delete { return s.deleteExpiredKeys }

// Pool lets the external tests query s's pool.
func Pool(s *Store) *pgxpool.Pool { return s.pool }

// PlayersPage is what reads a page of players: queries, each with its
// arguments and the LIMIT it ends in.
func PlayersPage(page game.PlayerPage) (queries []string, args [][]any, err error) {
	parts, err := playersPage(page)
	for _, p := range parts {
		queries = append(queries, p.query)
		args = append(args, append(p.args, page.Limit))
	}
	return queries, args, err
}

// OpenWithMigrations is Open with the migrations in fsys (under
// migrations/) in place of the embedded ones.
func OpenWithMigrations(ctx context.Context, url string, opts Options, fsys fs.FS) (*Store, error) {
	return open(ctx, url, opts, fsys)
}

// Migrations are the embedded migrations.
var Migrations = migrations

// WaitingWrites is how many writes of player id hold or wait for its turn
// in s (see playerTurns).
func WaitingWrites(s *Store, id int64) int { return s.turns.count(id) }

// SetReadOnlyResetEvery spaces s's pool resets after writes refused as
// read-only by every instead of a second. Call it while no call to s is in
// flight.
func SetReadOnlyResetEvery(s *Store, every time.Duration) { s.readOnlyResetEvery = every }

// SetLastReadOnlyReset makes s take its last pool reset after a write
// refused as read-only for one at at.
func SetLastReadOnlyReset(s *Store, at time.Time) { s.lastReadOnlyReset.Store(at.UnixNano()) }
