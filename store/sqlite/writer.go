package sqlite

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ninjagold/ninjagold-api/game"
)

// Group commit. SQLite has one writer, and with synchronous=FULL every
// commit waits for the disk. Instead of one transaction (and one fsync) per
// write, a single goroutine owns the write connection and runs the writes
// waiting for it together: one BEGIN, each write in a SAVEPOINT of its own
// (so one write's failure rolls back that write alone), one COMMIT, and only
// then is each caller answered. Durability is not weakened: no caller hears
// "done" before the commit holding its write is on disk.

// maxBatch bounds how many writes share one commit, so a burst cannot make
// one transaction (and the readers' WAL) grow without limit.
const maxBatch = 256

type writeJob struct {
	ctx  context.Context
	fn   func(writeTx) error
	done chan error
}

// errClosed is a write's error once Close has begun.
var errClosed = errors.New("sqlite: store closed")

// inTx runs fn in a write transaction, possibly batched with other writes,
// and returns once fn's changes are committed (fn returned nil) or rolled
// back (fn returned an error, which comes back as game.Store promises).
func (s *Store) inTx(ctx context.Context, fn func(tx writeTx) error) error {
	job := writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	var arrived time.Time
	if s.busy.Load() {
		// A wait for the writer: PoolStats reports how many such waits
		// there were and how long they took; waiting, how many wait now,
		// is for the tests that queue a write behind a held one.
		arrived = time.Now()
		s.waiting.Add(1)
	}
	select {
	case s.jobs <- job:
	case <-s.quit:
		s.stopWaiting(arrived, false)
		return game.Unavailable(errClosed)
	case <-ctx.Done():
		s.stopWaiting(arrived, false)
		return ctx.Err()
	}
	s.stopWaiting(arrived, true)
	// Once queued the job is answered, even if ctx ends meanwhile: the
	// caller must learn whether its write was committed.
	err := <-job.done
	switch e := err.(type) {
	case callbackError:
		return e.err
	case callbackPanic:
		panic(e.value)
	}
	return wrap(err)
}

// stopWaiting ends a wait for the writer that began at arrived (none if
// zero); a wait that got its job queued counts for PoolStats.
func (s *Store) stopWaiting(arrived time.Time, queued bool) {
	if arrived.IsZero() {
		return
	}
	s.waiting.Add(-1)
	if queued {
		s.waits.Add(1)
		s.waited.Add(int64(time.Since(arrived)))
	}
}

// callbackPanic is a panic of a write's fn, caught on the writer goroutine
// and raised again in the caller's by inTx. The writer serves every caller:
// without it, a bug in one request's callback (an update, a check, a roll)
// would end the process, where on PostgreSQL, whose callbacks run on the
// caller's goroutine, it is that request's 500. The write is rolled back to
// its savepoint like any failed write, and the rest of its batch commits.
type callbackPanic struct{ value any }

func (p callbackPanic) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// run calls j.fn, turning a panic into a callbackPanic.
func (j writeJob) run(tx writeTx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = callbackPanic{value: v}
		}
	}()
	return j.fn(tx)
}

// writeLoop is the one goroutine that writes.
func (s *Store) writeLoop() {
	defer close(s.stopped)
	defer s.wconn.Close() // after its statements: back to the pool for Close
	defer s.wstmts.close()
	for {
		var first writeJob
		select {
		case first = <-s.jobs:
		case <-s.quit:
			return
		}
		// Let the goroutines that are ready to run queue their writes
		// first. With one processor (GOMAXPROCS=1, as in a one-CPU
		// container) the handlers only get to queue while this goroutine
		// waits, and without the yield each wake-up would commit a batch of
		// one: a commit and an fsync per write, and requests served so
		// unevenly that some waited a second. With more processors it is
		// one cheap call per batch.
		runtime.Gosched()
		batch := []writeJob{first}
	gather:
		for len(batch) < maxBatch {
			select {
			case j := <-s.jobs:
				batch = append(batch, j)
			default:
				break gather
			}
		}
		s.busy.Store(true)
		s.commitBatch(batch)
		s.busy.Store(false)
	}
}

func (s *Store) commitBatch(batch []writeJob) {
	s.writes.Add(int64(len(batch)))
	s.commits.Add(1)
	errs := make([]error, len(batch))
	if err := s.file.check(); err != nil {
		s.failBatch(batch, err)
		return
	}
	tx := writeTx{conn: s.wconn, w: &s.wstmts}
	if _, err := tx.Exec("BEGIN IMMEDIATE"); err != nil {
		s.failBatch(batch, err)
		return
	}
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			errs[i] = err // the caller gave up before its turn: skip it
			continue
		}
		if _, err := tx.Exec("SAVEPOINT w"); err != nil {
			errs[i] = err
			continue
		}
		if err := j.run(tx); err != nil {
			errs[i] = err
			if _, rbErr := tx.Exec("ROLLBACK TO w"); rbErr != nil {
				// The transaction is gone: SQLite rolls all of it back on
				// some failures (a full disk, an I/O error), every write of
				// the batch with it. Each caller hears why: the database's
				// failure that ended it, or else the rollback's.
				tx.rollback()
				cause := rbErr
				var se *sqlite.Error
				if errors.As(err, &se) {
					cause = err
				}
				s.failBatch(batch, cause)
				return
			}
		}
		if _, err := tx.Exec("RELEASE w"); err != nil {
			// Without its savepoint this write cannot be undone alone, and
			// what it did would be committed under an error: undo the
			// whole batch, nothing of which is committed yet.
			tx.rollback()
			s.failBatch(batch, err)
			return
		}
	}
	if _, err := tx.Exec("COMMIT"); err != nil {
		// A COMMIT that failed can leave the transaction open (SQLite
		// keeps it on SQLITE_BUSY): end it, so the next batch can begin.
		tx.rollback()
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	for i, j := range batch {
		s.noteFault(errs[i])
		j.done <- errs[i]
	}
}

// failBatch gives every write of batch err.
func (s *Store) failBatch(batch []writeJob, err error) {
	s.noteFault(err)
	for _, j := range batch {
		j.done <- err
	}
}

// writeFault is a write's failure for the storage under the file: SQLite's
// SQLITE_FULL (the disk, or the file's max_page_count), SQLITE_IOERR (a
// write the kernel refused, as with no room left for the write-ahead log),
// SQLITE_READONLY and SQLITE_CANTOPEN. Reads and pings go on passing while
// it lasts, so the Store keeps it for Ping, which writes until a write of
// its own commits.
type writeFault struct{ err error }

// noteFault keeps err as the Store's fault if it is one.
func (s *Store) noteFault(err error) {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN:
		s.fault.Store(&writeFault{err: err})
	}
}

// probeWrite commits a write that changes nothing, through the writer like
// any write: it sets the file's user version (PRAGMA user_version, which
// nothing else reads) to the value it has, for which SQLite rewrites the
// file's first page, so the commit appends that page to the write-ahead log
// and syncs it as a visit's commit would. It fails while no write can
// commit (TestPingFailsWhileNoWriteCanCommit fails if it writes nothing).
func (s *Store) probeWrite(ctx context.Context) error {
	return s.inTx(ctx, func(tx writeTx) error {
		var v int64
		if err := tx.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
			return err
		}
		_, err := tx.Exec("PRAGMA user_version = " + strconv.FormatInt(v, 10))
		return err
	})
}

// rollback ends the transaction, if one is open, undoing it. An error
// means there was none left to end (SQLite rolls back by itself on some
// failures), so it is dropped.
func (t writeTx) rollback() { _, _ = t.Exec("ROLLBACK") }
