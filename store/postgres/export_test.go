package postgres

import (
	"context"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ninjagold/ninjagold-api/game"
)

// MigrationLockKey lets the external tests hold a schema's migration lock.
var MigrationLockKey = migrationLockKey

// MovePurgeBack moves s's last idempotency-key purge d earlier, so that d
// counts towards the wait before its next one, as if d had passed.
func MovePurgeBack(s *Store, d time.Duration) { s.lastPurge.Add(-int64(d / time.Second)) }

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
