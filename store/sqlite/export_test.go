package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"time"
)

// SetClock makes s read the time from now. Call it while no call to s is in
// flight: the writer goroutine reads the clock.
func SetClock(s *Store, now func() time.Time) { s.now = now }

// WriteConn lets the external tests query the write connection.
func WriteConn(s *Store) *sql.Conn { return s.wconn }

// PlayersPage is the query of a page of players, with its arguments.
var PlayersPage = playersPage

// ReadPool lets the external tests reach the read pool's connections.
func ReadPool(s *Store) *sql.DB { return s.read }

// OpenWithMigrations is Open with the migrations in fsys (under
// migrations/) in place of the embedded ones.
func OpenWithMigrations(ctx context.Context, path string, opts Options, fsys fs.FS) (*Store, error) {
	return open(ctx, path, opts, fsys)
}

// Migrations are the embedded migrations.
var Migrations = migrations
