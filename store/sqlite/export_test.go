package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/purge"
)

// SetClock makes s read the time from now. Call it while no call to s is in
// flight: the writer goroutine reads the clock.
func SetClock(s *Store, now func() time.Time) { s.now = now }

// StopPurges stops s's idempotency-key purges for good.
func StopPurges(s *Store) { s.purger.Close() }

// WaitPurges waits until no purge of s's is running.
func WaitPurges(s *Store) { s.purger.Wait() }

// DeleteExpiredKeys is s's purge.Delete.
func DeleteExpiredKeys(s *Store) purge.Delete { return s.deleteExpiredKeys }

// WriteConn lets the external tests query the write connection.
func WriteConn(s *Store) *sql.Conn { return s.wconn }

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

// ReadPool lets the external tests reach the read pool's connections.
func ReadPool(s *Store) *sql.DB { return s.read }

// OpenWithMigrations is Open with the migrations in fsys (under
// migrations/) in place of the embedded ones.
func OpenWithMigrations(ctx context.Context, path string, opts Options, fsys fs.FS) (*Store, error) {
	return open(ctx, path, opts, fsys)
}

// Migrations are the embedded migrations.
var Migrations = migrations
