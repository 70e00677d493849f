// Package postgres is the Store for running several instances of the service
// against one database: PostgreSQL through pgx's connection pool. It passes
// the same suite as the SQLite store (store/storetest); where SQLite is
// correct because it has one writer, this package is correct because of
// PostgreSQL's row locks, which hold across processes:
//
//   - A visit is one transaction that first locks its player's row (SELECT
//     ... FOR UPDATE). Visits of one player therefore apply one after
//     another whichever instance serves them, each reading the gold and the
//     idempotency keys the previous one committed; visits of different
//     players do not wait for each other. Within one process the visits of a
//     player wait their turn before they take a connection (playerTurns),
//     so that a burst of them holds one connection, not the pool.
//   - An idempotency key is looked up under that lock, so of two requests
//     racing with one key exactly one records a visit and the other replays
//     it. The key row is inserted with ON CONFLICT DO NOTHING as a second
//     line: should it ever find the key taken, the transaction is rolled back
//     and retried, and the retry replays.
//   - A visit holds its location's advisory lock, shared, until it commits,
//     and a change to the location takes it exclusively, so a change waits
//     for the visits that have read the location, and later visits for it.
//   - Players are created one at a time, under an advisory transaction lock,
//     so that ids, creation times and commits come in one order: the list
//     sorts created_at by id. Locations are too, under a lock of their own,
//     so that a client paging the list by id passes no location yet to
//     commit.
//
// Open applies the embedded migrations (migrations/*.sql) before it returns,
// each in its own transaction and recorded in schema_migrations. Instances
// starting together take turns: the whole run holds a session-level advisory
// lock (pg_advisory_lock), so a second instance waits, then finds every
// migration recorded. The lock is per schema (its key hashes the name of the
// schema the tables go into, current_schema()), so stores in different
// schemas of one database, such as the per-test schemas of pgtest, never wait
// for each other. Neither the wait for the lock nor the migrations are
// bound by the statement timeout (a CREATE INDEX on a large table may take
// longer); Open's ctx bounds both.
//
// A transaction that fails with a serialization failure or a deadlock
// (SQLSTATE 40001, 40P01), or whose connection is lost before its COMMIT is
// sent, has been rolled back by the server, so it is run again, up to
// maxAttempts times in all; reads are retried the same way. The callbacks a
// transaction runs (UpdateLocation's update, DeleteLocation's check, a
// visit's Roll) may therefore be called more than once, only the last call
// counting. A connection lost during COMMIT is not retried, since the server
// may have applied it: the caller gets EUNAVAILABLE, and a client that sent
// an Idempotency-Key can repeat its visit safely.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/puddle/v2"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/migration"
	"github.com/ninjagold/ninjagold-api/store/purge"
)

// Store is a game.Store on a PostgreSQL database.
type Store struct {
	pool   *pgxpool.Pool
	schema string           // the schema the tables are in
	purger *purge.Purger    // deletes expired idempotency keys
	now    func() time.Time // when a purge may start; keys are dated by the server's clock
	// callTimeout and pingTimeout bound a call and a Ping (0: no bound;
	// see Options.CallTimeout).
	callTimeout, pingTimeout time.Duration
	// createPlayerKey and createLocationKey are the advisory locks
	// CreatePlayer and CreateLocation hold (see there).
	createPlayerKey, createLocationKey int64
	// locationLockClass is the first half of a location's advisory lock
	// key (see lockLocation).
	locationLockClass int32
	// turns queues the writes that lock a player's row (see inPlayerTx).
	turns playerTurns
	// readOnlyResetEvery spaces the pool's resets after writes refused
	// as read-only, the last of which was at lastReadOnlyReset (Unix
	// nanoseconds; see resetAfterReadOnly).
	readOnlyResetEvery time.Duration
	lastReadOnlyReset  atomic.Int64
}

var (
	_ game.Store         = (*Store)(nil)
	_ game.PoolReporter  = (*Store)(nil)
	_ game.PurgeReporter = (*Store)(nil)
)

// Options tune the store. A zero field keeps what the URL says, and else
// takes the default named below.
type Options struct {
	// MaxConns is the size of the connection pool. Default (and the URL's
	// pool_max_conns): max(4, runtime.NumCPU()).
	MaxConns int32
	// StatementTimeout is PostgreSQL's statement_timeout: the server cancels
	// a statement that runs longer, so a stuck query cannot hold a
	// connection and its locks for ever. Default (and the URL's
	// statement_timeout): 30s.
	StatementTimeout time.Duration
	// ConnMaxLifetime closes connections older than this, so the pool
	// follows a failover or a DNS change. Default (and the URL's
	// pool_max_conn_lifetime): 1h. At least MinConnLifetime; the URL's
	// pool_max_conn_lifetime=0 keeps pgx's meaning, never.
	ConnMaxLifetime time.Duration
	// ConnectTimeout bounds opening one connection, and Open's first
	// contact with the server. Default (and the URL's connect_timeout): 5s.
	// The URL's connect_timeout=0, libpq's "wait for ever", counts as
	// unset.
	ConnectTimeout time.Duration
	// CallTimeout bounds one call of the store as a whole: its wait for
	// a connection, its statements, and its retries. Past it the call's
	// statement is cancelled and the call fails with EUNAVAILABLE ("The
	// database did not answer in time."). The statement timeout, which
	// the server enforces, cannot end the wait for a server that stopped
	// answering (a network partition, a stopped host): this does. Ping
	// is bounded by the connect timeout as well. Default: none.
	CallTimeout time.Duration
	// Logger hears of a wait at Open for another process's migrations
	// (which may be long: an index built on a large table), at Info, with
	// the PostgreSQL backend that holds them. Default: nothing is logged.
	Logger *slog.Logger
}

const (
	defaultStatementTimeout = 30 * time.Second
	defaultConnectTimeout   = 5 * time.Second
)

// MinConnLifetime is the shortest connection lifetime taken: shorter, a
// connection could expire between being opened and being used, and the
// pool would give up on every one.
const MinConnLifetime = time.Second

// Open connects to the database at url (a postgres:// URL or a keyword/value
// string, as pgx takes them), applies pending migrations and returns the
// store. It fails within opts.ConnectTimeout when the server cannot be
// reached, and returns ctx's error unchanged when ctx ends first.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	return open(ctx, url, opts, migrations)
}

// open is Open with the migrations in fsys.
func open(ctx context.Context, url string, opts Options, fsys fs.FS) (*Store, error) {
	cfg, err := poolConfig(url, opts)
	if err != nil {
		return nil, err
	}
	// Once migrate has found the tables' schema, every new connection
	// names that schema alone as its search_path (why: after migrate).
	var pinned atomic.Pointer[string]
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		if set := pinned.Load(); set != nil {
			_, err := c.Exec(ctx, *set)
			return err
		}
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	// The pool connects lazily; one ping, bounded, tells a wrong address
	// or a dead server now instead of at the first request.
	pingCtx, cancel := context.WithTimeout(ctx, cfg.ConnConfig.ConnectTimeout)
	err = pool.Ping(pingCtx)
	cancel()
	if err != nil {
		// Closed without waiting: a connection whose server stopped
		// answering takes pgxpool up to 15s to close, and the start is to
		// fail within the connect timeout.
		go pool.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		ce := connectError{err: err}
		if errors.Is(err, context.DeadlineExceeded) {
			// pgx ends with "context deadline exceeded", which does not
			// say whose deadline: it was the connect timeout's.
			ce.timeout = cfg.ConnConfig.ConnectTimeout
		}
		return nil, ce
	}
	if err := checkEncoding(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	schema, err := migrate(ctx, pool, fsys, cfg.ConnConfig.RuntimeParams["statement_timeout"], opts.Logger)
	if err != nil {
		pool.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	// The search_path is resolved anew by every query, so a schema
	// created later ahead of this one on the path (one named for the user,
	// or another deployment's, holding tables of the same names) would take
	// this store's reads and writes, and a statement pgx had prepared before
	// would keep to the old one: two games mixed. From here on every
	// connection names the schema migrate found, alone (AfterConnect); the
	// ones made before (the ping's, migrate's, any that pool_min_conns was
	// opening meanwhile) are closed by Reset, and one pinned connection is
	// made in their place. SET, not a startup parameter, so that PgBouncer,
	// which refuses startup parameters it does not know, takes it in session
	// pooling (in transaction pooling a session's settings do not stay).
	set := "SET search_path TO " + pgx.Identifier{schema}.Sanitize()
	pinned.Store(&set)
	pool.Reset()
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("postgres: %w", err)
	}
	ping := cfg.ConnConfig.ConnectTimeout
	if opts.CallTimeout > 0 {
		ping = min(ping, opts.CallTimeout)
	}
	s := &Store{
		pool:               pool,
		callTimeout:        opts.CallTimeout,
		pingTimeout:        ping,
		schema:             schema,
		createPlayerKey:    lockKey("create player", schema),
		createLocationKey:  lockKey("create location", schema),
		locationLockClass:  int32(lockKey("location", schema)),
		now:                time.Now,
		readOnlyResetEvery: defaultReadOnlyResetEvery,
	}
	s.purger = purge.New(time.Now(), s.deleteExpiredKeys)
	return s, nil
}

// Schema is the schema the store's tables are in: the first on the
// connection's search_path that exists.
func (s *Store) Schema() string { return s.schema }

// checkEncoding refuses a database not encoded in UTF-8: names are any
// Unicode text, which another encoding either cannot hold (a valid request
// would fail) or holds as other characters for every other reader of the
// database.
func checkEncoding(ctx context.Context, pool *pgxpool.Pool) error {
	return pool.AcquireFunc(ctx, func(c *pgxpool.Conn) error {
		if enc := c.Conn().PgConn().ParameterStatus("server_encoding"); enc != "UTF8" {
			return fmt.Errorf("postgres: the database is encoded in %s; the store needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0)", enc)
		}
		return nil
	})
}

// connectError is Open's failure to connect, on one line: pgx gives each
// address it tried a line of its own.
// timeout, when set, is the connect timeout that ran out.
type connectError struct {
	err     error
	timeout time.Duration
}

func (e connectError) Error() string {
	msg := "postgres: cannot connect: "
	if e.timeout > 0 {
		msg = "postgres: cannot connect within the connect timeout (" + e.timeout.String() + "): "
	}
	return msg + strings.Join(strings.Fields(e.err.Error()), " ")
}

func (e connectError) Unwrap() error { return e.err }

// poolConfig parses url and applies opts and the defaults.
func poolConfig(url string, opts Options) (*pgxpool.Config, error) {
	if url == "" {
		return nil, errors.New("postgres: empty database URL")
	}
	if opts.MaxConns < 0 || opts.StatementTimeout < 0 || opts.ConnMaxLifetime < 0 || opts.ConnectTimeout < 0 || opts.CallTimeout < 0 {
		return nil, fmt.Errorf("postgres: negative option in %+v", opts)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx quotes the string, masking only the plainest passwords in
		// it (not password = 'a b'): what is wrong, without the string.
		msg := err.Error()
		var pce *pgconn.ParseConfigError
		if errors.As(err, &pce) {
			if i := strings.LastIndex(msg, "`: "); strings.HasPrefix(msg, "cannot parse `") && i > 0 {
				msg = msg[i+len("`: "):]
			}
		}
		return nil, fmt.Errorf("postgres: invalid database URL: %s", msg)
	}
	// ParseConfig has already put the URL's pool settings, or pgxpool's
	// defaults (the ones documented on Options), in cfg.
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.ConnMaxLifetime > 0 {
		cfg.MaxConnLifetime = opts.ConnMaxLifetime
	}
	if cfg.MaxConnLifetime < 0 || cfg.MaxConnLifetime > 0 && cfg.MaxConnLifetime < MinConnLifetime {
		// pgxpool reads 0 or less as "never recycle": the URL's
		// pool_max_conn_lifetime=0 keeps that meaning, but -1h hardly
		// means it.
		return nil, fmt.Errorf("postgres: the connection lifetime must be 0 (the URL's pool_max_conn_lifetime=0: never recycled) or at least %v, not %v", MinConnLifetime, cfg.MaxConnLifetime)
	}
	if opts.ConnectTimeout > 0 {
		cfg.ConnConfig.ConnectTimeout = opts.ConnectTimeout
	} else if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	params := cfg.ConnConfig.RuntimeParams
	// The store sends and reads UTF-8, whatever the URL asks.
	params["client_encoding"] = "UTF8"
	// The store's transactions are written for READ COMMITTED, where each
	// statement sees what committed before it: a visit waits for its
	// player's row lock, then reads the gold and keys the previous visit
	// committed. A default of REPEATABLE READ or SERIALIZABLE (the URL's,
	// or the database's or role's, which a connection's own setting
	// overrides) would fail every visit that waited for one of the same
	// player. The one transaction that needs another level asks for it.
	params["default_transaction_isolation"] = "read committed"
	if opts.StatementTimeout > 0 || params["statement_timeout"] == "" {
		d := opts.StatementTimeout
		if d == 0 {
			d = defaultStatementTimeout
		}
		// Milliseconds, PostgreSQL's unit; never 0, which would mean none.
		params["statement_timeout"] = strconv.FormatInt(max(1, d.Milliseconds()), 10)
	}
	if params["idle_in_transaction_session_timeout"] == "" {
		// The store's transactions never wait on anything but the database
		// between statements: a session idle in one has lost its client
		// (a half-open connection), and its locks (a player's row, the
		// player-creation lock) would hold everyone else up until the
		// server noticed. The statement timeout, and at least 10 s, leaves
		// room for any pause of this process.
		idle := settingMillis(params["statement_timeout"])
		params["idle_in_transaction_session_timeout"] = strconv.FormatInt(max(idle, 10_000), 10)
	}
	return cfg, nil
}

// settingMillis reads a PostgreSQL time setting as the URL may give it:
// milliseconds, or a number and one of PostgreSQL's units (500ms, 60s,
// 1.5min, 1e3), rounded to a millisecond; 0 for what it cannot read,
// which PostgreSQL refuses anyway.
func settingMillis(v string) int64 {
	v = strings.TrimSpace(v)
	i := strings.IndexFunc(v, func(r rune) bool { return (r < '0' || r > '9') && !strings.ContainsRune(".eE+-", r) })
	num, unit := v, ""
	if i >= 0 {
		num, unit = v[:i], strings.TrimSpace(v[i:])
	}
	ms := map[string]float64{"": 1, "us": 0.001, "ms": 1, "s": 1e3, "min": 60e3, "h": 3600e3, "d": 86400e3}[unit]
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || ms == 0 || n*ms > math.MaxInt64 {
		return 0
	}
	return int64(math.Round(n * ms))
}

// Close stops a running purge of expired keys (its statement in flight is
// cancelled) and waits for it, then waits for the calls in flight to return
// their connections and closes the pool.
func (s *Store) Close() error {
	s.purger.Close() // it deletes through the pool: first
	s.pool.Close()
	return nil
}

// PurgeStats reports what the store's idempotency-key purges did.
func (s *Store) PurgeStats() game.PurgeStats { return s.purger.Stats() }

// PoolStats reports the connection pool as the pool "main". Waits counts the
// acquires that found no idle connection, and WaitFor their total wait.
func (s *Store) PoolStats() []game.PoolStats {
	st := s.pool.Stat()
	return []game.PoolStats{{
		Pool: "main", Max: int(st.MaxConns()), Open: int(st.TotalConns()),
		InUse: int(st.AcquiredConns()), Idle: int(st.IdleConns()),
		Waits: st.EmptyAcquireCount(), WaitFor: st.EmptyAcquireWaitTime(),
	}}
}

// Ping checks that the database answers, within the connect timeout (and
// the call timeout), and holds the store's tables. A new connection refused
// at the connection limit while the pool holds others is no failure.
func (s *Store) Ping(ctx context.Context) error {
	return s.retryWithin(ctx, s.pingTimeout, func(ctx context.Context) error {
		var one int
		err := s.pool.QueryRow(ctx, migration.Probe).Scan(&one)
		if atConnectionLimit(err) && s.pool.Stat().TotalConns() > 0 {
			// The pool had no idle connection, so the probe asked for a
			// new one, and PostgreSQL, at its max_connections or a role's
			// or database's CONNECTION LIMIT, refused it. The process's
			// own connections are busy serving: ready, or a load balancer
			// would take out, one after another, the instances the
			// database is busiest serving.
			return nil
		}
		if errors.Is(err, pgx.ErrNoRows) {
			// schema_migrations emptied by hand: no schema this server
			// can tell it knows, as a table renamed is.
			return game.Unavailable(errors.New("postgres: schema_migrations holds no migration"))
		}
		return err
	})
}

// atConnectionLimit reports a new connection PostgreSQL refused because
// it serves as many as it may (53300, too_many_connections).
func atConnectionLimit(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "53300"
}

// maxAttempts bounds how often retry runs an operation.
const maxAttempts = 4

// retry runs op until it succeeds, fails in a way a new attempt cannot
// mend, or has run maxAttempts times, and returns its error through wrap;
// all of it within the call timeout. op runs with the context it is given.
func (s *Store) retry(ctx context.Context, op func(context.Context) error) error {
	return s.retryWithin(ctx, s.callTimeout, op)
}

// retryWithin is retry within timeout (0: none): once it passes, the
// statement running is cancelled and the call is unavailable.
func (s *Store) retryWithin(ctx context.Context, timeout time.Duration, op func(context.Context) error) error {
	callCtx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		callCtx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	for attempt := 1; ; attempt++ {
		err := op(callCtx)
		if isReadOnly(err) {
			s.resetAfterReadOnly()
		}
		if err == nil || attempt == maxAttempts || callCtx.Err() != nil || !retryable(err) {
			return wrap(ctx, callCtx, timeout, err)
		}
		// 10ms, 40ms, 90ms, with jitter so that racing instances part.
		backoff := time.Duration(attempt*attempt)*10*time.Millisecond + rand.N(10*time.Millisecond)
		select {
		case <-time.After(backoff):
		case <-callCtx.Done():
			return wrap(ctx, callCtx, timeout, err) // the last attempt's error says why
		}
	}
}

// defaultReadOnlyResetEvery is Store.readOnlyResetEvery: once writes are
// allowed again, the first refused a second after the last reset mends the
// pool, while a database that stays read-only is sent at most a pool of
// new connections a second.
const defaultReadOnlyResetEvery = time.Second

// isReadOnly reports a write the server refused because the transaction is
// read-only (25006, read_only_sql_transaction).
func isReadOnly(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "25006"
}

// resetAfterReadOnly closes the pool's connections (those in use, once
// released) after a write was refused as read-only, at most once every
// readOnlyResetEvery. A session keeps the default_transaction_read_only it
// started with: once an operator lifts a database's or a role's (ALTER
// DATABASE ... RESET default_transaction_read_only), the connections
// opened while it held would refuse every write until their lifetime ended,
// an hour by default; new ones take the database's setting as it is now. (A
// standby promoted turns its sessions read-write itself, but the refusal
// does not say which of the two it is.) Spaced, so that a database that
// stays read-only is not sent a new connection for every write refused.
func (s *Store) resetAfterReadOnly() {
	now := time.Now().UnixNano()
	last := s.lastReadOnlyReset.Load()
	// A clock set back since the last reset makes one due: else none
	// would be for as long as it was set back.
	due := now-last < 0 || now-last >= int64(s.readOnlyResetEvery)
	if !due || !s.lastReadOnlyReset.CompareAndSwap(last, now) {
		return // not due, or another refusal's reset won
	}
	s.pool.Reset()
}

// inTx runs fn in a transaction with opts and commits when fn returns nil,
// retrying as retry does. fn must leave its results in variables it resets
// itself, since it may run more than once.
func (s *Store) inTx(ctx context.Context, opts pgx.TxOptions, fn func(ctx context.Context, tx pgx.Tx) error) error {
	if opts.IsoLevel == "" {
		// Said in the BEGIN too, which reaches the server whatever sits
		// between (a pooler that drops startup parameters): see poolConfig.
		opts.IsoLevel = pgx.ReadCommitted
	}
	return s.retry(ctx, func(ctx context.Context) error { return s.runTx(ctx, opts, fn) })
}

// inPlayerTx is inTx for a write that locks player id's row first: it
// waits in this process, within the call timeout, for the player's other
// such writes to end (see playerTurns), and keeps its turn through the
// retries.
func (s *Store) inPlayerTx(ctx context.Context, id int64, fn func(ctx context.Context, tx pgx.Tx) error) error {
	var done func()
	defer func() {
		if done != nil {
			done()
		}
	}()
	return s.retry(ctx, func(ctx context.Context) error {
		if done == nil {
			var err error
			if done, err = s.turns.wait(ctx, id); err != nil {
				if errors.Is(err, context.DeadlineExceeded) {
					// The client hears what a wait on the row would
					// tell it (the api answers a deadline passed there,
					// the context's error, with the same 503); the
					// operator, that the database was not asked.
					return game.NoAnswer(fmt.Errorf(
						"postgres: waited past the deadline for the turn of player %d, held by its earlier writes in this process (a burst of writes to one player): %w", id, err))
				}
				return err
			}
		}
		return s.runTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, fn)
	})
}

// runTx is one attempt of inTx.
func (s *Store) runTx(ctx context.Context, opts pgx.TxOptions, fn func(ctx context.Context, tx pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) // a no-op once committed
	if err := fn(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		if opts.AccessMode == pgx.ReadOnly {
			return err // nothing to have applied: a read, to retry as any
		}
		return commitError{err}
	}
	return nil
}

// callbackError carries the error of a caller's callback (update, check), or
// a VisitRequest.Refuse, out of inTx, which returns it unchanged as
// game.Store promises. It has no Unwrap on purpose: nothing the callback
// says is taken for a database error.
type callbackError struct{ err error }

func (e callbackError) Error() string { return e.err.Error() }

// commitUnknown is what a caller hears of a COMMIT that was sent but whose
// answer never came (a connection lost, the call's time up).
const commitUnknown = "The database did not confirm the write, which it may have applied: " +
	"read before you repeat it (a visit may be repeated with the same Idempotency-Key)."

// commitError is a failed COMMIT, which may have been applied when the
// connection was lost before its answer arrived.
type commitError struct{ err error }

func (e commitError) Error() string { return "commit: " + e.err.Error() }
func (e commitError) Unwrap() error { return e.err }

// errKeyTaken reports an idempotency key committed by another transaction
// after this one looked for it; a new attempt finds it and replays.
var errKeyTaken = errors.New("idempotency key taken concurrently")

// retryable reports whether err left nothing applied and may pass on a new
// attempt.
func retryable(err error) bool {
	var cb callbackError
	var ge *game.Error
	var ce commitError
	switch {
	case errors.As(err, &cb), errors.As(err, &ge):
		return false
	case errors.Is(err, errKeyTaken):
		return true
	case errors.As(err, &ce):
		// Only a COMMIT the server refused, or one never sent, is known
		// to be rolled back.
		return commitRefused(ce.err)
	}
	return isConflict(err) || connectionLost(err) || planChanged(err)
}

// commitRefused reports a failed COMMIT known to have applied nothing: the
// server refused it (a conflict, or a transaction it had rolled back), or
// it was never sent (pgconn's SafeToRetry: the context ended first).
func commitRefused(err error) bool {
	return isConflict(err) || errors.Is(err, pgx.ErrTxCommitRollback) || pgconn.SafeToRetry(err)
}

// planChanged reports a statement PostgreSQL refused because a table's
// columns changed type under a running server (a migration applied by
// another instance) since the connection prepared it. pgx drops the stale
// statement, the transaction is rolled back, and a new attempt prepares it
// anew. Other 0A000 errors (feature_not_supported) are bugs.
func planChanged(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "0A000" && strings.Contains(pe.Message, "cached plan must not change result type")
}

// isConflict reports a transaction PostgreSQL rolled back because it clashed
// with another one.
func isConflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01") // serialization_failure, deadlock_detected
}

// connectionLost reports a failure to reach the server or to hear back from
// it: a refused or dropped connection, or a server shutting down.
func connectionLost(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P01", "57P02", "57P03", // admin_shutdown, crash_shutdown, cannot_connect_now
			"57P04", // database_dropped
			"57P05", // idle_session_timeout: the server ended an idle pooled session
			"25P03", // idle_in_transaction_session_timeout: the server ended the session
			"25P04": // transaction_timeout (PostgreSQL 17): the server ended the session
			return true
		}
		return strings.HasPrefix(pe.Code, "08") // connection_exception
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		pgconn.SafeToRetry(err)
}

// unavailable reports a failure that says nothing about the request: the
// database cannot serve it right now.
func unavailable(err error) bool {
	if isConflict(err) || connectionLost(err) || planChanged(err) {
		return true
	}
	// The store was closed (a shutdown cut short, with handlers still
	// running): the database is gone for this process.
	if errors.Is(err, puddle.ErrClosedPool) {
		return true
	}
	// A connection the server refused, whatever it said (55000 for a
	// database that does not accept connections, ALLOW_CONNECTIONS false
	// during maintenance, is the database's state, not a bug). Not retried (connectionLost judges the
	// server's code first): a wrong password or a full server would only
	// be asked again.
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "57014", // query_canceled: the statement timeout
		"55P03", // lock_not_available
		"25006", // read_only_sql_transaction: a standby after a failover
		"58030", // io_error: the disk under the database failed a read or write
		// The database, its schema or a table is missing (dropped or
		// recreated under a running server), or the role may no longer
		// log in: an operator's fix, not a bug of the request's.
		"3D000", // invalid_catalog_name
		"3F000", // invalid_schema_name
		"42P01", // undefined_table
		"42703", // undefined_column: a column renamed under a running server
		// The role lost its rights on the tables (REVOKE), or row-level
		// security was turned on for them with row_security=off in the
		// URL (which makes it an error instead of rows silently filtered
		// out): an operator's change no request can cause.
		"42501": // insufficient_privilege
		return true
	}
	return strings.HasPrefix(pe.Code, "53") || // insufficient_resources: too many connections, disk full
		strings.HasPrefix(pe.Code, "28") // invalid_authorization_specification
}

// wrap turns a failure into what game.Store promises: a callback's error and
// a *game.Error unchanged; ctx's error when ctx has ended, whatever the
// driver made of it, except that a COMMIT left unanswered when ctx's
// deadline passed is EUNAVAILABLE saying it may have applied (commitUnknown:
// the caller who set the deadline will answer, and a cancelled caller has
// gone); EUNAVAILABLE when callCtx, ctx bounded by timeout, has ended, or
// the database cannot serve; anything else an internal error.
func wrap(ctx, callCtx context.Context, timeout time.Duration, err error) error {
	if err == nil {
		return nil
	}
	var cb callbackError
	if errors.As(err, &cb) {
		return cb.err
	}
	var ge *game.Error
	if errors.As(err, &ge) {
		return err
	}
	ctxErr := ctx.Err()
	if ctxErr != nil && !errors.Is(ctxErr, context.DeadlineExceeded) {
		return ctxErr
	}
	var ce commitError
	if errors.As(err, &ce) && !commitRefused(ce.err) {
		// The COMMIT was sent and its answer never came: the server may
		// have applied it, and a client told only to try again would
		// repeat a write that happened.
		return &game.Error{Code: game.EUNAVAILABLE, Message: commitUnknown, Err: err}
	}
	if ctxErr != nil {
		return ctxErr
	}
	if callCtx.Err() != nil {
		// Whatever the driver made of it: a statement cancelled, a read
		// that timed out, a connection not had in time.
		return game.NoAnswer(fmt.Errorf("postgres: no answer within %v: %w", timeout, err))
	}
	if unavailable(err) {
		// What a client can be told more of than "cannot be reached": the
		// database answers, but cannot take writes (as SQLite's), or
		// cancelled the statement (its statement timeout, mostly).
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			switch pe.Code {
			case "25006": // read_only_sql_transaction
				return game.ReadOnly(err)
			case "53100": // disk_full
				return game.DiskFull(err)
			case "57014": // query_canceled
				return game.NoAnswer(err)
			}
		}
		return game.Unavailable(err)
	}
	return fmt.Errorf("postgres: %w", err)
}

type scanner interface{ Scan(dest ...any) error }
