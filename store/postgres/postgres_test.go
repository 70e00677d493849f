package postgres_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/migration"
	"github.com/ninjagold/ninjagold-api/store/migration/migrationtest"
	"github.com/ninjagold/ninjagold-api/store/postgres"
	"github.com/ninjagold/ninjagold-api/store/postgres/pgtest"
	"github.com/ninjagold/ninjagold-api/store/storetest"
)

// openURL opens a store on url and closes it when t ends.
func openURL(t *testing.T, url string, opts postgres.Options) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), url, opts)
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// testConns caps the pools the tests open: enough for every concurrency
// test to contend, few enough that tests of several packages running at once
// stay under the server's max_connections whatever the number of CPUs.
const testConns = 8

// open opens a store on a schema of its own.
func open(t *testing.T) game.Store {
	t.Helper()
	return openURL(t, pgtest.TestURL(t), postgres.Options{MaxConns: testConns})
}

func TestStore(t *testing.T) {
	storetest.Run(t, open)
}

// query runs one query on a connection of its own and scans its one row.
func query(t *testing.T, url, sql string, dest ...any) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(t.Context(), sql).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// exec runs one statement on a connection of its own.
func exec(t *testing.T, url, sql string, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// execAtEnd runs stmts, in order, on a connection of its own when t ends,
// after the cleanups registered later (the stores opened on what they
// drop). A failure is reported and the rest still run.
func execAtEnd(t *testing.T, url string, stmts ...string) {
	t.Helper()
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Errorf("connect to run %q: %v", stmts, err)
			return
		}
		defer conn.Close(context.Background())
		for _, q := range stmts {
			if _, err := conn.Exec(context.Background(), q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
}

// withParam returns rawURL with the query parameter key set to value.
func withParam(t *testing.T, rawURL, key, value string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// schemaOf is the search_path of a pgtest URL: its schema.
func schemaOf(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("search_path")
}

func TestOpenFailsFast(t *testing.T) {
	// A server that accepts connections and never answers: only the
	// connect timeout can end the wait.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	}()
	// A port nothing listens on.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	cases := []struct {
		name string
		url  string
		want string // what the message must say
	}{
		{"a malformed URL", "postgres://ninja:secret@127.0.0.1:notaport/test", "invalid database URL"},
		{"an empty URL", "", "empty database URL"},
		{"a closed port", "postgres://ninja:secret@" + closedAddr + "/test?sslmode=disable", "postgres: cannot connect: "},
		{"a server that never answers", "postgres://ninja:secret@" + silent.Addr().String() + "/test?sslmode=disable",
			"postgres: cannot connect within the connect timeout (300ms): "},
	}
	for _, c := range cases {
		t.Run(c.name+" fails within the connect timeout with a short error", func(t *testing.T) {
			// The caller's deadline is far past the connect timeout: Open
			// must end on its own, not when the caller gives up.
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			s, err := postgres.Open(ctx, c.url, postgres.Options{ConnectTimeout: 300 * time.Millisecond})
			if err == nil {
				s.Close()
				t.Fatal("got nil error, want one")
			}
			if ctx.Err() != nil {
				t.Errorf("Open returned only when the caller's 30s deadline passed (%v), want the connect timeout to end it", err)
			}
			if msg := err.Error(); len(msg) > 300 || strings.Contains(msg, "\n") || strings.Contains(msg, "secret") {
				t.Errorf("got error %q, want one short line without the password", msg)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("got error %q, want it to say %q", err, c.want)
			}
		})
	}

	t.Run("a server that connects, then does not answer, fails within the connect timeout", func(t *testing.T) {
		u, err := url.Parse(pgtest.TestURL(t))
		if err != nil {
			t.Fatal(err)
		}
		p := startProxy(t, u.Host)
		u.Host = p.ln.Addr().String()
		p.holdNext(t, "-- ping") // Open's first query, once the connection is made
		// Far past the connect timeout, and short of the 15s pgxpool
		// takes to close a connection whose server stopped answering,
		// which Open does not wait for.
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		_, err = postgres.Open(ctx, u.String(), postgres.Options{ConnectTimeout: 300 * time.Millisecond})
		if err == nil || !strings.Contains(err.Error(), "cannot connect within the connect timeout (300ms)") || ctx.Err() != nil {
			t.Errorf("got error %v (the caller's 5s deadline passed: %v), want the connect timeout's", err, ctx.Err() != nil)
		}
	})

	t.Run("the caller's deadline, passed first, is returned as it is", func(t *testing.T) {
		// Not blamed on the connect timeout, which had not passed.
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		_, err := postgres.Open(ctx, "postgres://ninja@"+silent.Addr().String()+"/test?sslmode=disable", postgres.Options{ConnectTimeout: 20 * time.Second})
		if err != context.DeadlineExceeded {
			t.Errorf("got error %v, want context.DeadlineExceeded itself", err)
		}
	})

	t.Run("a cancelled context returns context.Canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := postgres.Open(ctx, "postgres://ninja@"+silent.Addr().String()+"/test?sslmode=disable", postgres.Options{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got error %v, want context.Canceled", err)
		}
	})
}

func TestMigrate(t *testing.T) {
	t.Run("instances starting together migrate once", func(t *testing.T) {
		url := pgtest.TestURL(t)
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				s, err := postgres.Open(t.Context(), url, postgres.Options{MaxConns: 2})
				if err == nil {
					err = s.Ping(t.Context())
					s.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("Open: %v", err)
		}
		var migrations, locations int
		query(t, url, `SELECT (SELECT count(*) FROM schema_migrations), (SELECT count(*) FROM locations)`, &migrations, &locations)
		files, err := migration.Load(postgres.Migrations)
		if err != nil {
			t.Fatal(err)
		}
		if migrations != len(files) || locations != 4 {
			t.Errorf("got %d migrations and %d locations, want %d and 4", migrations, locations, len(files))
		}
	})

	t.Run("a held migration lock holds up its own schema only", func(t *testing.T) {
		blocked, free := pgtest.TestURL(t), pgtest.TestURL(t)
		unlock, _ := holdMigrationLock(t, blocked)

		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		if s, err := postgres.Open(ctx, blocked, postgres.Options{}); !errors.Is(err, context.DeadlineExceeded) {
			if err == nil {
				s.Close()
			}
			t.Errorf("Open of the locked schema: got error %v, want context.DeadlineExceeded", err)
		}
		openURL(t, free, postgres.Options{})

		if err := unlock(); err != nil {
			t.Fatal(err)
		}
		openURL(t, blocked, postgres.Options{})
	})

	t.Run("a migration outlasting the statement timeout is waited for, and the wait logged", func(t *testing.T) {
		base := pgtest.TestURL(t)
		unlock, holder := holdMigrationLock(t, base)
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		schema := u.Query().Get("search_path")
		key := postgres.MigrationLockKey(schema)
		unlocked := make(chan error, 1)
		go func() {
			// Let go after a second, and once the store waits for the
			// lock (and so has logged that it does).
			time.Sleep(time.Second)
			watcher, err := pgx.Connect(context.Background(), base)
			if err != nil {
				unlocked <- err
				return
			}
			defer watcher.Close(context.Background())
			deadline := time.Now().Add(10 * time.Second)
			for waiting := false; !waiting; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					unlocked <- errors.New("the store did not wait for the migration lock within 10s")
					return
				}
				err := watcher.QueryRow(context.Background(), `SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
					AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 1`,
					int64(uint64(key)>>32), int64(uint32(key))).Scan(&waiting)
				if err != nil {
					unlocked <- err
					return
				}
			}
			unlocked <- unlock()
		}()
		var log bytes.Buffer
		s := openURL(t, base, postgres.Options{StatementTimeout: 200 * time.Millisecond, MaxConns: 1,
			Logger: slog.New(slog.NewTextHandler(&log, nil))})
		if err := <-unlocked; err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			fmt.Sprintf(`msg="waiting for another process's migrations of the schema" schema=%s holder_pid=%d`, schema, holder),
			`msg="the other process's migrations are done" schema=` + schema + " waited=",
		} {
			if !strings.Contains(log.String(), want) {
				t.Errorf("the log does not say %q:\n%s", want, log.String())
			}
		}
		// The pool's connection, which ran the migrations, has its
		// statement timeout back.
		var timeout string
		if err := postgres.Pool(s).QueryRow(t.Context(), `SHOW statement_timeout`).Scan(&timeout); err != nil || timeout != "200ms" {
			t.Errorf("statement_timeout after the migrations = %q (%v), want 200ms", timeout, err)
		}
	})

	t.Run("a start no other process migrates beside logs no wait", func(t *testing.T) {
		var log bytes.Buffer
		openURL(t, pgtest.TestURL(t), postgres.Options{MaxConns: testConns, Logger: slog.New(slog.NewTextHandler(&log, nil))})
		if strings.Contains(log.String(), "migrations") {
			t.Errorf("the log speaks of another process's migrations:\n%s", log.String())
		}
	})
}

// A start whose migration lock is gone from its session when it lets go
// of it, as behind a pooler in transaction mode (made here by a migration
// that releases the session's advisory locks), fails saying so, rather
// than starting as if the lock had kept other starts out.
func TestMigrationLockLostIsSaidSo(t *testing.T) {
	fsys := migrationtest.With(t, postgres.Migrations, "9000_unlock.sql", `SELECT pg_advisory_unlock_all();`)
	s, err := postgres.OpenWithMigrations(t.Context(), pgtest.TestURL(t), postgres.Options{MaxConns: testConns}, fsys)
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded, its migration lock lost before it let go of it")
	}
	for _, want := range []string{"the migration lock was no longer this connection's session's to release", "pool_mode = transaction", `README, "Behind PgBouncer"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Open = %v, want it to say %q", err, want)
		}
	}
}

// A migration waits for a table's lock no longer than the statement
// timeout: while it waits, every statement on the table queues behind it.
// It fails having changed nothing, and the next start applies it.
func TestMigrationLockWaitIsBounded(t *testing.T) {
	dsn := pgtest.TestURL(t)
	openURL(t, dsn, postgres.Options{MaxConns: testConns})
	fsys := migrationtest.With(t, postgres.Migrations, "9000_note.sql", `ALTER TABLE players ADD COLUMN note text NOT NULL DEFAULT '';`)

	// A long transaction reading players, as a report or a backup would.
	reader, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close(context.Background())
	tx, err := reader.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), `SELECT count(*) FROM players`); err != nil {
		t.Fatal(err)
	}
	opts := postgres.Options{MaxConns: testConns, StatementTimeout: 300 * time.Millisecond}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // unbounded, it would wait for ever
	defer cancel()
	s, err := postgres.OpenWithMigrations(ctx, dsn, opts, fsys)
	if err == nil {
		s.Close()
		t.Fatal("the migration went ahead while a transaction held its table")
	}
	if !strings.Contains(err.Error(), "9000_note.sql waited longer than the statement timeout") {
		t.Errorf("Open = %v, want the lock wait named", err)
	}
	if err := tx.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	s, err = postgres.OpenWithMigrations(t.Context(), dsn, opts, fsys)
	if err != nil {
		t.Fatalf("Open once the transaction ended: %v", err)
	}
	defer s.Close()
	var notes int
	if err := postgres.Pool(s).QueryRow(t.Context(), `SELECT count(*) FROM players WHERE note = ''`).Scan(&notes); err != nil {
		t.Errorf("the migration's column after the second start: %v", err)
	}
}

// holdMigrationLock takes the migration lock of dsn's schema in a session
// of its own, as a migrating instance would; unlock releases it. The
// session ends with t.
func holdMigrationLock(t *testing.T, dsn string) (unlock func() error, pid uint32) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	holder, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Close(context.Background()) })
	key := postgres.MigrationLockKey(u.Query().Get("search_path"))
	if _, err := holder.Exec(t.Context(), `SELECT pg_advisory_lock($1)`, key); err != nil {
		t.Fatal(err)
	}
	return func() error {
		_, err := holder.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, key)
		return err
	}, holder.PgConn().PID()
}

// TestForeignKeysAreIndexed holds the schema to an index on every foreign
// key's column: a cascading delete looks up the rows that refer to each row
// it deletes, and without an index each lookup scans the whole table.
func TestForeignKeysAreIndexed(t *testing.T) {
	url := pgtest.TestURL(t)
	openURL(t, url, postgres.Options{})
	var keys int
	var unindexed string
	query(t, url, `
		SELECT count(*), coalesce(string_agg(c.conrelid::regclass::text || '.' || a.attname, ', ')
		    FILTER (WHERE NOT EXISTS (
		        SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])), '')
		FROM pg_constraint c
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`, &keys, &unindexed)
	if keys == 0 {
		t.Error("found no foreign keys: the query no longer reads the schema")
	}
	if unindexed != "" {
		t.Errorf("these columns refer to another table and lead no index: %s", unindexed)
	}
}

// A page of players starts where it is to start, and reads the players it
// returns in the order of an index: after a cursor, the index condition of
// each of its queries bounds where PostgreSQL starts reading an index,
// rather than a filter dropping every player above the cursor, so a page
// far down the board costs what the first one does; and no page sorts, so
// a page that reaches a gold many players share costs what any other does.
// Sequential scans are off for the EXPLAIN, as a table of a few rows would
// be read whole either way.
func TestPlayerPagesSearchFromTheCursor(t *testing.T) {
	s := openURL(t, pgtest.TestURL(t), postgres.Options{MaxConns: testConns})
	for _, sort := range []game.PlayerSort{game.ByGoldDesc, game.ByGoldAsc, game.ByCreatedAtDesc, game.ByCreatedAtAsc} {
		for _, after := range []*game.PlayerKey{nil, {Gold: 5, ID: 7}} {
			queries, args, err := postgres.PlayersPage(game.PlayerPage{Sort: sort, Limit: 21, After: after})
			if err != nil {
				t.Fatal(err)
			}
			for i, q := range queries {
				text := explain(t, s, q, args[i]...)
				if !strings.Contains(text, "Index Scan") || strings.Contains(text, "Sort") {
					t.Errorf("sort %s, after %v, %s: the plan reads no index in order, or sorts:\n%s", sort, after, q, text)
				}
				if after != nil && (!strings.Contains(text, "Index Cond: ") || strings.Contains(text, "Filter: ")) {
					t.Errorf("sort %s, %s: the plan bounds no index, or filters:\n%s", sort, q, text)
				}
			}
		}
	}
}

// explain returns the plan of query with args on s, sequential scans off:
// on a table of a few rows, one would be chosen over any index.
func explain(t *testing.T, s *postgres.Store, query string, args ...any) string {
	t.Helper()
	var plan []string
	err := pgx.BeginFunc(t.Context(), postgres.Pool(s), func(tx pgx.Tx) error {
		if _, err := tx.Exec(t.Context(), `SET LOCAL enable_seqscan = off`); err != nil {
			return err
		}
		rows, err := tx.Query(t.Context(), `EXPLAIN `+query, args...)
		if err != nil {
			return err
		}
		plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}

// The purge finds the expired keys by the index on their age, as an index
// condition: with a filter, each purge would read every live key (a day's
// worth) to find none expired. Sequential scans are off for the EXPLAIN, as
// in TestPlayerPagesSearchFromTheCursor.
func TestExpiredKeysAreFoundByTheirAge(t *testing.T) {
	s := openURL(t, pgtest.TestURL(t), postgres.Options{MaxConns: testConns})
	text := explain(t, s, postgres.DeleteExpiredKeysQuery, 86400, 1000)
	if !strings.Contains(text, "idempotency_keys_by_age") || !strings.Contains(text, "Index Cond: (created_at <") {
		t.Errorf("the purge's plan bounds no scan of idempotency_keys_by_age by the keys' age:\n%s", text)
	}
}

// newDatabase creates a database of its own on base's server, named after
// prefix and made with the CREATE DATABASE options given, dropped when the
// test ends. It returns the name and a URL to the database, without base's
// search_path.
func newDatabase(t *testing.T, base, prefix, options string) (name, dbURL string) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	name = fmt.Sprintf("ninjagold_%s_%d", prefix, time.Now().UnixNano())
	exec(t, base, `CREATE DATABASE `+name+` `+options)
	execAtEnd(t, base, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	u.Path = "/" + name
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return name, u.String()
}

// TestNonUTF8DatabaseIsRefused opens a store on a LATIN1 database: it
// would garble every name outside Latin-1 for other readers, and refuse
// others (an emoji) with an error the client would see as a 500.
func TestNonUTF8DatabaseIsRefused(t *testing.T) {
	base := pgtest.TestURL(t) // skips without PostgreSQL
	_, dbURL := newDatabase(t, base, "latin1", `ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`)
	s, err := postgres.Open(t.Context(), dbURL, postgres.Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open of a LATIN1 database succeeded, want an error")
	}
	if !strings.Contains(err.Error(), "LATIN1") || !strings.Contains(err.Error(), "UTF8") {
		t.Errorf("Open: %v, want an error naming LATIN1 and UTF8", err)
	}
}

// A database that stops accepting connections (ALLOW_CONNECTIONS false, as
// for maintenance) refuses new ones with SQLSTATE 55000 while the store
// reconnects: that is a database that cannot serve, a 503, not a 500.
func TestDatabaseRefusingConnectionsIsUnavailable(t *testing.T) {
	base := pgtest.TestURL(t) // skips without PostgreSQL
	name, dbURL := newDatabase(t, base, "closed", `TEMPLATE template0 ENCODING 'UTF8'`)
	s := openURL(t, dbURL, postgres.Options{})
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping before: %v", err)
	}

	exec(t, base, `ALTER DATABASE `+name+` ALLOW_CONNECTIONS false`)
	exec(t, base, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, name)
	calls := []struct {
		name string
		call func() error
	}{
		{"Ping", func() error { return s.Ping(t.Context()) }},
		{"ListLocations", func() error {
			_, err := s.ListLocations(t.Context(), 0, 10)
			return err
		}},
	}
	for _, c := range calls {
		err := c.call()
		if got := game.ErrorCode(err); got != game.EUNAVAILABLE {
			t.Errorf("%s: got error %v (code %q), want code %q", c.name, err, got, game.EUNAVAILABLE)
		}
	}
}

// TestPlayersCommitInIDOrder holds one player's creation open and creates
// another: the second must not be acknowledged before the first, whose id
// is smaller, has committed, or a client paging by created_at past the
// second would never see the first. Another session holds the first one's
// token hash in an uncommitted row, so the first one's INSERT waits on it.
func TestPlayersCommitInIDOrder(t *testing.T) {
	url := pgtest.TestURL(t)
	s := openURL(t, url, postgres.Options{MaxConns: testConns})
	holder, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close(context.Background())
	tx, err := holder.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	hash := []byte("the first player's token hash")
	if _, err := tx.Exec(t.Context(), `INSERT INTO players (first_name, last_name, token_hash, created_at)
		VALUES ('Hold', 'Er', $1, now())`, hash); err != nil {
		t.Fatal(err)
	}
	var xid string
	if err := tx.QueryRow(t.Context(), `SELECT transactionid::text FROM pg_locks
		WHERE pid = pg_backend_pid() AND locktype = 'transactionid' AND granted`).Scan(&xid); err != nil {
		t.Fatal(err)
	}

	type created struct {
		p   game.Player
		err error
	}
	create := func(name string, hash []byte) chan created {
		c := make(chan created, 1)
		go func() {
			p, err := s.CreatePlayer(context.Background(), game.NewPlayer{FirstName: name, LastName: "Sato", TokenHash: hash})
			c <- created{p, err}
		}()
		return c
	}
	first := create("First", hash)
	for waiting := false; !waiting; {
		query(t, url, `SELECT EXISTS (SELECT 1 FROM pg_locks
			WHERE locktype = 'transactionid' AND NOT granted AND transactionid::text = '`+xid+`')`, &waiting)
		time.Sleep(5 * time.Millisecond)
	}
	second := create("Second", []byte("the second player's token hash"))
	select {
	case c := <-second:
		t.Fatalf("player %d (%v) was acknowledged while the player created before it had not committed", c.p.ID, c.err)
	case <-time.After(250 * time.Millisecond):
	}
	if err := tx.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	a, b := <-first, <-second
	if a.err != nil || b.err != nil {
		t.Fatalf("CreatePlayer: %v, %v", a.err, b.err)
	}
	if a.p.ID >= b.p.ID || !a.p.CreatedAt.Before(b.p.CreatedAt) {
		t.Errorf("first player %d created %v, second %d created %v: want the first smaller and earlier",
			a.p.ID, a.p.CreatedAt, b.p.ID, b.p.CreatedAt)
	}
}

// TestLocationsCommitInIDOrder: a location may not be acknowledged while
// one whose id is smaller has not committed, or a client paging the list
// (by id) past the second would never see the first. A trigger makes the
// first one's INSERT wait for an advisory lock this test holds.
func TestLocationsCommitInIDOrder(t *testing.T) {
	url := pgtest.TestURL(t)
	s := openURL(t, url, postgres.Options{MaxConns: testConns})
	// The key is this test's schema's: advisory locks are the database's,
	// and another run of the package may share it.
	h := fnv.New32a()
	h.Write([]byte(schemaOf(t, url)))
	key := int64(h.Sum32())
	exec(t, url, `CREATE FUNCTION hold_first() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.name = 'First' THEN PERFORM pg_advisory_xact_lock_shared(`+strconv.FormatInt(key, 10)+`); END IF; RETURN NEW; END $$`)
	exec(t, url, `CREATE TRIGGER hold_first BEFORE INSERT ON locations FOR EACH ROW EXECUTE FUNCTION hold_first()`)
	holder, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close(context.Background())
	if _, err := holder.Exec(t.Context(), `SELECT pg_advisory_lock($1)`, key); err != nil {
		t.Fatal(err)
	}

	type created struct {
		l   game.Location
		err error
	}
	create := func(name string) chan created {
		c := make(chan created, 1)
		go func() {
			l, err := s.CreateLocation(context.Background(), game.LocationFields{Name: name, MinGold: 1, MaxGold: 2})
			c <- created{l, err}
		}()
		return c
	}
	first := create("First")
	for waiting, deadline := false, time.Now().Add(10*time.Second); !waiting; {
		select {
		case c := <-first:
			t.Fatalf("the first location (%+v, %v) was not held by the trigger", c.l, c.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the first location's INSERT never waited for the held lock")
		}
		query(t, url, `SELECT EXISTS (SELECT 1 FROM pg_locks
			WHERE locktype = 'advisory' AND NOT granted AND classid = 0 AND objid = `+strconv.FormatInt(key, 10)+`)`, &waiting)
		time.Sleep(5 * time.Millisecond)
	}
	second := create("Second")
	select {
	case c := <-second:
		t.Fatalf("location %d (%v) was acknowledged while the location created before it had not committed", c.l.ID, c.err)
	case <-time.After(250 * time.Millisecond):
	}
	if _, err := holder.Exec(t.Context(), `SELECT pg_advisory_unlock($1)`, key); err != nil {
		t.Fatal(err)
	}
	a, b := <-first, <-second
	if a.err != nil || b.err != nil {
		t.Fatalf("CreateLocation: %v, %v", a.err, b.err)
	}
	if a.l.ID >= b.l.ID || !a.l.CreatedAt.Before(b.l.CreatedAt) {
		t.Errorf("first location %d created %v, second %d created %v: want the first smaller and earlier",
			a.l.ID, a.l.CreatedAt, b.l.ID, b.l.CreatedAt)
	}
}

// TestLocationChangesWaitTheirTurn changes a location while visits to it
// never stop: each change must wait only for the visits that came before it
// and get through, not be overtaken by every later visit until its statement
// times out (as it was behind a row lock that visits shared).
func TestLocationChangesWaitTheirTurn(t *testing.T) {
	const visitors = 24
	s := openURL(t, pgtest.TestURL(t), postgres.Options{MaxConns: visitors + 1, StatementTimeout: 3 * time.Second})
	loc, err := s.CreateLocation(t.Context(), game.LocationFields{Name: "Mine", MinGold: 1, MaxGold: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for i := range visitors {
		p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: fmt.Appendf(nil, "visitor %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for ctx.Err() == nil {
				_, _, err := s.CreateVisit(ctx, game.VisitRequest{PlayerID: p.ID, LocationID: loc.ID,
					Roll: func(l game.Location) game.Outcome { return game.Outcome{Gold: l.MaxGold} }})
				if err != nil && ctx.Err() == nil {
					t.Errorf("CreateVisit: %v", err)
				}
			}
		})
	}
	for i := range 5 {
		if _, err := s.UpdateLocation(t.Context(), loc.ID, func(l *game.Location) error {
			l.MaxGold = int32(2 + i)
			return nil
		}); err != nil {
			t.Errorf("UpdateLocation %d among the visits: %v", i, err)
		}
	}
	stop()
	wg.Wait()
}

// TestIdleSessionEndedIsUnavailable: a transaction idle past the session's
// idle_in_transaction_session_timeout is ended by the server (SQLSTATE
// 25P03), as a lost connection is: the caller hears unavailable, not an
// internal error. The callback stands in for a process paused between two
// statements.
func TestIdleSessionEndedIsUnavailable(t *testing.T) {
	base := pgtest.TestURL(t)
	// Migrated first, without the timeout: a busy machine may leave a
	// migration's transaction idle between two statements for longer. The
	// second Open begins no transaction (see
	// TestMigratedSchemaOpensWithoutMigrationTransactions).
	openURL(t, base, postgres.Options{})
	s := openURL(t, base+"&idle_in_transaction_session_timeout=100", postgres.Options{})
	_, err := s.UpdateLocation(t.Context(), 1, func(l *game.Location) error {
		time.Sleep(300 * time.Millisecond)
		l.Description = "Paused."
		return nil
	})
	if game.ErrorCode(err) != game.EUNAVAILABLE {
		t.Errorf("UpdateLocation with its session ended: %v (code %q), want %s", err, game.ErrorCode(err), game.EUNAVAILABLE)
	}
}

func TestDeletePlayerRemovesRows(t *testing.T) {
	url := pgtest.TestURL(t)
	storetest.CreateAndDeletePlayer(t, openURL(t, url, postgres.Options{}))
	var players, visits, keys int
	query(t, url, storetest.LeftoverRowsQuery, &players, &visits, &keys)
	if players != 0 || visits != 0 || keys != 0 {
		t.Errorf("got %d players, %d visits, %d keys left, want none", players, visits, keys)
	}
}

// TestPlayerPagesReadOneSnapshot swaps golds through a connection of its
// own, as another instance may.
func TestPlayerPagesReadOneSnapshot(t *testing.T) {
	url := pgtest.TestURL(t)
	s := openURL(t, url, postgres.Options{MaxConns: testConns})
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	storetest.PlayerPagesReadOneSnapshot(t, s, func(ctx context.Context, gold map[int64]int64) error {
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			for id, g := range gold {
				if _, err := tx.Exec(ctx, `UPDATE players SET gold = $1 WHERE id = $2`, g, id); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// TestIdempotencyKeysExpire lets time pass by dating the recorded keys back,
// since they are stamped by the server's clock, with the purges stopped.
func TestIdempotencyKeysExpire(t *testing.T) {
	url := pgtest.TestURL(t)
	s := openURL(t, url, postgres.Options{MaxConns: testConns})
	postgres.StopPurges(s)
	storetest.IdempotencyKeysExpire(t, s, func(d time.Duration) {
		exec(t, url, `UPDATE idempotency_keys SET created_at = created_at - $1 * interval '1 microsecond'`, d.Microseconds())
	})
}

// TestIdempotencyKeysPurged lets time pass by dating the recorded keys back,
// as TestIdempotencyKeysExpire does, and by moving the store's clock, which
// decides when a purge may start, on.
func TestIdempotencyKeysPurged(t *testing.T) {
	url := pgtest.TestURL(t)
	s := openURL(t, url, postgres.Options{MaxConns: testConns})
	var passed atomic.Int64
	postgres.SetClock(s, func() time.Time { return time.Now().Add(time.Duration(passed.Load())) })
	storetest.IdempotencyKeysPurged(t, s, storetest.PurgeHooks{
		Elapse: func(d time.Duration) {
			exec(t, url, `UPDATE idempotency_keys SET created_at = created_at - $1 * interval '1 microsecond'`, d.Microseconds())
			passed.Add(int64(d))
		},
		Keys:   func(playerID int64) []string { return keysOf(t, s, playerID) },
		Wait:   func() { postgres.WaitPurges(s) },
		Delete: postgres.DeleteExpiredKeys(s),
	})
}

// Close cancels a purge whose statement waits (on a table another process
// locked): it does not wait for it, up to the statement timeout.
func TestCloseCancelsAWaitingPurge(t *testing.T) {
	url := pgtest.TestURL(t)
	s, err := postgres.Open(t.Context(), url, postgres.Options{MaxConns: testConns})
	if err != nil {
		t.Fatal(err)
	}
	tx, holder, watch := otherTx(t, url, `LOCK TABLE idempotency_keys IN ACCESS EXCLUSIVE MODE`)
	postgres.StartPurge(s, time.Now().Add(time.Hour))
	waitBlocked(t, watch, holder, "purge")
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("Close waited 10s for the purge's statement, want it cancelled")
		tx.Rollback(context.Background())
		<-closed
	}
}

// keysOf lists the idempotency keys s holds for a player, in order.
func keysOf(t *testing.T, s *postgres.Store, playerID int64) []string {
	t.Helper()
	rows, err := postgres.Pool(s).Query(t.Context(), `SELECT key FROM idempotency_keys WHERE player_id = $1 ORDER BY key`, playerID)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// The purge deletes the oldest expired keys first, and passes over a key a
// transaction holds locked (a visit replacing it) rather than wait: keys
// made expired here out of their order in the table (k3 the oldest, k1
// the youngest), and k2 locked by another connection.
func TestExpiredKeysPurgedOldestFirstSkippingLocked(t *testing.T) {
	url := pgtest.TestURL(t)
	s := openURL(t, url, postgres.Options{MaxConns: testConns})
	postgres.StopPurges(s)
	pl, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "K", LastName: "N", TokenHash: []byte("h")})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"k1", "k2", "k3"} {
		if _, _, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: pl.ID, LocationID: 1, IdempotencyKey: key, RequestHash: []byte("h"), Roll: rollFive}); err != nil {
			t.Fatal(err)
		}
	}
	exec(t, url, `UPDATE idempotency_keys SET created_at = now() - interval '2 days' - right(key, 1)::int * interval '1 minute'`)
	keys := func() []string { return keysOf(t, s, pl.ID) }
	del := postgres.DeleteExpiredKeys(s)

	if n, err := del(t.Context(), 1); err != nil || n != 1 {
		t.Fatalf("Delete with limit 1: got %d, %v; want 1, nil", n, err)
	}
	if got := keys(); !slices.Equal(got, []string{"k1", "k2"}) {
		t.Fatalf("after Delete with limit 1: keys %q, want k1 and k2 (k3, the oldest, deleted)", got)
	}

	tx, err := postgres.Pool(s).Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(t.Context(), `SELECT FROM idempotency_keys WHERE key = 'k2' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if n, err := del(ctx, 10); err != nil || n != 1 {
		t.Fatalf("Delete beside a lock on k2: got %d, %v; want 1 (k1), nil, at once", n, err)
	}
	if err := tx.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n, err := del(t.Context(), 10); err != nil || n != 1 {
		t.Fatalf("Delete once the lock is gone: got %d, %v; want 1 (k2), nil", n, err)
	}
}

// TestKeyTakenMidVisitReplays reaches the second line of defence behind the
// player's row lock: a visit's key committed by another transaction after
// the visit looked for it. The other connection runs with
// session_replication_role = replica, so that its key's foreign key checks
// (which would wait for the player's row, locked by the visit) do not run;
// it inserts the key while the visit rolls, between its reads and its
// write. The visit's write must then be undone whole, and the retry must
// replay the visit the key names.
func TestKeyTakenMidVisitReplays(t *testing.T) {
	url := pgtest.TestURL(t)
	s := openURL(t, url, postgres.Options{MaxConns: testConns})
	p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Ninja", TokenHash: []byte("kira")})
	if err != nil {
		t.Fatal(err)
	}
	first, _, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: func(game.Location) game.Outcome {
		return game.Outcome{Gold: 7, Message: "+7"}
	}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(context.Background())
	if _, err := other.Exec(t.Context(), `SET session_replication_role = replica`); err != nil {
		t.Fatal(err)
	}

	rolls := 0
	v, replayed, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: 1,
		IdempotencyKey: "k", RequestHash: []byte("h"), Roll: func(game.Location) game.Outcome {
			if rolls++; rolls == 1 {
				if _, err := other.Exec(t.Context(), `INSERT INTO idempotency_keys (player_id, key, request_hash, visit_id, created_at)
					VALUES ($1, 'k', 'h', $2, now())`, p.ID, first.ID); err != nil {
					t.Errorf("the other transaction's key: %v", err)
				}
			}
			return game.Outcome{Gold: 100, Message: "+100"}
		}})
	if err != nil || !replayed || v != first || rolls != 1 {
		t.Errorf("got visit %+v, replayed %v, %v after %d rolls; want the replay of %+v after 1", v, replayed, err, rolls, first)
	}
	var visits, gold, keys int64
	query(t, url, `SELECT (SELECT count(*) FROM visits), (SELECT gold FROM players), (SELECT count(*) FROM idempotency_keys)`,
		&visits, &gold, &keys)
	if visits != 1 || gold != 7 || keys != 1 {
		t.Errorf("got %d visits, gold %d, %d keys; want 1, 7 and 1: the visit undone whole", visits, gold, keys)
	}
}

// TestTwoStoresOnePlayer runs two stores, each with a pool of its own as two
// processes would have, against one schema.
func TestTwoStoresOnePlayer(t *testing.T) {
	url := pgtest.TestURL(t)
	opts := postgres.Options{MaxConns: testConns}
	stores := []*postgres.Store{openURL(t, url, opts), openURL(t, url, opts)}
	ctx := t.Context()

	t.Run("visits from both move exactly the gold they report", func(t *testing.T) {
		p, err := stores[0].CreatePlayer(ctx, game.NewPlayer{FirstName: "Kira", LastName: "N", TokenHash: []byte("a")})
		if err != nil {
			t.Fatal(err)
		}
		const n = 40
		golds := make([]int32, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				v, _, err := stores[i%2].CreateVisit(ctx, game.VisitRequest{PlayerID: p.ID, LocationID: 4,
					Roll: func(game.Location) game.Outcome { return game.Outcome{Gold: int32(i%7*10 - 30), Message: "roll"} }})
				golds[i], errs[i] = v.Gold, err
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, g := range golds {
			sum += int64(g)
		}
		got, err := stores[1].GetPlayer(ctx, p.ID)
		if err != nil || got.Gold != sum {
			t.Errorf("player gold: got %d, %v; want %d, nil", got.Gold, err, sum)
		}
	})

	t.Run("one key raced from both records one visit", func(t *testing.T) {
		p, err := stores[0].CreatePlayer(ctx, game.NewPlayer{FirstName: "Kira", LastName: "N", TokenHash: []byte("b")})
		if err != nil {
			t.Fatal(err)
		}
		const n = 20
		ids := make([]int64, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				v, _, err := stores[i%2].CreateVisit(ctx, game.VisitRequest{PlayerID: p.ID, LocationID: 1, IdempotencyKey: "once", RequestHash: []byte("h"),
					Roll: func(game.Location) game.Outcome { return game.Outcome{Gold: int32(i + 1), Message: "roll"} }})
				ids[i], errs[i] = v.ID, err
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			if id != ids[0] {
				t.Errorf("call %d: got visit %d, want %d", i, id, ids[0])
			}
		}
		vs, err := stores[1].ListVisits(ctx, p.ID, 0, 100)
		if err != nil || len(vs) != 1 {
			t.Fatalf("ListVisits: got %d visits, %v; want 1, nil", len(vs), err)
		}
		if got, err := stores[0].GetPlayer(ctx, p.ID); err != nil || got.Gold != int64(vs[0].Gold) {
			t.Errorf("player gold: got %d, %v; want %d, nil", got.Gold, err, vs[0].Gold)
		}
	})
}

// otherTx begins a transaction, on a pool of its own at url as another
// process would, and runs stmt in it with args. It returns the transaction,
// rolled back when t ends unless committed before, its backend's pid, and
// the pool, which has a connection to spare for watching.
func otherTx(t *testing.T, url, stmt string, args ...any) (tx pgx.Tx, pid int, watch *pgxpool.Pool) {
	t.Helper()
	watch = postgres.Pool(openURL(t, url, postgres.Options{MaxConns: 2}))
	tx, err := watch.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback(context.Background()) })
	if _, err := tx.Exec(t.Context(), stmt, args...); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(t.Context(), `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	return tx, pid, watch
}

// waitBlocked waits until a backend waits on a lock of pid's, failing t
// after 10s saying that what never came.
func waitBlocked(t *testing.T, watch *pgxpool.Pool, pid int, what string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var blocked int
		if err := watch.QueryRow(t.Context(),
			`SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, pid).Scan(&blocked); err != nil {
			t.Fatal(err)
		}
		if blocked > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10s, no %s waits on a lock", what)
		}
	}
}

// heldPlayer opens a store with opts on a schema of its own, makes a
// player there, and locks the player's row from another store's
// transaction, as a visit of another process would, until release (or t's
// end); holder is the backend holding it, and watch the other store's pool,
// free for the test's own queries while s's may all be waiting.
func heldPlayer(t *testing.T, opts postgres.Options) (s *postgres.Store, p game.Player, holder int, release func(), watch *pgxpool.Pool) {
	t.Helper()
	url := pgtest.TestURL(t)
	s = openURL(t, url, opts)
	p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "N", TokenHash: []byte("held")})
	if err != nil {
		t.Fatal(err)
	}
	tx, holder, watch := otherTx(t, url, `SELECT FROM players WHERE id = $1 FOR UPDATE`, p.ID)
	return s, p, holder, func() { tx.Rollback(context.Background()) }, watch
}

// A visit that comes while another process replaces its player's token, or
// deletes the player, waits on the row and is judged on what that change
// committed: its token, the old one, is no one's now. It is never accepted
// with a token the player no longer has, nor answered with a 500 for a row
// that went away under it.
func TestVisitWaitsForATokenChange(t *testing.T) {
	for _, tc := range []struct{ name, change string }{
		{"token replaced", `UPDATE players SET token_hash = 'replaced' WHERE id = $1`},
		{"player deleted", `DELETE FROM players WHERE id = $1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := pgtest.TestURL(t)
			s := openURL(t, url, postgres.Options{MaxConns: 2})
			ctx := t.Context()
			p, err := s.CreatePlayer(ctx, game.NewPlayer{FirstName: "Kira", LastName: "N", TokenHash: []byte("old")})
			if err != nil {
				t.Fatal(err)
			}
			tx, holder, watch := otherTx(t, url, tc.change, p.ID)
			visited := make(chan error, 1)
			go func() {
				_, _, err := s.CreateVisit(ctx, game.VisitRequest{PlayerID: p.ID, LocationID: 1, TokenHash: []byte("old"), Roll: rollFive})
				visited <- err
			}()
			waitBlocked(t, watch, holder, "visit")
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if err := <-visited; !errors.Is(err, game.ErrUnknownToken) {
				t.Errorf("the visit once the change committed: %v (code %q), want ErrUnknownToken", err, game.ErrorCode(err))
			}
			var visits int
			if err := watch.QueryRow(ctx, `SELECT count(*) FROM visits`).Scan(&visits); err != nil || visits != 0 {
				t.Errorf("visits recorded: %d (%v), want none", visits, err)
			}
		})
	}
}

// A burst of visits to one player waits its turn in the process, not in
// the pool: one connection waits on the player's row lock, and the other
// players' requests have the rest of the pool meanwhile. (Without the
// turns, every connection would wait on that lock, and every other request
// with them.)
func TestVisitsToOnePlayerTakeOneConnection(t *testing.T) {
	s, busy, holder, release, watch := heldPlayer(t, postgres.Options{MaxConns: 2})
	ctx := t.Context()
	idle, err := s.CreatePlayer(ctx, game.NewPlayer{FirstName: "Miko", LastName: "N", TokenHash: []byte("b")})
	if err != nil {
		t.Fatal(err)
	}

	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, _, errs[i] = s.CreateVisit(ctx, game.VisitRequest{PlayerID: busy.ID, LocationID: 1, Roll: rollFive})
		})
	}
	// Every visit has come, and one waits on the row.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var blocked int
		if err := watch.QueryRow(ctx,
			`SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, holder).Scan(&blocked); err != nil {
			t.Fatal(err)
		}
		if blocked == 1 && postgres.WaitingWrites(s, busy.ID) == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: %d backends blocked by the row's holder, %d visits holding or waiting for the turn; want 1 and %d",
				blocked, postgres.WaitingWrites(s, busy.ID), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := postgres.Pool(s).Stat().AcquiredConns(); got != 1 {
		t.Errorf("connections taken by the waiting visits: got %d, want 1", got)
	}
	readCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := s.GetPlayer(readCtx, idle.ID); err != nil {
		t.Errorf("another player read while the visits wait: %v", err)
	}
	if _, _, err := s.CreateVisit(readCtx, game.VisitRequest{PlayerID: idle.ID, LocationID: 1, Roll: rollFive}); err != nil {
		t.Errorf("another player's visit while the visits wait: %v", err)
	}

	release()
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetPlayer(ctx, busy.ID); err != nil || got.Gold != 5*n {
		t.Errorf("player gold: got %d, %v; want %d, nil", got.Gold, err, 5*n)
	}
	if got := postgres.WaitingWrites(s, busy.ID); got != 0 {
		t.Errorf("turns left behind: %d", got)
	}
}

// The wait for a player's turn counts in the call timeout: a visit that
// waits behind one stuck on the row lock is unavailable in time as that one
// is, and leaves the queue.
func TestPlayerTurnWaitIsBounded(t *testing.T) {
	s, p, _, release, _ := heldPlayer(t, postgres.Options{MaxConns: 2, CallTimeout: 300 * time.Millisecond})
	ctx := t.Context()
	const n = 3
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if i == 1 {
				_, errs[i] = s.ReplaceToken(ctx, p.ID, nil, []byte("b"))
			} else {
				_, _, errs[i] = s.CreateVisit(ctx, game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: rollFive})
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		var ge *game.Error
		if !errors.As(err, &ge) || ge.Code != game.EUNAVAILABLE || ge.Message != "The database did not answer in time." {
			t.Errorf("write %d: got %v, want %s: The database did not answer in time.", i, err, game.EUNAVAILABLE)
		}
	}
	if got := postgres.WaitingWrites(s, p.ID); got != 0 {
		t.Errorf("turns left behind: %d", got)
	}
	release()
	if _, _, err := s.CreateVisit(ctx, game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: rollFive}); err != nil {
		t.Errorf("a visit once the row is free: %v", err)
	}
}

// A write that waits past its deadline for its player's turn was never
// sent to the database: the client hears the database did not answer, as
// from a wait on the row, and the error says it waited for the turn.
func TestPlayerTurnWaitSaysWhy(t *testing.T) {
	s, p, _, release, _ := heldPlayer(t, postgres.Options{MaxConns: 2})
	first := make(chan error, 1)
	go func() {
		_, _, err := s.CreateVisit(context.Background(), game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: rollFive})
		first <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); postgres.WaitingWrites(s, p.ID) != 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first visit never took the turn")
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, _, err := s.CreateVisit(ctx, game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: rollFive})
	var ge *game.Error
	if !errors.As(err, &ge) || ge.Code != game.EUNAVAILABLE || ge.Message != "The database did not answer in time." ||
		!strings.Contains(err.Error(), "held by its earlier writes in this process") {
		t.Errorf("the visit that waited for the turn: %v, want %s saying it waited for the player's earlier writes", err, game.EUNAVAILABLE)
	}
	release()
	if err := <-first; err != nil {
		t.Errorf("the first visit, once the row is free: %v", err)
	}
}

// A visit without a key whose location cannot be read (the table locked by
// another process past the statement timeout) is unavailable, as a database
// that did not answer in time, rolls
// nothing and records nothing: the read's error is not taken for a
// location.
func TestVisitWhoseLocationCannotBeRead(t *testing.T) {
	url := pgtest.TestURL(t)
	s := openURL(t, url, postgres.Options{MaxConns: 2, StatementTimeout: 200 * time.Millisecond, CallTimeout: 3 * time.Second})
	ctx := t.Context()
	p, err := s.CreatePlayer(ctx, game.NewPlayer{FirstName: "Kira", LastName: "N", TokenHash: []byte("h")})
	if err != nil {
		t.Fatal(err)
	}
	tx, _, watch := otherTx(t, url, `LOCK TABLE locations IN ACCESS EXCLUSIVE MODE`)
	var rolled atomic.Int32
	_, _, err = s.CreateVisit(ctx, game.VisitRequest{PlayerID: p.ID, LocationID: 1, TokenHash: []byte("h"),
		Roll: func(loc game.Location) game.Outcome { rolled.Add(1); return rollFive(loc) }})
	if game.ErrorCode(err) != game.EUNAVAILABLE || game.ErrorMessage(err) != "The database did not answer in time." {
		t.Errorf("the visit while its location cannot be read: %v (code %q), want %s saying the database did not answer in time (its statement timeout)", err, game.ErrorCode(err), game.EUNAVAILABLE)
	}
	if n := rolled.Load(); n != 0 {
		t.Errorf("rolled %d times, want none", n)
	}
	tx.Rollback(ctx)
	var visits int
	if err := watch.QueryRow(ctx, `SELECT count(*) FROM visits`).Scan(&visits); err != nil || visits != 0 {
		t.Errorf("visits recorded: %d (%v), want none", visits, err)
	}
}

// The caller's own deadline, passed while a visit waits on the row, comes
// back as the context's error, as wrap says, not as a database that did not
// answer: the api answers both with the same 503, and logs the request's
// deadline for this one. The turn is left.
func TestRowWaitPastTheCallersDeadline(t *testing.T) {
	s, p, _, _, _ := heldPlayer(t, postgres.Options{MaxConns: 2})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, _, err := s.CreateVisit(ctx, game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: rollFive})
	var ge *game.Error
	if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ge) {
		t.Errorf("the visit past its caller's deadline: %v, want context.DeadlineExceeded", err)
	}
	if got := postgres.WaitingWrites(s, p.ID); got != 0 {
		t.Errorf("turns left behind: %d", got)
	}
}

// A database whose default isolation is SERIALIZABLE (ALTER DATABASE ...
// SET default_transaction_isolation, or the URL's parameter, as here) must
// not fail the visits that queue on one player's row: the store's
// transactions read committed whatever the default.
func TestVisitsQueueUnderAStricterDefaultIsolation(t *testing.T) {
	u, err := url.Parse(pgtest.TestURL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("default_transaction_isolation", "serializable")
	u.RawQuery = q.Encode()
	s := openURL(t, u.String(), postgres.Options{MaxConns: testConns})
	ctx := t.Context()

	var level string
	if err := postgres.Pool(s).QueryRow(ctx, "SHOW transaction_isolation").Scan(&level); err != nil || level != "read committed" {
		t.Errorf("transaction_isolation: got %q, %v; want read committed", level, err)
	}
	p, err := s.CreatePlayer(ctx, game.NewPlayer{FirstName: "Kira", LastName: "N", TokenHash: []byte("a")})
	if err != nil {
		t.Fatal(err)
	}
	const n = 64
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, _, errs[i] = s.CreateVisit(ctx, game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: rollFive})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetPlayer(ctx, p.ID); err != nil || got.Gold != 5*n {
		t.Errorf("player gold: got %d, %v; want %d, nil", got.Gold, err, 5*n)
	}
}

// proxy forwards TCP connections to a server, so a test can cut them.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	// cutAfterCommit, while set, has the proxy pass a client's COMMIT on
	// to the server and cut that client's connection once the server
	// answers: the server has committed, and the client never hears so.
	cutAfterCommit atomic.Bool
	// trap, while set, stops the next message a client sends that holds
	// its pattern (see holdNext and cutAt).
	trap atomic.Pointer[trap]
}

// trap is a message the proxy waits for: it closes held once the message
// comes, before the server has it, and waits for release; then, with cut,
// it cuts the client's connection, and else it passes the message on.
type trap struct {
	pattern       []byte
	cut           bool
	held, release chan struct{}
}

// holdNext holds the next message a client sends that holds pattern, which
// for a query pgx has not yet prepared on its connection is the query's
// text: held is closed once it is held, and release lets it pass (it is
// released when t ends, too).
func (p *proxy) holdNext(t *testing.T, pattern string) (held <-chan struct{}, release func()) {
	tr := &trap{pattern: []byte(pattern), held: make(chan struct{}), release: make(chan struct{})}
	p.trap.Store(tr)
	release = sync.OnceFunc(func() { close(tr.release) })
	t.Cleanup(release)
	return tr.held, release
}

// cutAt cuts the connection of the next client that sends a message holding
// pattern, before the server has it.
func (p *proxy) cutAt(pattern string) {
	tr := &trap{pattern: []byte(pattern), cut: true, held: make(chan struct{}), release: make(chan struct{})}
	close(tr.release)
	p.trap.Store(tr)
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		var committed atomic.Bool
		go p.forward(s, c, &committed)
		go p.backward(c, s, &committed)
	}
}

// forward copies what client sends to server until either ends, and then
// closes server. While cutAfterCommit is set, it marks a COMMIT it passes
// on as committed, for backward. (pgx sends a COMMIT as a simple query
// message: 'Q', its length, 11, and "commit" ending in a zero byte.) A
// trap's message is held, or cut, before it is passed on.
func (p *proxy) forward(server, client net.Conn, committed *atomic.Bool) {
	commit := []byte("Q\x00\x00\x00\x0bcommit\x00")
	buf := make([]byte, 32<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			if tr := p.trap.Load(); tr != nil && bytes.Contains(buf[:n], tr.pattern) && p.trap.CompareAndSwap(tr, nil) {
				close(tr.held)
				<-tr.release
				if tr.cut {
					client.Close()
					break
				}
			}
			if p.cutAfterCommit.Load() && bytes.Contains(buf[:n], commit) {
				committed.Store(true) // before the server can answer
			}
			if _, werr := server.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	server.Close()
}

// backward copies what server sends to client until either ends, and then
// closes client; once forward has passed a COMMIT on under cutAfterCommit,
// it closes client instead of passing the server's answer on: the server
// has committed by then (the client sends nothing more until it hears), and
// the client never hears so.
func (p *proxy) backward(client, server net.Conn, committed *atomic.Bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := server.Read(buf)
		// Read once: what was read after the COMMIT was marked is its
		// answer, while a second look could cut a connection before the
		// COMMIT has even reached the server.
		cut := committed.Load()
		if n > 0 && !cut {
			if _, werr := client.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil || cut {
			break
		}
	}
	client.Close()
}

// drop cuts every connection the proxy carries now; new ones still pass.
func (p *proxy) drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// close stops the proxy: the server is unreachable from then on.
func (p *proxy) close() {
	p.ln.Close()
	p.drop()
}

// proxied returns a store reaching the database of a fresh schema through a
// proxy, and the URL that reaches that schema directly.
func proxied(t *testing.T) (*postgres.Store, *proxy, string) {
	t.Helper()
	return proxiedWith(t, postgres.Options{ConnectTimeout: time.Second})
}

// proxiedWith is proxied with opts.
func proxiedWith(t *testing.T, opts postgres.Options) (*postgres.Store, *proxy, string) {
	t.Helper()
	direct := pgtest.TestURL(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	return openURL(t, u.String(), opts), p, direct
}

// Ping is bounded by the connect timeout when no call timeout is set (a
// readiness probe must answer while the database does not), and by the
// call timeout when that is the shorter.
func TestPingIsBounded(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   postgres.Options
		caller time.Duration // the caller's own deadline, far past the bound
	}{
		{"by the connect timeout", postgres.Options{ConnectTimeout: 300 * time.Millisecond}, 20 * time.Second},
		{"by a shorter call timeout", postgres.Options{ConnectTimeout: 20 * time.Second, CallTimeout: 300 * time.Millisecond}, 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, p, _ := proxiedWith(t, tc.opts)
			held, release := p.holdNext(t, "")
			ctx, cancel := context.WithTimeout(t.Context(), tc.caller)
			defer cancel()
			err := s.Ping(ctx)
			if game.ErrorCode(err) != game.EUNAVAILABLE || ctx.Err() != nil {
				t.Errorf("Ping while the database does not answer: %v (the caller's %v deadline passed: %v), want %s before it",
					err, tc.caller, ctx.Err() != nil, game.EUNAVAILABLE)
			}
			select {
			case <-held:
			default:
				t.Fatal("no message was held: the database never stopped answering")
			}
			release()
			if err := s.Ping(t.Context()); err != nil {
				t.Errorf("Ping once the database answers again: %v", err)
			}
		})
	}
}

// storeCalls are a ping, two reads and a write, for the tests of
// connections the server ends: each must succeed on a new connection or be
// unavailable.
var storeCalls = []struct {
	name string
	call func(ctx context.Context, s *postgres.Store, playerID int64) error
}{
	{"Ping", func(ctx context.Context, s *postgres.Store, _ int64) error { return s.Ping(ctx) }},
	{"GetPlayer", func(ctx context.Context, s *postgres.Store, id int64) error {
		_, err := s.GetPlayer(ctx, id)
		return err
	}},
	{"ListVisits", func(ctx context.Context, s *postgres.Store, id int64) error {
		_, err := s.ListVisits(ctx, id, 0, 10)
		return err
	}},
	{"CreateVisit", func(ctx context.Context, s *postgres.Store, id int64) error {
		_, _, err := s.CreateVisit(ctx, game.VisitRequest{PlayerID: id, LocationID: 1, Roll: rollFive})
		return err
	}},
}

func rollFive(game.Location) game.Outcome { return game.Outcome{Gold: 5, Message: "+5"} }

// A COMMIT whose answer never came may have been applied: the store must
// not run the visit again, which would record it and move its gold twice,
// but answer that the database is unavailable. The proxy passes the visit's
// COMMIT on and cuts the connection, so the server commits and the store
// hears nothing.
func TestLostCommitIsNotRetried(t *testing.T) {
	s, p, _ := proxied(t)
	pl, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "K", LastName: "N", TokenHash: []byte("h")})
	if err != nil {
		t.Fatal(err)
	}
	var rolls atomic.Int64
	p.cutAfterCommit.Store(true)
	_, _, err = s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: pl.ID, LocationID: 1, Roll: func(l game.Location) game.Outcome {
		rolls.Add(1)
		return rollFive(l)
	}})
	p.cutAfterCommit.Store(false)
	// The client is told the write may have happened, not only to retry.
	var ge *game.Error
	if !errors.As(err, &ge) || ge.Code != game.EUNAVAILABLE || ge.Message != postgres.CommitUnknown {
		t.Errorf("CreateVisit: got %v (code %q), want %q: %s", err, game.ErrorCode(err), game.EUNAVAILABLE, postgres.CommitUnknown)
	}
	if got := rolls.Load(); got != 1 {
		t.Errorf("the visit rolled %d times, want once: a commit that may have been applied was run again", got)
	}
	vs, err := s.ListVisits(t.Context(), pl.ID, 0, 10)
	if err != nil || len(vs) != 1 {
		t.Fatalf("ListVisits: got %d visits, %v; want the one the server committed", len(vs), err)
	}
	if got, err := s.GetPlayer(t.Context(), pl.ID); err != nil || got.Gold != 5 {
		t.Errorf("player gold: got %d, %v; want 5", got.Gold, err)
	}
}

// A COMMIT the server has not answered when the call's time is up, or the
// caller's deadline has passed, may yet be applied: the caller hears that it
// may have been, not only that the database did not answer.
func TestCommitUnansweredInTime(t *testing.T) {
	for _, c := range []struct {
		name string
		opts postgres.Options
		ctx  func(t *testing.T) context.Context
	}{
		{"the call timeout", postgres.Options{ConnectTimeout: time.Second, CallTimeout: time.Second},
			func(t *testing.T) context.Context { return t.Context() }},
		{"the caller's deadline", postgres.Options{ConnectTimeout: time.Second},
			func(t *testing.T) context.Context {
				ctx, cancel := context.WithTimeout(t.Context(), time.Second)
				t.Cleanup(cancel)
				return ctx
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, p, direct := proxiedWith(t, c.opts)
			pl, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "K", LastName: "N", TokenHash: []byte("h")})
			if err != nil {
				t.Fatal(err)
			}
			held, release := p.holdNext(t, "Q\x00\x00\x00\x0bcommit\x00") // pgx's COMMIT, a simple query
			_, _, err = s.CreateVisit(c.ctx(t), game.VisitRequest{PlayerID: pl.ID, LocationID: 1, Roll: rollFive})
			select {
			case <-held:
			default:
				t.Fatal("the COMMIT was never held")
			}
			var ge *game.Error
			if !errors.As(err, &ge) || ge.Code != game.EUNAVAILABLE || ge.Message != postgres.CommitUnknown {
				t.Errorf("CreateVisit: got %v (code %q), want %q: %s", err, game.ErrorCode(err), game.EUNAVAILABLE, postgres.CommitUnknown)
			}
			release()
			// Once it reaches the server, the COMMIT is applied, as the message warned.
			deadline := time.Now().Add(10 * time.Second)
			for {
				var gold int64
				conn, err := pgx.Connect(t.Context(), direct)
				if err != nil {
					t.Fatal(err)
				}
				err = conn.QueryRow(t.Context(), `SELECT gold FROM players WHERE id = $1`, pl.ID).Scan(&gold)
				conn.Close(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if gold == 5 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("player gold %d 10s after the COMMIT was let through; the test expected the server to apply it", gold)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

// twoPartPage makes six players through s, the first three with 2 gold and
// the others with 1, and returns the page of most gold first after the
// first player, which reads in two parts (see playersPage): the two others
// with 2 gold, then, past the query of those with less gold ("gold < $1",
// the pattern to trap it by), the three with 1. want is its players' ids.
func twoPartPage(t *testing.T, s *postgres.Store, direct string) (page game.PlayerPage, want []int64) {
	t.Helper()
	var ids []int64
	for i := range 6 {
		p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: fmt.Append(nil, "page", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	exec(t, direct, `UPDATE players SET gold = CASE WHEN id <= $1 THEN 2 ELSE 1 END`, ids[2])
	return game.PlayerPage{Sort: game.ByGoldDesc, Limit: 10, After: &game.PlayerKey{Gold: 2, ID: ids[0]}}, ids[1:]
}

func idsOf(ps []game.Player) []int64 {
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

// A page read in two parts that loses its connection is read again whole:
// between the parts, the retry starts the page afresh, and does not add its
// first part to the one read before the cut; at its read-only COMMIT, it
// has applied nothing, and is read again, not answered as a write that may
// have been applied.
func TestPlayerPageRetriedWhole(t *testing.T) {
	for _, c := range []struct{ where, pattern string }{
		{"between the parts", "gold < $1"}, // the second part's query, sent as text
		{"at the COMMIT", "Q\x00\x00\x00\x0bcommit\x00"},
	} {
		t.Run(c.where, func(t *testing.T) {
			s, p, direct := proxied(t)
			page, want := twoPartPage(t, s, direct)
			p.cutAt(c.pattern)
			got, err := s.ListPlayers(t.Context(), page)
			if err != nil {
				t.Fatalf("ListPlayers with its connection cut %s: %v, want the page read again", c.where, err)
			}
			if p.trap.Load() != nil {
				t.Fatalf("the connection was not cut: nothing holding %q was sent", c.pattern)
			}
			if !slices.Equal(idsOf(got), want) {
				t.Errorf("page read again after a cut: players %v, want %v", idsOf(got), want)
			}
		})
	}
}

// The two parts of a page read one snapshot: a player that another
// connection moves from the first part's gold to the second's, between the
// parts, is on the page once, where the first part found it. (The other
// parts of this are PlayerPagesReadOneSnapshot's, which races the moves.)
func TestPlayerPagePartsReadOneSnapshot(t *testing.T) {
	s, p, direct := proxied(t)
	page, want := twoPartPage(t, s, direct)
	held, release := p.holdNext(t, "gold < $1")
	type result struct {
		ps  []game.Player
		err error
	}
	done := make(chan result, 1)
	go func() {
		ps, err := s.ListPlayers(t.Context(), page)
		done <- result{ps, err}
	}()
	select {
	case <-held:
	case r := <-done:
		t.Fatalf("ListPlayers returned %v, %v without sending the second part's query as text", idsOf(r.ps), r.err)
	}
	// Bounded: should the page's transaction come to hold a lock the
	// update waits for, the test fails rather than waiting for ever.
	moveCtx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(moveCtx, direct)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(moveCtx, `UPDATE players SET gold = 1 WHERE id = $1`, want[0]); err != nil {
		t.Fatalf("moving player %d between the page's parts: %v", want[0], err)
	}
	release()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !slices.Equal(idsOf(r.ps), want) {
		t.Errorf("page with player %d moved between its parts: players %v, want %v", want[0], idsOf(r.ps), want)
	}
}

// A visit is stamped when it records, not when its transaction began: one
// that began before another visit of the player recorded, and recorded
// after it, is stamped after it (as a visit that waited for the player's
// lock does), so a player's visits in id order are in time order too. The
// proxy holds the first visit's first statement, after its BEGIN, while a
// second store, as another instance, records the other.
func TestVisitsAreStampedWhenTheyRecord(t *testing.T) {
	s, p, direct := proxied(t)
	other := openURL(t, direct, postgres.Options{})
	pl, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "K", LastName: "N", TokenHash: []byte("h")})
	if err != nil {
		t.Fatal(err)
	}
	visit := game.VisitRequest{PlayerID: pl.ID, LocationID: 1, Roll: rollFive}
	held, release := p.holdNext(t, "pg_advisory_xact_lock_shared")
	done := make(chan error, 1)
	go func() {
		_, _, err := s.CreateVisit(t.Context(), visit)
		done <- err
	}()
	select {
	case <-held:
	case err := <-done:
		t.Fatalf("CreateVisit returned %v without sending its lock's query as text", err)
	}
	// Bounded: should the held transaction come to hold the player's lock
	// first, this visit fails rather than waiting for ever.
	otherCtx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, _, err := other.CreateVisit(otherCtx, visit); err != nil {
		t.Fatalf("the other visit, while the first is held: %v", err)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	vs, err := s.ListVisits(t.Context(), pl.ID, 0, 10)
	if err != nil || len(vs) != 2 {
		t.Fatalf("ListVisits: %d visits, %v; want 2", len(vs), err)
	}
	if newer, older := vs[0], vs[1]; !newer.CreatedAt.After(older.CreatedAt) {
		t.Errorf("visit %d, recorded second, is stamped %v, not after visit %d's %v",
			newer.ID, newer.CreatedAt.Format(time.RFC3339Nano), older.ID, older.CreatedAt.Format(time.RFC3339Nano))
	}
}

// A location update that waited for another's lock is stamped when it
// writes, after the update it waited for: not at its transaction's start,
// which came before that one's commit.
func TestLocationUpdatesAreStampedWhenTheyWrite(t *testing.T) {
	s, p, direct := proxied(t)
	other := openURL(t, direct, postgres.Options{})
	rename := func(name string) func(*game.Location) error {
		return func(l *game.Location) error { l.Name = name; return nil }
	}
	type result struct {
		l   game.Location
		err error
	}
	held, release := p.holdNext(t, "pg_advisory_xact_lock($1")
	done := make(chan result, 1)
	go func() {
		l, err := s.UpdateLocation(t.Context(), 1, rename("Farmstead"))
		done <- result{l, err}
	}()
	select {
	case <-held:
	case r := <-done:
		t.Fatalf("UpdateLocation returned %v without sending its lock's query as text", r.err)
	}
	otherCtx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	first, err := other.UpdateLocation(otherCtx, 1, rename("Homestead"))
	if err != nil {
		t.Fatalf("the other update, while the first is held: %v", err)
	}
	release()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.l.Version != first.Version+1 || !r.l.UpdatedAt.After(first.UpdatedAt) {
		t.Errorf("the update written second: version %d stamped %v, want version %d stamped after %v",
			r.l.Version, r.l.UpdatedAt.Format(time.RFC3339Nano), first.Version+1, first.UpdatedAt.Format(time.RFC3339Nano))
	}
}

func TestLostConnections(t *testing.T) {
	for _, c := range storeCalls {
		t.Run(c.name+" succeeds after the pool's connections drop", func(t *testing.T) {
			s, p, _ := proxied(t)
			pl, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "K", LastName: "N", TokenHash: []byte("h")})
			if err != nil {
				t.Fatal(err)
			}
			p.drop()
			if err := c.call(t.Context(), s, pl.ID); err != nil {
				t.Errorf("got error %v, want nil", err)
			}
		})
	}

	for _, c := range storeCalls {
		t.Run(c.name+" is unavailable when the database cannot be reached", func(t *testing.T) {
			s, p, _ := proxied(t)
			pl, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "K", LastName: "N", TokenHash: []byte("h")})
			if err != nil {
				t.Fatal(err)
			}
			p.close()
			// The proxy refuses every connection now: the store must
			// give up on its own, after its retries, and report the
			// database unavailable, not wait until the caller's deadline
			// (ten times its connect timeout) ends the call.
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			err = c.call(ctx, s, pl.ID)
			if got := game.ErrorCode(err); got != game.EUNAVAILABLE {
				t.Errorf("got error %v (code %q), want code %q", err, got, game.EUNAVAILABLE)
			}
			if ctx.Err() != nil {
				t.Errorf("the call returned only when the caller's 10s deadline passed, want the store to report the database unavailable on its own")
			}
		})
	}

	for _, c := range storeCalls {
		t.Run(c.name+" is unavailable in time when the database stops answering", func(t *testing.T) {
			s, p, _ := proxiedWith(t, postgres.Options{ConnectTimeout: time.Second, CallTimeout: 2 * time.Second})
			pl, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "K", LastName: "N", TokenHash: []byte("h")})
			if err != nil {
				t.Fatal(err)
			}
			// The next message a connection sends is held: the server
			// never answers it, as behind a network partition, and the
			// statement timeout, which the server keeps, never ends it.
			held, release := p.holdNext(t, "")
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			err = c.call(ctx, s, pl.ID)
			var ge *game.Error
			if !errors.As(err, &ge) || ge.Code != game.EUNAVAILABLE || ge.Message != "The database did not answer in time." {
				t.Errorf("got error %v (code %q), want %q: The database did not answer in time.", err, game.ErrorCode(err), game.EUNAVAILABLE)
			}
			if ctx.Err() != nil {
				t.Errorf("the call returned only when the caller's 20s deadline passed, want the store's call timeout to end it")
			}
			select {
			case <-held:
			default:
				t.Fatal("no message was held: the database never stopped answering")
			}
			release()
			if err := c.call(t.Context(), s, pl.ID); err != nil {
				t.Errorf("once the database answers again: got error %v, want nil", err)
			}
		})
	}

	t.Run("calls succeed after the server terminates the pool's connections", func(t *testing.T) {
		testURL := pgtest.TestURL(t)
		app := "ninjagold-test-" + strings.TrimPrefix(schemaOf(t, testURL), "test_")
		u, err := url.Parse(withParam(t, testURL, "application_name", app))
		if err != nil {
			t.Fatal(err)
		}
		s := openURL(t, u.String(), postgres.Options{})
		pl, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "K", LastName: "N", TokenHash: []byte("h")})
		if err != nil {
			t.Fatal(err)
		}

		var terminated int
		query(t, u.String(), fmt.Sprintf(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '%s' AND pid <> pg_backend_pid()`, app), &terminated)
		if terminated == 0 {
			t.Fatal("terminated no backend, want the pool's")
		}
		for deadline := time.Now().Add(5 * time.Second); ; {
			var left int
			query(t, u.String(), fmt.Sprintf(`SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s' AND pid <> pg_backend_pid()`, app), &left)
			if left == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d backends still alive after 5s", left)
			}
			time.Sleep(10 * time.Millisecond)
		}
		for _, c := range storeCalls {
			if err := c.call(t.Context(), s, pl.ID); err != nil {
				t.Errorf("%s: got error %v, want nil", c.name, err)
			}
		}
	})
}

// A server with idle_session_timeout (common on managed PostgreSQL) ends a
// pooled connection that sat idle, and the next call on it hears 57P05:
// the call is retried on a new connection, not failed as a 500.
func TestIdleSessionTimeoutIsRetried(t *testing.T) {
	// The timeout is long enough for Open's own statements, which a busy
	// machine can leave idle between them for a few hundred milliseconds
	// (and the schema is migrated first, without it, so that Open has only
	// a few reads to make), and the sleep short enough to stay under pgxpool's check of
	// a connection idle for over a second (which would find the ended
	// session itself and leave the retry untested).
	u := pgtest.TestURL(t)
	openURL(t, u, postgres.Options{})
	s := openURL(t, withParam(t, u, "idle_session_timeout", "350" /* milliseconds */), postgres.Options{})
	pl, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "K", LastName: "N", TokenHash: []byte("h")})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range storeCalls {
		time.Sleep(800 * time.Millisecond) // the pool's connections time out meanwhile
		if err := c.call(t.Context(), s, pl.ID); err != nil {
			t.Errorf("%s after an idle spell: %v, want nil", c.name, err)
		}
	}
}

// A transaction PostgreSQL rolls back for clashing with another (40001
// serialization_failure, 40P01 deadlock_detected) is run again, up to
// four attempts in all; past them the call is unavailable (503) and has
// written nothing. A trigger on the visits table raises the clash for the
// first attempts, counted by a sequence, which a rollback does not undo.
func TestConflictsAreRetried(t *testing.T) {
	for _, code := range []string{"40001", "40P01"} {
		for _, c := range []struct {
			clashes int
			ok      bool
		}{{3, true}, {10, false}} {
			t.Run(fmt.Sprintf("%s %d times", code, c.clashes), func(t *testing.T) {
				u := pgtest.TestURL(t)
				s := openURL(t, u, postgres.Options{})
				pl, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "K", LastName: "N", TokenHash: []byte("h")})
				if err != nil {
					t.Fatal(err)
				}
				schema := pgx.Identifier{schemaOf(t, u)}.Sanitize()
				exec(t, u, `CREATE SEQUENCE `+schema+`.attempts`)
				exec(t, u, fmt.Sprintf(`CREATE FUNCTION %s.clash() RETURNS trigger LANGUAGE plpgsql AS $$
					BEGIN
						IF nextval('%s.attempts') <= %d THEN
							RAISE EXCEPTION 'a clash, made up' USING ERRCODE = '%s';
						END IF;
						RETURN NEW;
					END $$`, schema, schema, c.clashes, code))
				exec(t, u, `CREATE TRIGGER clash BEFORE INSERT ON `+schema+`.visits FOR EACH ROW EXECUTE FUNCTION `+schema+`.clash()`)

				start := time.Now()
				_, _, err = s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: pl.ID, LocationID: 1, Roll: rollFive})
				took := time.Since(start)
				var attempts, visits, gold int64
				query(t, u, `SELECT last_value FROM `+schema+`.attempts`, &attempts)
				query(t, u, `SELECT count(*) FROM `+schema+`.visits`, &visits)
				query(t, u, fmt.Sprintf(`SELECT gold FROM %s.players WHERE id = %d`, schema, pl.ID), &gold)
				if attempts != 4 {
					t.Errorf("%d attempts, want 4", attempts)
				}
				// The retries back off, 10, 40 and 90 ms at the least: a
				// lower bound, which a loaded machine only passes more.
				if took < 140*time.Millisecond {
					t.Errorf("four attempts took %v, want the backoffs between them, 140ms at the least", took)
				}
				if c.ok {
					if err != nil || visits != 1 || gold != 5 {
						t.Errorf("got %v, %d visits, %d gold; want the visit written once", err, visits, gold)
					}
					return
				}
				if game.ErrorCode(err) != game.EUNAVAILABLE || visits != 0 || gold != 0 {
					t.Errorf("got %v, %d visits, %d gold; want EUNAVAILABLE and nothing written", err, visits, gold)
				}
			})
		}
	}
}

// A column's type changed under a running server (a migration another
// instance applied) makes the statements a connection prepared before it
// fail with "cached plan must not change result type": the call is retried
// and prepares them anew, rather than failing as a 500.
func TestColumnTypeChangeIsRetried(t *testing.T) {
	// The one connection holds the prepared statement.
	testURL := pgtest.TestURL(t)
	s := openURL(t, withParam(t, testURL, "pool_max_conns", "1"), postgres.Options{})
	pl, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "N", TokenHash: []byte("h")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetPlayer(t.Context(), pl.ID); err != nil {
		t.Fatal(err)
	}
	exec(t, pgtest.TestURL(t), `ALTER TABLE `+schemaOf(t, testURL)+`.players ALTER COLUMN first_name TYPE varchar(200)`)
	got, err := s.GetPlayer(t.Context(), pl.ID)
	if err != nil {
		t.Fatalf("GetPlayer after the change: %v, want nil", err)
	}
	if got.FirstName != "Kira" {
		t.Errorf("FirstName %q, want Kira", got.FirstName)
	}
}

// An operator's change to the role's rights is a database that cannot
// serve (503), not a bug of the server's (500): the tables' privileges
// revoked, or row-level security turned on with row_security=off in the URL
// (without it, PostgreSQL filters the rows silently: a player not found).
func TestRevokedRightsAreUnavailable(t *testing.T) {
	base := pgtest.TestURL(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	owner := openURL(t, base, postgres.Options{}) // migrates, as the superuser
	pl, err := owner.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "K", LastName: "N", TokenHash: []byte("h")})
	if err != nil {
		t.Fatal(err)
	}
	role := fmt.Sprintf("ninjagold_role_%d", time.Now().UnixNano())
	exec(t, base, `CREATE ROLE `+role+` LOGIN`)
	execAtEnd(t, base, `DROP OWNED BY `+role, `DROP ROLE `+role)
	exec(t, base, `GRANT USAGE, CREATE ON SCHEMA `+schema+` TO `+role)
	exec(t, base, `GRANT ALL ON ALL TABLES IN SCHEMA `+schema+` TO `+role)
	exec(t, base, `GRANT ALL ON ALL SEQUENCES IN SCHEMA `+schema+` TO `+role)
	u.User = url.User(role)
	s := openURL(t, withParam(t, u.String(), "row_security", "off"), postgres.Options{})
	if _, err := s.GetPlayer(t.Context(), pl.ID); err != nil {
		t.Fatalf("GetPlayer as %s before: %v", role, err)
	}

	exec(t, base, `ALTER TABLE `+schema+`.players ENABLE ROW LEVEL SECURITY`)
	_, err = s.GetPlayer(t.Context(), pl.ID)
	if got := game.ErrorCode(err); got != game.EUNAVAILABLE {
		t.Errorf("GetPlayer under row-level security: %v (code %q), want code %q", err, got, game.EUNAVAILABLE)
	}
	exec(t, base, `ALTER TABLE `+schema+`.players DISABLE ROW LEVEL SECURITY`)

	exec(t, base, `REVOKE ALL ON ALL TABLES IN SCHEMA `+schema+` FROM `+role)
	_, err = s.ListLocations(t.Context(), 0, 10)
	if got := game.ErrorCode(err); got != game.EUNAVAILABLE {
		t.Errorf("ListLocations with its rights revoked: %v (code %q), want code %q", err, got, game.EUNAVAILABLE)
	}
}

func TestPoolStats(t *testing.T) {
	s := openURL(t, pgtest.TestURL(t), postgres.Options{MaxConns: 3})
	got := s.PoolStats()
	if len(got) != 1 || got[0].Pool != "main" || got[0].Max != 3 || got[0].Open < 1 || got[0].InUse != 0 {
		t.Errorf("got %+v, want one pool \"main\" of at most 3, open, none in use", got)
	}
}

// A schema a newer build migrated is refused, not served with tables this
// build does not know.
func TestNewerSchemaIsRefused(t *testing.T) {
	url := pgtest.TestURL(t)
	openURL(t, url, postgres.Options{MaxConns: testConns})
	exec(t, url, `INSERT INTO schema_migrations (version, name) VALUES (999, '999_future.sql')`)
	if s, err := postgres.Open(t.Context(), url, postgres.Options{MaxConns: testConns}); err == nil || !errors.Is(err, migration.ErrNewer) {
		if s != nil {
			s.Close()
		}
		t.Errorf("Open = %v, want a refusal of the newer schema", err)
	}
}

// A schema_migrations of another tool's (another application's schema) is
// refused, naming its columns, as is one that is no table, and nothing is
// created beside it: its versions are not this game's migrations applied,
// nor newer ones.
func TestOtherToolsMigrationsTableIsRefused(t *testing.T) {
	for _, tc := range []struct{ name, table, want string }{
		{"golang-migrate's", `CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (1, false)`,
			"its schema_migrations has the columns (version, dirty), not this game's (version, name, applied_at): another tool's migrations"},
		{"Rails'", `CREATE TABLE schema_migrations (version varchar PRIMARY KEY); INSERT INTO schema_migrations VALUES ('20240101000000')`,
			"its schema_migrations has the columns (version), not this game's (version, name, applied_at): another tool's migrations"},
		{"a sequence", `CREATE SEQUENCE schema_migrations`, `its schema_migrations is no table (pg_class.relkind "S")`},
		{"a view", `CREATE VIEW schema_migrations AS SELECT 1 AS version, 'x' AS name, now() AS applied_at`, `its schema_migrations is no table (pg_class.relkind "v")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := pgtest.TestURL(t)
			exec(t, url, tc.table)
			s, err := postgres.Open(t.Context(), url, postgres.Options{MaxConns: testConns})
			if err == nil {
				s.Close()
				t.Fatal("Open: no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open: %v, want it to say %q", err, tc.want)
			}
			conn, err := pgx.Connect(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			var tables []string
			rows, err := conn.Query(t.Context(), `SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`)
			if err == nil {
				tables, err = pgx.CollectRows(rows, pgx.RowTo[string])
			}
			if err != nil || len(tables) > 0 && !slices.Equal(tables, []string{"schema_migrations"}) {
				t.Errorf("tables after the refusal: %v (%v), want none but schema_migrations", tables, err)
			}
		})
	}
}

// A schema created on the search_path ahead of the one holding the tables
// (one named for the user, say) is not silently given an empty game of its
// own; named alone, it is.
func TestSearchPathAheadOfTheTablesIsRefused(t *testing.T) {
	withPath := func(base, path string) string { return withParam(t, base, "search_path", path) }
	held, empty := pgtest.TestURL(t), pgtest.TestURL(t)
	heldSchema, emptySchema := schemaOf(t, held), schemaOf(t, empty)
	if s := openURL(t, held, postgres.Options{MaxConns: testConns}); s.Schema() != heldSchema {
		t.Errorf("Schema() = %q, want %q", s.Schema(), heldSchema)
	}

	both := withPath(held, emptySchema+","+heldSchema)
	s, err := postgres.Open(t.Context(), both, postgres.Options{MaxConns: testConns})
	if err == nil {
		s.Close()
		t.Fatalf("Open with search_path %s,%s succeeded, want a refusal", emptySchema, heldSchema)
	}
	if msg := err.Error(); !strings.Contains(msg, `schema "`+emptySchema+`"`) || !strings.Contains(msg, "search_path="+heldSchema) {
		t.Errorf("Open = %v, want it to name both schemas", err)
	}
	var tables int
	conn, err := pgx.Connect(t.Context(), empty)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_tables WHERE schemaname = $1`, emptySchema).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("%d tables (%v) in %s after the refusal, want none", tables, err, emptySchema)
	}

	// Another tool's schema_migrations (golang-migrate's, say) later on the
	// path is no game of this service's.
	other := pgtest.TestURL(t)
	otherSchema := schemaOf(t, other)
	oc, err := pgx.Connect(t.Context(), other)
	if err != nil {
		t.Fatal(err)
	}
	defer oc.Close(context.Background())
	if _, err := oc.Exec(t.Context(), `CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if s := openURL(t, withPath(held, emptySchema+","+otherSchema), postgres.Options{MaxConns: testConns}); s.Schema() != emptySchema {
		t.Errorf("Schema() = %q ahead of another tool's schema_migrations, want %q", s.Schema(), emptySchema)
	}

	if s := openURL(t, withPath(held, heldSchema+","+emptySchema), postgres.Options{MaxConns: testConns}); s.Schema() != heldSchema {
		t.Errorf("Schema() = %q with the tables' schema first, want %q", s.Schema(), heldSchema)
	}
	if s := openURL(t, empty, postgres.Options{MaxConns: testConns}); s.Schema() != emptySchema {
		t.Errorf("Schema() = %q with the empty schema alone, want %q", s.Schema(), emptySchema)
	}
}

// The store keeps to the schema it found at the start. A schema created
// later ahead of it on the search_path, holding the tables of another game
// (another deployment migrated into it), takes none of this store's reads
// or writes, not even on the connections the store makes afterwards.
func TestSchemaFoundAtStartIsKept(t *testing.T) {
	held := pgtest.TestURL(t)
	heldSchema := schemaOf(t, held)
	late := "late_" + heldSchema // created below, dropped when t ends
	lateQuoted := pgx.Identifier{late}.Sanitize()
	base := pgtest.Base(t)
	execAtEnd(t, base, `DROP SCHEMA IF EXISTS `+lateQuoted+` CASCADE`)

	s := openURL(t, withParam(t, held, "search_path", late+","+heldSchema), postgres.Options{MaxConns: testConns})
	if s.Schema() != heldSchema {
		t.Fatalf("Schema() = %q, want %q (%s does not exist yet)", s.Schema(), heldSchema, late)
	}
	ctx := t.Context()
	if _, err := s.CreatePlayer(ctx, game.NewPlayer{FirstName: "Before", LastName: "Sato", TokenHash: []byte("before")}); err != nil {
		t.Fatal(err)
	}

	exec(t, base, `CREATE SCHEMA `+lateQuoted)
	other := openURL(t, withParam(t, held, "search_path", late), postgres.Options{MaxConns: testConns})
	if other.Schema() != late {
		t.Fatalf("the other store's Schema() = %q, want %q", other.Schema(), late)
	}

	// Once on the connections the store has, then on new ones after every
	// one it had was closed.
	var ids []int64
	for i := range 2 {
		if i == 1 {
			postgres.Pool(s).Reset()
		}
		p, err := s.CreatePlayer(ctx, game.NewPlayer{FirstName: "After", LastName: "Sato", TokenHash: fmt.Appendf(nil, "after %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateVisit(ctx, game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: rollFive}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	players, err := s.ListPlayers(ctx, game.PlayerPage{Sort: game.ByCreatedAtAsc, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(players) != 3 {
		t.Errorf("the store lists %d players after the other schema appeared, want its 3", len(players))
	}
	for _, id := range ids {
		if _, err := s.GetPlayer(ctx, id); err != nil {
			t.Errorf("GetPlayer(%d): %v", id, err)
		}
	}
	for schema, want := range map[string][2]int{heldSchema: {3, 2}, late: {0, 0}} {
		var players, visits int
		query(t, base, fmt.Sprintf(`SELECT (SELECT count(*) FROM %[1]s.players), (SELECT count(*) FROM %[1]s.visits)`,
			pgx.Identifier{schema}.Sanitize()), &players, &visits)
		if players != want[0] || visits != want[1] {
			t.Errorf("schema %s holds %d players and %d visits, want %d and %d", schema, players, visits, want[0], want[1])
		}
	}
}

// A visit that would take a player's gold past bigint fails and writes
// nothing (the SQLite store's TestGoldOverflowWritesNothing is the same).
func TestGoldOverflowWritesNothing(t *testing.T) {
	url := pgtest.TestURL(t)
	s := openURL(t, url, postgres.Options{MaxConns: testConns})
	for _, c := range []struct {
		gold, roll int64
	}{
		{math.MaxInt64 - 10, 100},
		{math.MinInt64 + 10, -100},
	} {
		p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: fmt.Appendf(nil, "%d", c.gold)})
		if err != nil {
			t.Fatal(err)
		}
		exec(t, url, `UPDATE players SET gold = $1 WHERE id = $2`, c.gold, p.ID)
		roll := func(game.Location) game.Outcome { return game.Outcome{Gold: int32(c.roll), Message: "x"} }
		if v, _, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: roll}); err == nil {
			t.Errorf("gold %d, roll %d: CreateVisit = %+v, want an error", c.gold, c.roll, v)
		}
		got, err := s.GetPlayer(t.Context(), p.ID)
		if err != nil || got.Gold != c.gold {
			t.Errorf("gold after the failed visit: %d (%v), want %d", got.Gold, err, c.gold)
		}
		if visits, err := s.ListVisits(t.Context(), p.ID, 0, 10); err != nil || len(visits) != 0 {
			t.Errorf("visits after the failed visit: %v (%v), want none", visits, err)
		}
	}
}

// A table or column another process renamed makes the readiness check
// fail as the requests do, and the check passes again once it is back; so
// does schema_migrations emptied, a schema no migration recorded. Every
// table and every column the stores use (TestSchemaIsMigrationTables holds
// migration.Tables to the migrated schema) is renamed in turn.
func TestRenamedSchemaIsUnready(t *testing.T) {
	url := pgtest.TestURL(t)
	s := openURL(t, url, postgres.Options{MaxConns: testConns})
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping = %v, want nil", err)
	}
	type change struct{ change, back string }
	changes := []change{
		{`CREATE TABLE migrations_saved AS SELECT * FROM schema_migrations; DELETE FROM schema_migrations`,
			`INSERT INTO schema_migrations SELECT * FROM migrations_saved; DROP TABLE migrations_saved`},
	}
	for _, tb := range migration.Tables {
		changes = append(changes, change{`ALTER TABLE ` + tb.Name + ` RENAME TO renamed`, `ALTER TABLE renamed RENAME TO ` + tb.Name})
		for _, col := range tb.Columns {
			changes = append(changes, change{`ALTER TABLE ` + tb.Name + ` RENAME COLUMN "` + col + `" TO renamed`,
				`ALTER TABLE ` + tb.Name + ` RENAME COLUMN renamed TO "` + col + `"`})
		}
	}
	for _, c := range changes {
		exec(t, url, c.change)
		if got := game.ErrorCode(s.Ping(t.Context())); got != game.EUNAVAILABLE {
			t.Errorf("after %s: Ping's code %q, want %q", c.change, got, game.EUNAVAILABLE)
		}
		exec(t, url, c.back)
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("after %s: Ping = %v, want nil", c.back, err)
		}
	}
}

// The migrated schema holds exactly the tables and columns the readiness
// check names (migration.Tables).
func TestSchemaIsMigrationTables(t *testing.T) {
	s := openURL(t, pgtest.TestURL(t), postgres.Options{MaxConns: testConns})
	rows, err := postgres.Pool(s).Query(t.Context(), `SELECT table_name::text, column_name::text FROM information_schema.columns
		WHERE table_schema = $1 AND table_name <> 'schema_migrations' ORDER BY table_name, column_name`, s.Schema())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	migrationtest.CheckTables(t, rows)
}

// appRole makes a role, dropped when t ends, that may use the rows of the
// schema of owner, a URL the schema's owner connects with, but not create
// in it: an operator's least privilege. roleURL is owner's as that role.
func appRole(t *testing.T, owner string) (role, roleURL string) {
	t.Helper()
	schema := pgx.Identifier{schemaOf(t, owner)}.Sanitize()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	role = "ninjagold_app_" + hex.EncodeToString(b)
	exec(t, owner, `CREATE ROLE `+role+` LOGIN`)
	execAtEnd(t, owner, `DROP OWNED BY `+role, `DROP ROLE `+role)
	exec(t, owner, `GRANT USAGE ON SCHEMA `+schema+` TO `+role)
	exec(t, owner, `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA `+schema+` TO `+role)
	exec(t, owner, `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA `+schema+` TO `+role)
	u, err := url.Parse(owner)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	return role, u.String()
}

// A database an operator makes read-only for a while (here a role's
// default_transaction_read_only; a database's is the same) refuses writes
// as such: 503, saying it is read-only. Once lifted, the store writes again
// without a restart, though its connections were opened read-only and keep
// that: a refusal closes the pool's connections, and new ones take the
// setting as it is now. The closing is spaced (a second in production), so
// that a database that stays read-only is not sent a new connection for
// every write it refuses: spaced an hour, the one reset at the first
// refusal is all, and the connection opened after it stays read-only,
// unless the clock was set back since that reset, which makes one due.
func TestReadOnlyLifted(t *testing.T) {
	const readOnly = "The database cannot take writes right now: it is read-only."
	for _, tc := range []struct {
		name      string
		every     time.Duration
		clockBack bool
		// done says, of two sign-ups once read-only is lifted, which is
		// done; the others are refused as read-only.
		done [2]bool
	}{
		{"resets at every refusal", 0, false, [2]bool{true, true}},
		{"resets spaced an hour", time.Hour, false, [2]bool{false, false}},
		{"resets spaced an hour, the clock set back an hour since the last", time.Hour, true, [2]bool{false, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			owner := pgtest.TestURL(t)
			openURL(t, owner, postgres.Options{MaxConns: testConns}) // migrates
			role, roleURL := appRole(t, owner)
			exec(t, owner, `ALTER ROLE `+role+` SET default_transaction_read_only = on`)
			s := openURL(t, roleURL, postgres.Options{MaxConns: 2})
			postgres.SetReadOnlyResetEvery(s, tc.every)
			signUp := func(name string) error {
				_, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: name, LastName: "Sato", TokenHash: []byte(name)})
				return err
			}
			// The first refusal resets the pool (none before it); the
			// second comes on a connection opened after that, read-only
			// too, and resets it again only when not spaced.
			for _, name := range []string{"Kira", "Rin"} {
				if err := signUp(name); game.ErrorCode(err) != game.EUNAVAILABLE || game.ErrorMessage(err) != readOnly {
					t.Fatalf("CreatePlayer while read-only: %v (%q), want %s saying %q", err, game.ErrorMessage(err), game.EUNAVAILABLE, readOnly)
				}
			}
			if tc.clockBack {
				postgres.SetLastReadOnlyReset(s, time.Now().Add(time.Hour))
			}
			exec(t, owner, `ALTER ROLE `+role+` RESET default_transaction_read_only`)
			want := 0
			for i, name := range []string{"Sora", "Yuki"} {
				err := signUp(name)
				switch {
				case tc.done[i] && err != nil:
					t.Errorf("sign-up %d once read-only was lifted: %v, want it done", i+1, err)
				case !tc.done[i] && game.ErrorMessage(err) != readOnly:
					t.Errorf("sign-up %d once read-only was lifted, on a connection opened read-only: %v, want it refused saying %q", i+1, err, readOnly)
				}
				if tc.done[i] {
					want++
				}
			}
			players, err := s.ListPlayers(t.Context(), game.PlayerPage{Sort: game.ByGoldDesc, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(players) != want {
				t.Errorf("%d players recorded, want %d: only the sign-ups done", len(players), want)
			}
		})
	}
}

// At PostgreSQL's connection limit (here a role's CONNECTION LIMIT), a Ping
// that finds every connection of the pool busy, and is refused a new one,
// reports ready: the pool's connections serve, and a load balancer must not
// take out the instances the database is busiest serving. Refused with no
// connection of its own, it reports the database unavailable.
func TestPingAtTheConnectionLimit(t *testing.T) {
	owner := pgtest.TestURL(t)
	openURL(t, owner, postgres.Options{MaxConns: testConns}) // migrates
	role, roleURL := appRole(t, owner)
	s := openURL(t, roleURL, postgres.Options{MaxConns: 2})
	pool := postgres.Pool(s)
	exec(t, owner, `ALTER ROLE `+role+` CONNECTION LIMIT 1`)
	busy, err := pool.Acquire(t.Context()) // the pool's one connection, Open's
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping with the pool's connection busy, another refused: %v, want nil", err)
	}
	busy.Release()
	pool.Reset()
	// The role's one connection, taken by another process once the pool's
	// has ended (PostgreSQL counts it until its backend exits).
	var other *pgx.Conn
	for deadline := time.Now().Add(10 * time.Second); other == nil; {
		if other, err = pgx.Connect(t.Context(), roleURL); err != nil && time.Now().After(deadline) {
			t.Fatalf("connect as %s once the pool's connection closed: %v", role, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	defer other.Close(context.Background())
	if err := s.Ping(t.Context()); game.ErrorCode(err) != game.EUNAVAILABLE {
		t.Errorf("Ping refused a connection, the pool holding none: %v, want %s", err, game.EUNAVAILABLE)
	}
}

// A role that may use the rows of a schema its owner migrated, but not
// create in it, starts and plays: a start that finds every migration
// recorded changes nothing, so it needs no CREATE (the store used to run
// CREATE TABLE IF NOT EXISTS, which does).
func TestRoleWithoutCreate(t *testing.T) {
	owner := pgtest.TestURL(t)
	s, err := postgres.Open(t.Context(), owner, postgres.Options{})
	if err != nil {
		t.Fatalf("postgres.Open as the owner: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	role, roleURL := appRole(t, owner)
	app := openURL(t, roleURL, postgres.Options{})
	if err := app.Ping(t.Context()); err != nil {
		t.Errorf("Ping as %s: %v", role, err)
	}
	p, err := app.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "K", LastName: "N", TokenHash: []byte("h")})
	if err != nil {
		t.Fatalf("CreatePlayer as %s: %v", role, err)
	}
	if _, _, err := app.CreateVisit(t.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: rollFive}); err != nil {
		t.Errorf("CreateVisit as %s: %v", role, err)
	}
}

// A start on a migrated schema begins no migration's transaction: the
// versions recorded are read once, under the migration lock, and those
// files are passed over. (Each such transaction was four round trips at
// every start, and, with idle_in_transaction_session_timeout set, a window
// for a paused process to lose its session in.) The proxy cuts any
// connection that sets a migration's lock timeout.
func TestMigratedSchemaOpensWithoutMigrationTransactions(t *testing.T) {
	_, p, direct := proxied(t) // migrates the schema
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = p.ln.Addr().String()
	p.cutAt("set_config('lock_timeout'")
	s := openURL(t, u.String(), postgres.Options{ConnectTimeout: time.Second})
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// A schema the version before migration 0003 left with two locations of
// one name cannot take the unique index on names: the open fails naming
// the migration, the index and the name, and changes nothing.
func TestUniqueNamesRefuseASchemaWithTwoOfOneName(t *testing.T) {
	url := pgtest.TestURL(t)
	openURL(t, url, postgres.Options{}).Close()
	// The schema as migration 0002 left it, and a second Farm.
	exec(t, url, `DROP INDEX locations_by_name`)
	exec(t, url, `DELETE FROM schema_migrations WHERE version = 3`)
	exec(t, url, `INSERT INTO locations (name, min_gold, max_gold, created_at, updated_at) VALUES ('Farm', 1, 2, now(), now())`)
	_, err := postgres.Open(t.Context(), url, postgres.Options{})
	if err == nil {
		t.Fatal("open succeeded, want migration 0003 refused")
	}
	for _, want := range []string{"migration 0003_locations_by_name.sql", `"locations_by_name"`, "Key (name)=(Farm) is duplicated."} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("open = %v, want it to say %s", err, want)
		}
	}
	var farms, version int
	query(t, url, `SELECT (SELECT count(*) FROM locations WHERE name = 'Farm'), (SELECT max(version) FROM schema_migrations)`, &farms, &version)
	if farms != 2 || version != 2 {
		t.Errorf("%d Farms at version %d after the failed open, want 2 at 2, as before it", farms, version)
	}
	exec(t, url, `UPDATE locations SET name = 'Old Farm' WHERE id = (SELECT max(id) FROM locations)`)
	s := openURL(t, url, postgres.Options{})
	if _, err := s.CreateLocation(t.Context(), game.LocationFields{Name: "Old Farm", MinGold: 1, MaxGold: 2}); game.ErrorCode(err) != game.EINVALID {
		t.Errorf("a second Old Farm after the migration: %v, want it refused", err)
	}
}
