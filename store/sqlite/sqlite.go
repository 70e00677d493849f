// Package sqlite is the embedded Store: one SQLite file, no server, no cgo
// (modernc.org/sqlite). It is the default a new user runs with.
//
// SQLite allows one writer at a time, and several writer connections only
// starve each other on the busy timeout, so the Store keeps exactly one
// writer connection (every write transaction queues for it, in Go, in order)
// and a separate pool of read-only connections that WAL mode lets read while
// the writer writes.
//
// By default the Store also holds its file for this process alone (SQLite's
// unix-excl VFS, so on Unix; on Windows it shares the file). That is what a
// server wants of its own database anyway: a second server on the same file
// is refused instead of sharing it unseen. And it is the largest single
// saving on the read path: SQLite then keeps the WAL index in process memory
// instead of a shared -shm file, so a transaction takes its locks without
// fcntl(2); without those system calls a GET /locations/{id} took 42 % less
// time in-process on the project's VM (docs/benchmarks-history.md,
// "The SQLite file held by one process"). Options.Shared keeps
// SQLite's default, shared locking, for operators who open the file from
// other processes (the sqlite3 shell, a backup tool, more servers) while it
// runs.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/migration"
	"github.com/ninjagold/ninjagold-api/store/purge"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a game.Store on one SQLite file.
type Store struct {
	write *sql.DB   // exactly one connection: SQLite has one writer
	wconn *sql.Conn // that connection, held by the writer goroutine
	read  *sql.DB   // read-only connections

	purger *purge.Purger // deletes expired idempotency keys
	now    func() time.Time

	// The writer goroutine (writer.go) and how to stop it.
	jobs chan writeJob
	// writes and commits count the write transactions and the commits
	// that carried them (group commit puts many writes in one commit).
	writes, commits atomic.Int64
	// busy is true while the writer commits a batch; waits counts the
	// writes that arrived meanwhile, waited sums the nanoseconds they
	// waited for the writer to take them, and waiting is how many wait now.
	busy                   atomic.Bool
	waits, waited, waiting atomic.Int64
	quit                   chan struct{}
	stopped                chan struct{}
	closeOnce              sync.Once

	wstmts writerStmts // owned by the writer goroutine
	reads  readStmts
	file   *dbFile
	// fault is the failure of the storage under the file (a full disk, an
	// I/O error, a file or file system made read-only) that failed the
	// last write to fail for one, until Ping's own write commits: Ping
	// reports it meanwhile, so /readyz does not answer 200 while every
	// write answers 503 (writer.go, writeFault).
	fault atomic.Pointer[writeFault]
	// probes makes a Ping that comes while another's probe of the writer
	// runs wait for that one's answer instead of starting its own: while a
	// statement holds the writer's connection, or a disk hangs, each
	// readiness probe would otherwise leave a goroutine behind.
	probes singleflight.Group
	// room is freeBytes, which Ping asks after a fault (see minRoom).
	room func(path string) (uint64, bool)
	// pingTimeout bounds Ping (PingTimeout; the tests shorten it).
	pingTimeout time.Duration
}

// PingTimeout bounds Ping, whatever the caller's context: a readiness
// probe must answer while the write connection is held, by a commit
// waiting for the disk or a write waiting out --sqlite-busy-timeout for
// another process's lock (with Options.Shared), and load balancers give
// their probes a few seconds. A write connection that has not answered by
// then is reported unavailable: writes are not being taken.
const PingTimeout = 2 * time.Second

// errPingTimedOut is the cause of Ping's own timeout.
var errPingTimedOut = errors.New("ping timed out")

// The metrics find the pools and the writer by these interfaces at run
// time: a method that drifted from them would drop its metrics silently.
var (
	_ game.Store         = (*Store)(nil)
	_ game.PoolReporter  = (*Store)(nil)
	_ game.WriteReporter = (*Store)(nil)
	_ game.PurgeReporter = (*Store)(nil)
)

// Options tune the store. The zero value is the durable default.
type Options struct {
	// Synchronous is SQLite's synchronous pragma: "FULL" (the default: a
	// commit survives power loss) or "NORMAL" (survives a crash of the
	// process but not of the machine; faster).
	Synchronous string
	// BusyTimeout bounds how long a connection waits for a lock: from 1ms
	// to MaxBusyTimeout; 0 means 5s.
	BusyTimeout time.Duration
	// Readers is the size of the read pool; 0 means one per CPU, at least 4.
	Readers int
	// Shared lets other processes open the file while the Store has it open.
	// Without it the Store holds the file for this process alone, on Unix,
	// and a process that tries to open it waits out its busy timeout and
	// fails; Open fails so, with ErrInUse, when another process has the
	// file open. Every process that opens the file must set Shared for them
	// to share it.
	//
	// Other SQLite connections within the process are fine. On Linux the
	// hold is an open file description lock, which survives other code in
	// the process opening and closing the file (os.Open and the like): a
	// POSIX lock, SQLite's default, is dropped by any close of the file, and
	// another process could then write it unseen. Open switches SQLite to
	// such locks, process-wide, when it holds a file (see holdAcrossCloses).
	Shared bool
}

// MaxBusyTimeout is the longest Options.BusyTimeout SQLite takes, about
// 24.8 days.
const MaxBusyTimeout = math.MaxInt32 * time.Millisecond

// ErrInUse is the error Open wraps when another process has the file open
// in a way that excludes this one: it holds the file, or this Store would
// hold it and the other process is reading it.
var ErrInUse = errors.New("the database file is in use by another process")

// ErrLocked is the error Open wraps when, with Options.Shared, another
// process held the file's write lock for the whole busy timeout while this
// one would migrate: another instance migrating the file, or a long
// transaction. The start can be tried again, or given a longer timeout.
var ErrLocked = errors.New("another process held the database's write lock for longer than the busy timeout")

// Open opens (creating if needed) the database at path, applies pending
// migrations and returns the store.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	return open(ctx, path, opts, migrations)
}

// open is Open with the migrations in fsys.
func open(ctx context.Context, path string, opts Options, fsys fs.FS) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("sqlite: %s is a directory: give a file's path (a new file is created)", path)
	}
	if opts.Synchronous == "" {
		opts.Synchronous = "FULL"
	}
	switch opts.Synchronous {
	case "FULL", "NORMAL":
	default:
		return nil, fmt.Errorf("sqlite: synchronous must be FULL or NORMAL, not %q", opts.Synchronous)
	}
	if opts.BusyTimeout == 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.BusyTimeout < time.Millisecond || opts.BusyTimeout.Milliseconds() > math.MaxInt32 {
		// SQLite takes whole milliseconds in a 32-bit int, and reads more
		// as 0: no wait at all.
		return nil, fmt.Errorf("sqlite: busy timeout must be from 1ms to %v, not %v", MaxBusyTimeout, opts.BusyTimeout)
	}
	if opts.Readers == 0 {
		opts.Readers = max(4, runtime.NumCPU())
	}
	// SQLite opens a file it may not write for reading only, without a
	// word, and every write then fails: refuse such a file at once.
	if err := writable(path); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if !opts.Shared {
		holdAcrossCloses()
	}

	// journal_mode(WAL) is the readers' only: the writer sets it once it
	// has looked at the file (checkOurs), since it rewrites the file's
	// header, which another application's file must keep.
	pragmas := []string{
		"busy_timeout(" + strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10) + ")",
		"foreign_keys(1)",
		"synchronous(" + opts.Synchronous + ")",
	}
	dsn := func(extra ...string) string {
		q := url.Values{}
		for _, p := range append(pragmas, extra...) {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", "immediate")
		// Open the file createPrivate made, and never create one: a
		// connection opened after the file was removed must fail, not
		// start an empty database (see fileConnector).
		q.Set("mode", "rw")
		if !opts.Shared && runtime.GOOS != "windows" { // Windows has no unix-excl
			q.Set("vfs", "unix-excl")
		}
		return fileURI(path) + "?" + q.Encode()
	}

	write, err := sql.Open("sqlite", dsn())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// The connection's first read, checkOurs', takes the file's shared
	// lock, which a process holding the file refuses (as a reading process
	// refuses the hold): that is where a held file shows. A busy error
	// later, in the migrations, is another writer's transaction, not a
	// hold. Only then is the file switched to WAL.
	if err := checkOurs(ctx, write); err != nil {
		write.Close()
		if isBusy(err) {
			return nil, fmt.Errorf("sqlite: open %s: %w (%w)", path, ErrInUse, err)
		}
		var se *sqlite.Error
		if errors.As(err, &se) {
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		return nil, err
	}
	if _, err := write.ExecContext(ctx, `PRAGMA journal_mode = WAL`); err != nil {
		write.Close()
		if isBusy(err) {
			return nil, fmt.Errorf("sqlite: open %s: %w (%w)", path, ErrInUse, err)
		}
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := migrate(ctx, write, fsys); err != nil {
		write.Close()
		return nil, err
	}
	opened, err := os.Stat(path)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	wconn, err := write.Conn(ctx)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	// The write-ahead log, which the held write connection keeps in
	// place; nil when it cannot be seen (then only the file is checked).
	// SQLite names it after the file a symbolic link leads to.
	walPath := path + "-wal"
	if real, err := filepath.EvalSymlinks(path); err == nil {
		walPath = real + "-wal"
	}
	wal, _ := os.Stat(walPath)

	file := &dbFile{path: path, opened: opened, walPath: walPath, wal: wal, shared: opts.Shared}
	read := sql.OpenDB(fileConnector{drv: write.Driver(), dsn: dsn("journal_mode(WAL)", "query_only(1)"), file: file})
	read.SetMaxOpenConns(opts.Readers)
	read.SetMaxIdleConns(opts.Readers)

	s := &Store{write: write, wconn: wconn, read: read, now: time.Now, room: freeBytes, pingTimeout: PingTimeout,
		jobs: make(chan writeJob), quit: make(chan struct{}), stopped: make(chan struct{}),
		wstmts: writerStmts{prepared: map[string]*sql.Stmt{}},
		reads:  readStmts{db: read}, file: file}
	s.purger = purge.New(time.Now(), s.deleteExpiredKeys)
	go s.writeLoop()
	return s, nil
}

// migrate applies, in order and each in its own transaction, the
// migrations in fsys (migration.Load) not yet recorded in
// schema_migrations. They run with foreign keys off, on one connection:
// SQLite's way of changing a table is to build a new one, copy the rows and
// drop the old, and with foreign keys on, the drop would delete every row
// referring to it by ON DELETE CASCADE. (SQLite ignores the pragma inside a transaction, so a
// migration cannot turn them off itself.) Each migration checks before it
// commits that it left no row referring to a missing one.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS) (err error) {
	files, err := migration.Load(fsys)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL)`); err != nil {
		if isBusy(err) {
			return lockedError(err)
		}
		return fmt.Errorf("sqlite: migrations table: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	defer func() {
		// The connection goes back to the pool, to be the writer's.
		if _, ferr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); ferr != nil && err == nil {
			err = fmt.Errorf("sqlite: migrations: %w", ferr)
		}
	}()
	for _, f := range files {
		if err := applyMigration(ctx, conn, f, files); err != nil {
			if errors.Is(err, migration.ErrNewer) {
				return fmt.Errorf("sqlite: %w", err)
			}
			if isBusy(err) {
				// Not named after f: it may be one applied long ago,
				// which only the lock would have let this process see.
				return lockedError(err)
			}
			return fmt.Errorf("sqlite: migration %s: %w", f.Name, err)
		}
	}
	return nil
}

// checkOurs refuses a file that holds tables or views but no
// schema_migrations table of this game's: another application's database
// (a --db that names the wrong file), into which the migrations would
// otherwise add this game's tables without a word. An empty file, or one
// this game migrated, passes. (schema_migrations
// is the first table a migration run makes, before any of its own.)
// Its errors of SQLite's are the read's, unwrapped (Open's to tell).
func checkOurs(ctx context.Context, db *sql.DB) error {
	tables, err := textColumn(ctx, db, `SELECT name FROM sqlite_schema
		WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil || len(tables) == 0 {
		return err
	}
	// SQLite's names are the same whatever their case.
	kind, err := textColumn(ctx, db, `SELECT type FROM sqlite_schema
		WHERE name = 'schema_migrations' COLLATE NOCASE AND type IN ('table', 'view')`)
	switch {
	case err != nil:
		return err
	case len(kind) > 0 && kind[0] != "table":
		return fmt.Errorf("sqlite: the file's schema_migrations is a %s, not a table: another application's database, not this game's; give --db this game's file, or a new one", kind[0])
	case len(kind) > 0:
		// Other tools name their table so too: this game's has its own
		// columns.
		cols, err := textColumn(ctx, db, `SELECT name FROM pragma_table_info('schema_migrations') ORDER BY cid`)
		if err != nil {
			return err
		}
		if err := migration.CheckRecord(cols); err != nil {
			return fmt.Errorf("sqlite: the file's %w; give --db this game's file, or a new one", err)
		}
		return nil
	}
	if len(tables) > 5 {
		tables = append(tables[:5], "...")
	}
	return fmt.Errorf("sqlite: the file holds tables (%s) but no schema_migrations: another application's database, not this game's; give --db this game's file, or a new one", strings.Join(tables, ", "))
}

// textColumn runs query, which selects one text column, on db and returns
// the column's values in order, or the query's error unwrapped.
func textColumn(ctx context.Context, db *sql.DB, query string) ([]string, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// lockedError is migrate's error when it waited out the busy timeout.
func lockedError(busy error) error {
	return fmt.Errorf("sqlite: migrations: %w (another instance migrating the file, or a long transaction); no migration is half applied: %w", ErrLocked, busy)
}

// applyMigration applies f unless the database recorded it, in a
// transaction that holds the write lock from its start (_txlock=immediate):
// another process migrating the same file (with --sqlite-shared) waits, and
// the check that the database is no newer than files sees what it will
// change.
func applyMigration(ctx context.Context, conn *sql.Conn, f migration.File, files []migration.File) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var newest int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return err
	}
	if err := migration.CheckNotNewer(newest, files); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, f.Version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	before, err := foreignKeyViolations(ctx, tx)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, f.SQL); err != nil {
		return withDuplicate(ctx, tx, f.SQL, err)
	}
	after, err := foreignKeyViolations(ctx, tx)
	if err != nil {
		return err
	}
	for k, n := range after {
		if n > before[k] {
			return fmt.Errorf("%d rows of %s refer to missing rows of %s", n-before[k], k.table, k.parent)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		f.Version, f.Name, time.Now().Unix()); err != nil {
		return err
	}
	return tx.Commit()
}

// createPrivate makes the file at path, empty (a new database to SQLite),
// readable and writable by its owner alone, unless there is one: it will
// hold players' names and their tokens' hashes, which SQLite would create
// readable by all under the usual umask. SQLite gives the write-ahead log
// (and, shared, the -shm file) the database file's permissions. A file
// that exists keeps its own, and is not opened: closing a descriptor of it
// would drop the locks another Store of this process holds on it (see
// holdAcrossCloses). Through a symbolic link to no file yet, the kernel
// makes the file the link names, as it would for SQLite.
func createPrivate(path string) error {
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil // a file, a directory, or a loop of links: SQLite's to open or refuse
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	// A umask that takes the owner's write bit away would leave a file
	// SQLite opens for reading only, without a word.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fkPair is a table whose rows refer to another's, the parent.
type fkPair struct{ table, parent string }

// foreignKeyViolations counts, per table and parent, the rows referring to
// missing ones, as foreign keys being on would have refused. A migration is
// held to adding none: one already there (left by a tool that had them
// off) is not its doing. Counted, not listed by rowid, since rebuilding a
// table gives its rows new rowids.
func foreignKeyViolations(ctx context.Context, tx *sql.Tx) (map[fkPair]int, error) {
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[fkPair]int{}
	for rows.Next() {
		var k fkPair
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&k.table, &rowid, &k.parent, &fk); err != nil {
			return nil, err
		}
		out[k]++
	}
	return out, rows.Err()
}

// Close stops a running purge of expired keys (its batch in flight is
// committed or given up) and waits for it, stops the writer after the
// batch it is committing and closes both pools; writes after Close fail
// with EUNAVAILABLE.
//
// It looks at the file once more (CheckFile) before it waits for the
// writer, and again after, since its last batch may wait as long as the
// busy timeout, and returns what those find.
func (s *Store) Close() error {
	lost := s.CheckFile()
	s.purger.Close() // its writes go through the writer: first
	s.closeOnce.Do(func() { close(s.quit) })
	<-s.stopped
	s.reads.close()
	return errors.Join(lost, s.CheckFile(), s.read.Close(), s.write.Close())
}

// CheckFile looks whether the path still names the file opened, as Ping
// and every batch of writes do, and when it does not, moves the file's
// write-ahead log aside, so that the next start does not apply it to the
// file there now (see dbFile). It returns what it found when no call has
// reported it yet, else nil. Close calls it first; a process that stops
// without waiting for Close calls it itself.
func (s *Store) CheckFile() error {
	if s.file.err() == nil && s.file.checkFile() {
		return s.file.err()
	}
	return nil
}

// Ping checks that the write connection answers and the file can be read,
// within ctx and PingTimeout: the write connection answers between the
// writer's statements, and one statement may take long (a commit waiting
// for the disk), so the wait for it ends with ctx, or after PingTimeout
// with an EUNAVAILABLE error; the ping itself finishes in the background,
// one at a time: the Pings that come while one runs share its answer.
//
// After a write failed for the storage under the file (see fault), Ping
// also writes: reads and the ping would pass while no write can commit. It
// passes only once its write commits and the file system has minRoom free,
// and, as for the ping, its wait for the writer ends with ctx, and one such
// write runs at a time.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeoutCause(ctx, s.pingTimeout, errPingTimedOut)
	defer cancel()
	err := s.ping(ctx)
	if err != nil && errors.Is(context.Cause(ctx), errPingTimedOut) {
		return game.NoAnswer(fmt.Errorf("sqlite: no answer to the readiness check within %v (the write connection held while a commit waits for the disk, or a write waits out another process's lock with --sqlite-shared; or every reader busy): %w", s.pingTimeout, err))
	}
	return err
}

func (s *Store) ping(ctx context.Context) error {
	if err := s.file.check(); err != nil {
		return err
	}
	if f := s.fault.Load(); f != nil {
		err := s.probe(ctx, "write", func(ctx context.Context) error {
			err := s.probeWrite(ctx)
			if err == nil {
				err = s.roomAfterFault()
			}
			if err == nil {
				s.fault.CompareAndSwap(f, nil)
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	err := s.probe(ctx, "ping", func(ctx context.Context) error { return wrap(s.wconn.PingContext(ctx)) })
	if err != nil {
		return err
	}
	var one int
	err = s.readRow(ctx, migration.Probe).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		// schema_migrations emptied by hand: no schema this server can
		// tell it knows, as a table renamed is.
		return game.Unavailable(errors.New("sqlite: schema_migrations holds no migration"))
	}
	return wrap(err)
}

// minRoom is the room on the file system under the file that Ping wants
// after a write failed for the storage, besides its own write's commit,
// before it reports the database ready again. Its write is one page, which
// fits where a batch of visits, a few pages each, does not: a disk filled
// to within a few KiB would pass it while every visit fails, and /readyz
// would answer 200 to a server that takes no writes.
const minRoom = 1 << 20

// roomAfterFault is Ping's second check after a fault: minRoom free, where
// the room can be told.
func (s *Store) roomAfterFault() error {
	free, ok := s.room(s.file.path)
	if !ok || free >= minRoom {
		return nil
	}
	return game.DiskFull(fmt.Errorf(
		"sqlite: %d bytes free on the file system of %s since a write found it full, less than the %d the server waits for", free, s.file.path, minRoom))
}

// damaged is what a damaged file's errors say, in the log and from
// QuickCheck.
const damaged = "sqlite: the database file is damaged: restore it from a backup"

// QuickCheck runs SQLite's PRAGMA quick_check over the whole file: nil when
// it finds the file whole, else an error naming the first damage it found.
// It reads every page, so it takes time in proportion to the file's size:
// ninjagold migrate runs it, a start of the server does not.
func (s *Store) QuickCheck(ctx context.Context) error {
	// Only SQLite's own verdict says damaged: a check cut short (a
	// signal, ctx) or unable to run says nothing of the file.
	failed := func(err error) error {
		var se *sqlite.Error
		if errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_CORRUPT || se.Code()&0xff == sqlite3.SQLITE_NOTADB) {
			return fmt.Errorf("%s (%w)", damaged, err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("sqlite: the check of the file could not run: %w", err)
	}
	found, err := textColumn(ctx, s.read, "PRAGMA quick_check(5)")
	if err != nil {
		return failed(err)
	}
	if len(found) == 1 && found[0] == "ok" {
		return nil
	}
	return fmt.Errorf("%s: PRAGMA quick_check found: %s", damaged, strings.Join(found, "; "))
}

// probe runs check, or joins the run of the check of that name already
// under way, and returns its error, or ctx's once ctx ends first. The check
// runs to its end either way, on ctx without its cancellation, so that the
// Pings joining it are not cut short by the one that started it.
func (s *Store) probe(ctx context.Context, name string, check func(context.Context) error) error {
	answer := s.probes.DoChan(name, func() (any, error) {
		return nil, check(context.WithoutCancel(ctx))
	})
	select {
	case r := <-answer:
		return r.Err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// callbackError carries the error of a caller's callback (UpdateLocation's
// update, DeleteLocation's check), or a VisitRequest.Refuse, out of inTx,
// which returns it unchanged as game.Store promises instead of wrapping it
// like a database error. It has no Unwrap on purpose: nothing the callback
// says is taken for a database error.
type callbackError struct{ err error }

func (e callbackError) Error() string { return e.err.Error() }

// holdAcrossCloses makes SQLite lock database files with Linux's open file
// description (OFD) locks instead of POSIX record locks, for the whole
// process. A POSIX lock belongs to the process, and the kernel drops it at
// any close of any descriptor of the file, so an os.Open and Close of the
// database file anywhere in the process would end a Store's hold unseen; an
// OFD lock belongs to the descriptor SQLite placed it through. The switch
// only takes before the process's first SQLite lock; after that, and where
// the kernel has no OFD locks, SQLite keeps POSIX locks, as by default.
func holdAcrossCloses() { _, _ = sqlite.OFDLocking(true) }

// busyFor is what a call that waited out the busy timeout says in the log.
const busyFor = "the database stayed locked past the busy timeout (--sqlite-busy-timeout) by another connection's transaction (with --sqlite-shared, another process's)"

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// schemaChanged reports a statement that names a table or column the file
// no longer has: renamed or dropped by another process (with Shared), an
// operator's change, as PostgreSQL's 42P01 and 42703 are. SQLite gives them
// the generic SQLITE_ERROR, so its message tells.
func schemaChanged(se *sqlite.Error) bool {
	msg := se.Error()
	return strings.Contains(msg, "no such table") || strings.Contains(msg, "no such column") ||
		strings.Contains(msg, "has no column named")
}

// wrap turns database failures into game errors: SQLite's "cannot write
// now" conditions are EUNAVAILABLE (a client may retry); *game.Error and
// context errors pass through; anything else stays an internal error.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	var ge *game.Error
	if errors.As(err, &ge) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			// The two storage failures a client can be told more of than
			// "cannot be reached": the database answers, but cannot take
			// writes.
			return game.DiskFull(err)
		case sqlite3.SQLITE_READONLY:
			return game.ReadOnly(err)
		case sqlite3.SQLITE_BUSY:
			if se.Code() == sqlite3.SQLITE_BUSY {
				// The operator's log says which setting it waited out.
				// (SQLITE_BUSY_SNAPSHOT and _RECOVERY wait for none.)
				return game.Unavailable(fmt.Errorf("%s: %w", busyFor, err))
			}
			return game.Unavailable(err)
		case sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			return game.Unavailable(err)
		case sqlite3.SQLITE_ERROR:
			if schemaChanged(se) {
				return game.Unavailable(err)
			}
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			// The file's damage, not the request's: an operator's to
			// mend, as a full disk is. The log says how.
			return game.Unavailable(fmt.Errorf("%s (ninjagold migrate, or PRAGMA quick_check, lists the damage): %w", damaged, err))
		}
	}
	if errors.Is(err, sql.ErrConnDone) || closed(err) {
		return game.Unavailable(err)
	}
	return fmt.Errorf("sqlite: %w", err)
}

// closed reports whether err is database/sql's for a closed database or a
// closed statement (a read's prepared statement, closed with the store),
// which it does not export.
func closed(err error) bool {
	for ; err != nil; err = errors.Unwrap(err) {
		switch err.Error() {
		case "sql: database is closed", "sql: statement is closed":
			return true
		}
	}
	return false
}

// FillReadPool opens every connection of the read pool now, rather than
// when concurrent reads first need them. Opening one reads the schema and
// runs the pragmas, which the reads that find the pool short pay for: the
// benchmarks fill it before they count, so that no run counts openings
// another run does not.
func (s *Store) FillReadPool(ctx context.Context) error {
	n := s.read.Stats().MaxOpenConnections
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close() // back to the pool, idle
		}
	}()
	for range n {
		c, err := s.read.Conn(ctx)
		if err != nil {
			return fmt.Errorf("sqlite: fill the read pool: %w", err)
		}
		conns = append(conns, c)
	}
	return nil
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

type scanner interface{ Scan(dest ...any) error }

// WriteStats reports the writes committed (or rolled back) and the commits
// that carried them, for metrics: their ratio is the group commit's batch
// size. The writes include the purge's deletions and Ping's probe writes.
func (s *Store) WriteStats() game.WriteStats {
	return game.WriteStats{Writes: s.writes.Load(), Commits: s.commits.Load()}
}

// PurgeStats reports what the store's idempotency-key purges did.
func (s *Store) PurgeStats() game.PurgeStats { return s.purger.Stats() }

// PoolStats reports the writer and the reader pool. The writer holds its
// one connection for good, so database/sql's figures for it would never
// move: the writer's own say whether it is committing a batch (in use)
// and how many writes arrived while it was, and how long they waited for
// it.
func (s *Store) PoolStats() []game.PoolStats {
	inUse := 0
	if s.busy.Load() {
		inUse = 1
	}
	read := s.read.Stats()
	return []game.PoolStats{
		{Pool: "write", Max: 1, Open: 1, InUse: inUse, Idle: 1 - inUse,
			Waits: s.waits.Load(), WaitFor: time.Duration(s.waited.Load())},
		{Pool: "read", Max: read.MaxOpenConnections, Open: read.OpenConnections,
			InUse: read.InUse, Idle: read.Idle, Waits: read.WaitCount, WaitFor: read.WaitDuration},
	}
}

// fileURI is the SQLite URI (https://sqlite.org/uri.html) of the file at
// path. SQLite decodes %HH in a URI's path and ends the path at ? or #, so
// those three are escaped; a path starting with // would be read as an
// authority, so an absolute path gets an empty one ("file:///..."); and a
// relative path starts with ./, so that :memory: is a file of that name,
// not SQLite's database in memory.
func fileURI(path string) string {
	escaped := uriPath.Replace(path)
	if strings.HasPrefix(escaped, "/") {
		return "file://" + escaped
	}
	return "file:./" + escaped
}

var uriPath = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")
