package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ninjagold/ninjagold-api/store/migration"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrate applies, in order and each in its own transaction, the
// migrations in fsys (migration.Load) not yet recorded in
// schema_migrations, holding the schema's migration lock (see the package
// doc) for the whole run. It returns the schema the tables are in.
// lockTimeout, the pool's statement_timeout setting, bounds each
// migration's wait for a table's lock (see applyMigration). A wait for
// another process's run is logged to log, when not nil.
func migrate(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS, lockTimeout string, log *slog.Logger) (schema string, err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return "", fmt.Errorf("postgres: migrate: %w", err)
	}
	defer conn.Release()

	var current *string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&current); err != nil {
		return "", fmt.Errorf("postgres: migrate: %w", err)
	}
	if current == nil {
		return "", errors.New("postgres: migrate: no schema in search_path exists")
	}
	schema = *current
	// Neither the migrations nor the wait for another instance's are bound
	// by the statement timeout: a CREATE INDEX on a large table may take
	// longer, and an instance starting meanwhile should wait for it, not
	// fail. (The caller's context still bounds both.)
	if _, err := conn.Exec(ctx, `SET statement_timeout = 0`); err != nil {
		return "", fmt.Errorf("postgres: migrate: %w", err)
	}
	defer func() {
		resetCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(resetCtx, `RESET statement_timeout`); err != nil {
			conn.Conn().Close(resetCtx) // not back to the pool without its timeout
		}
	}()
	key := migrationLockKey(schema)
	if err := takeMigrationLock(ctx, conn, key, schema, log); err != nil {
		return "", err
	}
	defer func() {
		// The lock belongs to the session: if it cannot be released, the
		// connection is closed, which releases it, rather than returned to
		// the pool still holding it.
		unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		var released bool
		if unlockErr := conn.QueryRow(unlockCtx, `SELECT pg_advisory_unlock($1)`, key).Scan(&released); unlockErr != nil {
			conn.Conn().Close(unlockCtx)
			return
		}
		if !released && err == nil {
			// The session no longer held it: the statements of this one
			// connection ran in more than one server session, as a pooler
			// in transaction mode runs them. The lock kept no other start
			// out, and is left held where it was taken.
			schema, err = "", errMigrationLockLost
		}
	}()

	if err := checkSearchPath(ctx, conn, schema); err != nil {
		return "", err
	}
	// Created only when missing: a role that may read and write the rows
	// but not create in the schema (an operator's least privilege) starts
	// on a schema migrated by its owner, while CREATE TABLE IF NOT EXISTS
	// needs CREATE even when the table is there.
	recorded, err := migrationsTable(ctx, conn)
	if err != nil {
		return "", err
	}
	if recorded != nil {
		if err := recorded.check(schema); err != nil {
			return "", err
		}
	} else {
		if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer     PRIMARY KEY,
			name       text        NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return "", fmt.Errorf("postgres: migrations table: %w", err)
		}
	}
	files, err := migration.Load(fsys)
	if err != nil {
		return "", fmt.Errorf("postgres: %w", err)
	}
	rows, err := conn.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return "", fmt.Errorf("postgres: migrations table: %w", err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return "", fmt.Errorf("postgres: migrations table: %w", err)
	}
	applied := make(map[int]bool, len(versions))
	newest := 0
	for _, v := range versions {
		applied[v] = true
		newest = max(newest, v)
	}
	if err := migration.CheckNotNewer(newest, files); err != nil {
		return "", fmt.Errorf("postgres: %w", err)
	}
	for _, f := range files {
		if applied[f.Version] {
			// No transaction for it: the lock above keeps every other
			// instance from recording one meanwhile, so a start on a
			// migrated schema makes no more round trips than it must.
			continue
		}
		if err := applyMigration(ctx, conn, f, lockTimeout); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "55P03" { // lock_not_available
				return "", fmt.Errorf("postgres: migration %s waited longer than the statement timeout (statement_timeout %s) for a lock a transaction holds (pg_locks names it); nothing was changed, and the start can be tried again: %w",
					f.Name, lockTimeout, err)
			}
			if errors.As(err, &pgErr) && pgErr.Detail != "" {
				// Which row broke it ("Key (name)=(Farm) is duplicated."),
				// which the error's text leaves out.
				return "", fmt.Errorf("postgres: migration %s: %w: %s", f.Name, err, pgErr.Detail)
			}
			return "", fmt.Errorf("postgres: migration %s: %w", f.Name, err)
		}
	}
	return schema, nil
}

// relation is what the catalog says of a table, view, sequence or other
// relation: its kind (pg_class.relkind) and its columns in order.
type relation struct {
	kind string
	cols []string
}

// migrationsTable reads schema_migrations of the current schema from the
// catalog, which lists its columns whatever the role may read: nil when
// there is none.
func migrationsTable(ctx context.Context, conn *pgxpool.Conn) (*relation, error) {
	var r relation
	err := conn.QueryRow(ctx, `SELECT c.relkind::text, array(SELECT a.attname::text FROM pg_attribute a
			WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)
		FROM pg_class c WHERE c.oid = to_regclass(quote_ident(current_schema()) || '.schema_migrations')`).Scan(&r.kind, &r.cols)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("postgres: migrations table: %w", err)
	}
	return &r, nil
}

// check refuses r, the schema_migrations of schema, when it is not a table,
// or is another tool's (migration.CheckRecord).
func (r relation) check(schema string) error {
	if r.kind != "r" && r.kind != "p" { // a table, or a partitioned one
		return fmt.Errorf("postgres: schema %q: its schema_migrations is no table (pg_class.relkind %q): another application's schema; give the URL this game's schema (search_path), or a new one", schema, r.kind)
	}
	if err := migration.CheckRecord(r.cols); err != nil {
		return fmt.Errorf("postgres: schema %q: its %w; give the URL this game's schema (search_path), or a new one", schema, err)
	}
	return nil
}

// checkSearchPath refuses to create the tables in schema, the first on the
// search_path that exists, while a later one holds them (schema_migrations,
// a name other tools use too, with players and visits beside it): that is a schema
// created since, such as one named for the user ("$user" comes first in
// PostgreSQL's default search_path), and the service would start an empty
// game in it while the players are in the other. To start one there all
// the same, name that schema alone in search_path.
func checkSearchPath(ctx context.Context, conn *pgxpool.Conn, schema string) error {
	var other *string
	err := conn.QueryRow(ctx, `
		SELECT s.name FROM unnest(current_schemas(false)) WITH ORDINALITY AS s(name, pos)
		WHERE to_regclass(quote_ident(current_schema()) || '.schema_migrations') IS NULL
		  AND s.name <> current_schema()
		  AND to_regclass(quote_ident(s.name) || '.schema_migrations') IS NOT NULL
		  AND to_regclass(quote_ident(s.name) || '.players') IS NOT NULL
		  AND to_regclass(quote_ident(s.name) || '.visits') IS NOT NULL
		ORDER BY s.pos LIMIT 1`).Scan(&other)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return fmt.Errorf("postgres: the tables would be created in schema %q, the first on the search_path, "+
		"but schema %q, later on it, already holds them: add search_path=%s to the URL to use those, "+
		"or search_path=%s to start an empty game in %q", schema, *other, *other, schema, schema)
}

// applyMigration applies f unless the database recorded it. Its wait for
// any table's lock is bounded by lockTimeout: a migration waiting to alter
// a table that a long transaction reads would otherwise queue every
// instance's statements on that table behind it, for as long as that
// transaction lasts.
func applyMigration(ctx context.Context, conn *pgxpool.Conn, f migration.File, lockTimeout string) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT set_config('lock_timeout', $1, true)`, lockTimeout); err != nil {
		return err
	}
	var done bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, f.Version).Scan(&done); err != nil {
		return err
	}
	if done {
		return nil
	}
	// Without arguments pgx sends the file as one simple query, so it may
	// hold several statements.
	if _, err := tx.Exec(ctx, f.SQL); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`,
		f.Version, f.Name); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// takeMigrationLock takes the schema's migration lock (key) in conn's
// session, waiting for the process that holds it, if one does. A wait is
// logged to log, when not nil, as it begins, with the PostgreSQL backend
// holding the lock (pg_stat_activity tells whose it is), and as it ends.
func takeMigrationLock(ctx context.Context, conn *pgxpool.Conn, key int64, schema string, log *slog.Logger) error {
	var taken bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&taken); err != nil {
		return fmt.Errorf("postgres: migrate: take the migration lock: %w", err)
	}
	if taken {
		return nil
	}
	start := time.Now()
	if log != nil {
		// A lock on a bigint key is listed with its high half as classid
		// and its low half as objid. The holder may let go meanwhile:
		// then no pid.
		attrs := []any{"schema", schema}
		var pid int32
		err := conn.QueryRow(ctx, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 1`,
			int64(uint64(key)>>32), int64(uint32(key))).Scan(&pid)
		if err == nil {
			attrs = append(attrs, "holder_pid", pid)
		}
		log.InfoContext(ctx, "waiting for another process's migrations of the schema", attrs...)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return fmt.Errorf("postgres: migrate: take the migration lock: %w", err)
	}
	if log != nil {
		log.InfoContext(ctx, "the other process's migrations are done", "schema", schema, "waited", time.Since(start))
	}
	return nil
}

// errMigrationLockLost is a start whose migration lock was no longer its
// session's to release.
var errMigrationLockLost = errors.New("postgres: migrate: the migration lock was no longer this connection's session's to release: " +
	"a pooler in transaction mode (PgBouncer's pool_mode = transaction) between the server and PostgreSQL runs one connection's statements in several server sessions, " +
	"so the lock did not keep other starts out, and it stays held in the session that took it until the pooler closes that session; " +
	"start the server, and run ninjagold migrate, connected to PostgreSQL directly or through session pooling (README, \"Behind PgBouncer\")")

// migrationLockKey is the advisory lock key for migrating schema.
func migrationLockKey(schema string) int64 { return lockKey("migrate", schema) }

// lockKey is an advisory lock key for what in schema: a hash of the package
// path, what and the schema name, so it neither depends on the order
// schemas were created in nor collides with other applications' keys by
// accident.
func lockKey(what, schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("github.com/ninjagold/ninjagold-api/store/postgres " + what + " " + schema))
	return int64(h.Sum64())
}
