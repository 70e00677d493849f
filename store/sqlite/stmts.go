package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared statements. modernc.org/sqlite parses every query it is given,
// and parsing was a quarter of a visit's CPU, so each query is prepared
// once and reused.

// writeTx is the batch's write transaction, on the writer's connection.
// Only the writer goroutine runs writeTxs, so the statement cache needs no
// lock.
//
// Its statements take no context: once a write's turn has come it runs to
// its end, even when its caller gives up meanwhile. Cancelling a running
// statement interrupts the connection, and SQLite rolls back the whole
// transaction when that stops a write, the other callers' writes of the
// batch with it. A caller that gave up before its turn is skipped
// (commitBatch); one whose write has begun hears how it ended.
//
// The transaction is SQL's own (BEGIN IMMEDIATE ... COMMIT on a connection
// the writer holds), not a *sql.Tx: database/sql gives a Tx a context that
// can end and starts a goroutine per query to watch it (Rows.awaitDone), and
// a Tx binds each prepared statement anew; the three goroutines of a visit
// and the re-binding were about 4 % of its instructions
// (docs/benchmarks-history.md).
type writeTx struct {
	conn *sql.Conn
	w    *writerStmts
}

// writerStmts caches the statements prepared on the write connection. A
// statement is prepared the first time a write runs it, inside or outside a
// transaction, and kept until the Store closes.
type writerStmts struct {
	prepared map[string]*sql.Stmt
}

func (t writeTx) stmt(query string) (*sql.Stmt, error) {
	if st, ok := t.w.prepared[query]; ok {
		return st, nil
	}
	st, err := t.conn.PrepareContext(context.Background(), query)
	if err != nil {
		return nil, err
	}
	t.w.prepared[query] = st
	return st, nil
}

// QueryRow runs a one-row statement of the transaction.
func (t writeTx) QueryRow(query string, args ...any) scanner {
	st, err := t.stmt(query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(context.Background(), args...)
}

// Exec runs a statement of the transaction.
func (t writeTx) Exec(query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(context.Background(), args...)
}

// Bound values and plans. SQLite prepares a statement anew, parser and
// planner included, when a value bound to it might change its plan: any
// new value of a LIMIT ?, and, for an equality the plan does not search by
// (col = ?), a value that moves between 0 or 1 and any other value (the
// planner weighs col = 0 and col = 1 apart from the rest). A visit to the
// Farm, location 1, after one elsewhere, and back, were such moves: 8-13 %
// of the server's CPU under visits spread over the four locations
// (docs/benchmarks-history.md). Where no value changes the plan, the
// queries give it as +?, the same value as an expression, which SQLite
// does not look into; TestWarmQueriesCompileNothing holds them to it.

// pageLimit ends the query of a page. Every page is read by an index,
// whatever the limit.
const pageLimit = ` LIMIT +?`

// readStmts caches statements on the read pool, which prepares each on a
// connection the first time it runs there.
type readStmts struct {
	db *sql.DB
	m  sync.Map // query -> *sql.Stmt
}

func (r *readStmts) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := r.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := r.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := r.m.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// readRow runs a one-row query on the read pool (see detach).
func (s *Store) readRow(ctx context.Context, query string, args ...any) scanner {
	if err := s.file.err(); err != nil {
		return errRow{err}
	}
	ctx, err := detach(ctx)
	if err != nil {
		return errRow{err}
	}
	st, err := s.reads.get(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// readRows runs a query on the read pool, keeping the request's
// cancellation (unlike readRow): a page reads up to its limit of rows,
// which a client that went away should not wait for.
func (s *Store) readRows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := s.file.err(); err != nil {
		return nil, err
	}
	st, err := s.reads.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// detach returns ctx's error if it is done already, and else ctx without
// its cancellation, for a one-row read. For every query given a context
// that can end, database/sql starts a goroutine that waits for the end to
// close the rows (Rows.awaitDone): a context, a goroutine and two
// switches, about 3 % of the instructions of a GET /locations/{id}
// (docs/benchmarks-history.md). A one-row read here is an indexed lookup,
// over before a cancellation could save anything, so the request's end is
// checked before it, not watched during it.
func detach(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

// errRow is a row whose query failed before it ran.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (w *writerStmts) close() {
	for _, st := range w.prepared {
		st.Close()
	}
}

func (r *readStmts) close() {
	r.m.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
}
