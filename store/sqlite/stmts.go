package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared statements. modernc.org/sqlite parses every query it is given,
// and parsing was a quarter of a visit's CPU, so each query is prepared
// once and reused.

// writeTx is a write transaction whose statements come from the writer's
// cache. Only the writer goroutine runs writeTxs, so the cache needs no lock.
type writeTx struct {
	*sql.Tx
	w *writerStmts
}

// writerStmts caches statements prepared on the one write connection. A
// statement can only be prepared while no transaction holds that
// connection, so a query seen for the first time runs unprepared and is
// prepared after its batch commits.
type writerStmts struct {
	prepared map[string]*sql.Stmt
	missed   map[string]bool
	// inTx holds the statements bound to the batch's transaction
	// (Tx.StmtContext makes a new one on every call); commitBatch empties it
	// for each batch.
	inTx map[string]*sql.Stmt
}

func (t writeTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if st, ok := t.w.inTx[query]; ok {
		return st
	}
	if st, ok := t.w.prepared[query]; ok {
		st = t.Tx.StmtContext(ctx, st)
		t.w.inTx[query] = st
		return st
	}
	t.w.missed[query] = true
	return nil
}

// QueryRowContext and ExecContext run a statement of the batch's
// transaction to its end even when ctx is cancelled meanwhile: cancelling a
// running statement interrupts the connection, and SQLite rolls back the
// whole transaction when that stops a write, the other callers' writes of
// the batch with it. A caller that gave up before its turn is skipped
// (commitBatch); one whose write has begun hears how it ended.
func (t writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = context.WithoutCancel(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

func (t writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = context.WithoutCancel(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

// prepareMissed prepares the queries the last batch ran unprepared. The
// writer calls it between batches, when the connection is free.
func (w *writerStmts) prepareMissed(db *sql.DB) {
	for q := range w.missed {
		if st, err := db.Prepare(q); err == nil {
			w.prepared[q] = st
		}
		delete(w.missed, q)
	}
}

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

// readRows runs a query on the read pool (see detach), or on tx when it is
// not nil.
func (s *Store) readRows(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	if tx == nil {
		var err error
		if ctx, err = detach(ctx); err != nil {
			return nil, err
		}
	}
	st, err := s.reads.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if tx != nil {
		st = tx.StmtContext(ctx, st)
	}
	return st.QueryContext(ctx, args...)
}

// detach returns ctx's error if it is done already, and else ctx without
// its cancellation, for a read outside a transaction. For every query given
// a context that can end, database/sql starts a goroutine that waits for
// the end to close the rows (Rows.awaitDone): a context, a goroutine and
// two switches, about 3 % of the instructions of a GET /locations/{id}
// (BENCHMARKS.md). Each read here is one indexed lookup or one bounded
// page, over before a cancellation could save anything, so the request's
// end is checked before the read, not watched during it.
func detach(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

// errRow is a row whose query failed before it ran.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func closeAll(w *writerStmts, r *readStmts) {
	for _, st := range w.prepared {
		st.Close()
	}
	r.m.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
}
