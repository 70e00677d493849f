package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/postgres"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// openStore opens the database cfg.db names: PostgreSQL for a postgres://
// URL or a keyword/value string, else a SQLite file. Either way the
// migrations are applied; a wait for another process's (PostgreSQL's) is
// logged to log.
func openStore(ctx context.Context, cfg config, log *slog.Logger) (game.Store, error) {
	if dsn, ok := postgresDSN(cfg.db); ok {
		opts := pgOptions(cfg)
		opts.Logger = log
		store, err := postgres.Open(ctx, dsn, opts)
		if err != nil {
			// Open's errors leave out the string's password (a URL's,
			// masked) or the string itself (a keyword string that would not parse).
			return nil, fmt.Errorf("NINJAGOLD_DB / --db (PostgreSQL): %w", err)
		}
		return store, nil
	}
	store, err := sqlite.Open(ctx, cfg.db, sqliteOptions(cfg))
	if errors.Is(err, sqlite.ErrInUse) && cfg.sqliteShared {
		// Shared, the other process may be a ninjagold creating the file
		// (which takes it whole for a moment) as well as one holding it.
		return nil, fmt.Errorf("NINJAGOLD_DB / --db %q: %w; another process held the file for longer than --sqlite-busy-timeout: a ninjagold creating it (start again, or wait longer with --sqlite-busy-timeout), or one without --sqlite-shared, which holds it (stop it, or start every ninjagold on the file with --sqlite-shared)", cfg.db, err)
	}
	if errors.Is(err, sqlite.ErrInUse) {
		return nil, fmt.Errorf("NINJAGOLD_DB / --db %q: %w; another process has the file open (a running ninjagold, which holds its file for itself, or the sqlite3 shell or a backup tool while this one would): stop it, or start every ninjagold on the file with --sqlite-shared", cfg.db, err)
	}
	if errors.Is(err, sqlite.ErrLocked) {
		return nil, fmt.Errorf("NINJAGOLD_DB / --db %q: %w; start again once it is done, or wait longer with --sqlite-busy-timeout", cfg.db, err)
	}
	if err != nil {
		return nil, fmt.Errorf("NINJAGOLD_DB / --db %q: %w", cfg.db, err)
	}
	warnIfShared(cfg.db, log)
	return store, nil
}

// warnIfShared warns when other users of the machine may read or write the
// SQLite file at db: it holds the players' names and token hashes, and a
// write to it changes any balance. A file the server creates is made for
// its owner alone; one made otherwise (cp, a restore, another umask) may
// not be. (Windows keeps no such bits.)
func warnIfShared(db string, log *slog.Logger) {
	fi, err := os.Stat(db)
	if err != nil || runtime.GOOS == "windows" || fi.Mode().Perm()&0o077 == 0 {
		return
	}
	log.Warn("other users of this machine may read or write the database file: chmod 600 it",
		"file", db, "mode", fmt.Sprintf("%#o", fi.Mode().Perm()))
}

// pgOptions are the PostgreSQL store's options: the --db-* flags', and a
// call timeout of storeDeadline, which bounds the calls made outside a
// request too (/readyz's probe aside, which has the connect timeout).
func pgOptions(cfg config) postgres.Options {
	opts := cfg.pg
	opts.CallTimeout = storeDeadline(cfg)
	return opts
}

// storeDeadline is how long a request's PostgreSQL calls may take, all of
// them together: nine-tenths of --write-timeout, so that a database that
// stopped answering is given up while the 503 can still be written (the
// statement timeout, which the server keeps, cannot end that wait). 0 for
// SQLite, whose calls wait on no network.
func storeDeadline(cfg config) time.Duration {
	if _, ok := postgresDSN(cfg.db); !ok {
		return 0
	}
	return cfg.timeouts.write - cfg.timeouts.write/10
}

// openStoreUntil is openStore given up when ctx ends. Not every wait in an
// open watches ctx: SQLite's for another process's hold on the file runs
// its whole --sqlite-busy-timeout, which must not keep a signalled start
// waiting. A store that opens after it was given up is closed. (The
// process then ends: the file is let go, and a migration cut short is
// rolled back, each being a transaction.)
func openStoreUntil(ctx context.Context, cfg config, log *slog.Logger) (game.Store, error) {
	type opened struct {
		store game.Store
		err   error
	}
	done := make(chan opened, 1)
	go func() {
		store, err := openStore(ctx, cfg, log)
		done <- opened{store, err}
	}()
	select {
	case o := <-done:
		return o.store, o.err
	case <-ctx.Done():
		go func() {
			if o := <-done; o.store != nil {
				o.store.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// sqliteOptions are the SQLite store's settings cfg holds.
func sqliteOptions(cfg config) sqlite.Options {
	return sqlite.Options{Synchronous: cfg.sqliteSync, Shared: cfg.sqliteShared, BusyTimeout: cfg.sqliteBusy}
}

// postgresDSN reports whether db names a PostgreSQL database, as pgx takes
// them: a postgres:// or postgresql:// URL (the scheme in any case; it is
// handed on in lower case, the only one pgx reads), or a keyword/value
// string such as "host=db dbname=game". Anything else is a SQLite file.
func postgresDSN(db string) (string, bool) {
	for _, scheme := range []string{"postgres://", "postgresql://"} {
		if len(db) >= len(scheme) && strings.EqualFold(db[:len(scheme)], scheme) {
			return scheme + db[len(scheme):], true
		}
	}
	return db, isKeywordDSN(db)
}

// checkDB refuses a --db that is neither PostgreSQL's (postgresDSN) nor
// meant for a SQLite file, which would otherwise be created under that
// name and serve a new, empty game: a URL of another scheme (postgress://,
// pgsql://, jdbc:postgresql://), a postgres: without its //, a SQLite
// file: or sqlite: URI (the store takes the name as it is), a host and
// port, a PostgreSQL keyword in capitals, or a PostgreSQL URL with white
// space around it.
func checkDB(db string) error {
	trimmed := strings.TrimSpace(db)
	if dsn, ok := postgresDSN(db); ok {
		if trimmed != db && strings.Contains(dsn, "://") {
			// pgx would take it into the database's name.
			return errors.New("white space around a PostgreSQL URL: remove it")
		}
		return nil
	}
	if _, ok := postgresDSN(trimmed); ok {
		return errors.New("white space around a PostgreSQL URL: remove it")
	}
	if hostPort.MatchString(trimmed) {
		return errors.New("a host and port, where a PostgreSQL database is a postgres:// URL: give a SQLite file by its path")
	}
	if k := dsnKey.FindStringSubmatch(trimmed); k != nil && dsnKeywords[strings.ToLower(k[1])] {
		return fmt.Errorf("PostgreSQL's keywords are lower case: %s, not %s", strings.ToLower(k[1]), k[1])
	}
	m := urlScheme.FindStringSubmatch(trimmed)
	if m == nil {
		m = []string{"", "", ""}
	}
	switch scheme := strings.ToLower(m[1]); {
	case strings.HasPrefix(scheme, "postgres"):
		return errors.New("not a PostgreSQL URL, which starts postgres:// or postgresql://")
	case scheme == "file" || scheme == "sqlite" || scheme == "sqlite3":
		return fmt.Errorf("a %s: URI, which the server would take for a file of that name: give the SQLite file's path", scheme)
	case m[2] != "":
		return fmt.Errorf("a %s:// URL, where only postgres:// and postgresql:// URLs are databases: give a SQLite file by its path", m[1])
	case urlAfterWord.MatchString(trimmed):
		// jdbc:postgresql://...: no file's path.
		return errors.New("a URL, where only postgres:// and postgresql:// URLs are databases: give a SQLite file by its path")
	}
	return nil // C:\games\ninjagold.db
}

// hostPort is a host name or address and a port, and maybe a path: what a
// PostgreSQL database looks like without its postgres://.
// Only PostgreSQL's and PgBouncer's well-known ports, which no file name
// ends in by chance (game.db:1 may be a file's).
var hostPort = regexp.MustCompile(`^(?:[^@/:\s]+@)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(?:5432|6432)(?:/.*)?$`)

// urlAfterWord is a URL behind a word and a colon, as JDBC spells one.
var urlAfterWord = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z][A-Za-z0-9+.-]*://`)

// urlScheme is what may be a URL's scheme, its colon, and the // after it.
var urlScheme = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*):(//)?`)

// isKeywordDSN reports whether db is a keyword/value connection string:
// it starts with key=value pairs, one of whose keys is one that pgx reads
// (libpq's connection keywords, pgx's pool settings, and the server
// settings a connection string may set: search_path, statement_timeout,
// idle_in_transaction_session_timeout and the others dsnKeywords lists).
// A file such as data=1.db stays a SQLite file; a string that starts with
// search_path= or pool_max_conns= is PostgreSQL's, and so is one whose
// known key has a value pgx would refuse, for pgx to refuse it (rather
// than a SQLite file of that name).
func isKeywordDSN(db string) bool {
	for rest := db; ; {
		key := dsnKey.FindStringSubmatch(rest)
		if key == nil {
			return false
		}
		if dsnKeywords[key[1]] {
			return true
		}
		value := dsnValue.FindString(rest[len(key[0]):])
		if value == "" {
			return false
		}
		rest = rest[len(key[0])+len(value):]
	}
}

// dsnKey is a pair's key and its =, at the start of a string, and dsnValue
// the value after it and the white space that ends it, as pgx reads them:
// single-quoted with backslash escapes (the next key may follow its quote
// at once), or a word (a quote after its first character is part of it)
// with backslash escapes, empty too, ended by white space or the end.
var (
	dsnKey   = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*`)
	dsnValue = regexp.MustCompile(`^(?:'(?:[^'\\]|\\.)*'\s*|(?:(?:[^\s'\\]|\\.)(?:[^\s\\]|\\.)*)?(?:\s+|$))`)
)

// dsnKeywords are the keys that make a keyword/value string PostgreSQL's.
var dsnKeywords = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range strings.Fields(`host hostaddr port dbname user password passfile service servicefile
		sslmode sslcert sslkey sslrootcert sslpassword sslsni sslnegotiation sslcrl sslcrldir sslcompression
		ssl_min_protocol_version ssl_max_protocol_version sslcertmode require_auth requirepeer gssencmode
		gsslib gssdelegation krbsrvname krbspn channel_binding connect_timeout application_name
		fallback_application_name options target_session_attrs load_balance_hosts
		keepalives keepalives_idle keepalives_interval keepalives_count tcp_user_timeout
		pool_max_conns pool_min_conns pool_min_idle_conns pool_max_conn_lifetime pool_max_conn_lifetime_jitter
		pool_max_conn_idle_time pool_health_check_period statement_cache_capacity description_cache_capacity
		default_query_exec_mode min_read_buffer_size search_path statement_timeout row_security
		idle_in_transaction_session_timeout`) {
		m[k] = true
	}
	return m
}()

// dsnSecret is a password's value in a keyword/value string: a word, or
// single-quoted with backslash escapes.
var dsnSecret = regexp.MustCompile(`(?i)\b((?:ssl)?password\s*=\s*)(?:'(?:[^'\\]|\\.)*'|(?:[^\s'\\]|\\.)(?:[^\s\\]|\\.)*)`)

// describeDB names the database store is on for the start-up line: which
// kind, db without its password, and for PostgreSQL the schema, which the
// search_path resolved to and the URL may not say. A SQLite file is named
// by its absolute path, and said to be new when this start created it (fresh,
// see newSQLiteFile): a start in another directory than the usual one, with
// the relative default, makes a new game there, which the operator should
// see at once.
func describeDB(db string, store game.Store, fresh bool) string {
	if pg, ok := store.(*postgres.Store); ok {
		return "PostgreSQL " + displayDB(db) + ", schema " + pg.Schema()
	}
	if abs, err := filepath.Abs(db); err == nil {
		db = abs
	}
	if fresh {
		return "SQLite " + db + ", a new file"
	}
	return "SQLite " + db
}

// newSQLiteFile reports whether db names a SQLite file that does not exist
// yet: one the start about to be made creates.
func newSQLiteFile(db string) bool {
	if _, ok := postgresDSN(db); ok {
		return false
	}
	_, err := os.Stat(db)
	return errors.Is(err, fs.ErrNotExist)
}

// displayDB names the database in the start-up line without its password,
// which a URL may carry in its user info or, as pgx also reads them, in a
// password or sslpassword (the client key's) parameter.
func displayDB(db string) string {
	dsn, ok := postgresDSN(db)
	if !ok {
		return db
	}
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsnSecret.ReplaceAllString(dsn, "${1}xxxxx")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres"
	}
	q := u.Query()
	for _, secret := range []string{"password", "sslpassword"} {
		if q.Has(secret) {
			q.Set(secret, "xxxxx")
			u.RawQuery = q.Encode()
		}
	}
	return u.Redacted()
}
