package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/sqlite/sqlitetest"
)

// What a client is told of a write the file cannot take: the database
// answers, so more than "cannot be reached".
const (
	wantDiskFull = "The database cannot take writes right now: its disk is full."
	wantReadOnly = "The database cannot take writes right now: it is read-only."
)

// batchPlayers lists, in the order they were made, the first names of the
// players the batch tests commit (last name "Batch").
func batchPlayers(t *testing.T, s *Store) []string {
	t.Helper()
	return sqlitetest.Strings(t, s.read, `SELECT first_name FROM players WHERE last_name = 'Batch' ORDER BY id`)
}

// openFile opens a Store with opts on a new file, path, for a test that
// closes it itself or works on the file.
func openFile(t *testing.T, opts Options) (s *Store, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "ninjagold.db")
	s, err := Open(t.Context(), path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s, path
}

// newFile is a new file a Store migrated and closed, for a test that
// changes it from outside before it opens it again.
func newFile(t *testing.T) string {
	t.Helper()
	s, path := openFile(t, Options{})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return path
}

// openStore opens a Store on a new file and closes it when t ends.
func openStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "ninjagold.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// TestBatchRollsBackAFailedWriteAlone holds group commit to its promise that
// one write's failure rolls back that write alone: a write that fails after
// changing rows must leave none of them, while the writes before and after
// it in the same commit keep theirs, and each caller hears its own result.
func TestBatchRollsBackAFailedWriteAlone(t *testing.T) {
	s := openStore(t)

	errFailed := errors.New("failed after writing")
	cases := []struct {
		name string
		fail bool
	}{
		{"Before", false},
		{"Failed", true},
		{"After", false},
	}
	batch := make([]writeJob, len(cases))
	for i, c := range cases {
		fn := func(tx writeTx) error {
			if _, err := tx.Exec(
				`INSERT INTO players (first_name, last_name, token_hash, created_at) VALUES (?, 'Batch', ?, 0)`,
				c.name, []byte(c.name)); err != nil {
				return err
			}
			if c.fail {
				return errFailed
			}
			return nil
		}
		batch[i] = writeJob{ctx: t.Context(), fn: fn, done: make(chan error, 1)}
	}
	// The test runs the batch as the writer goroutine would. Through inTx
	// the three writes would share a commit only if they happened to queue
	// together; here they share it for certain. Nothing else writes, so the
	// writer goroutine sits idle and the write connection is free.
	before := s.WriteStats()
	s.commitBatch(batch)
	after := s.WriteStats()
	if writes, commits := after.Writes-before.Writes, after.Commits-before.Commits; writes != 3 || commits != 1 {
		t.Fatalf("got %d writes in %d commits, want 3 in 1", writes, commits)
	}

	for i, c := range cases {
		want := error(nil)
		if c.fail {
			want = errFailed
		}
		if got := <-batch[i].done; got != want {
			t.Errorf("write %q: got error %v, want %v", c.name, got, want)
		}
	}

	got := batchPlayers(t, s)
	if want := []string{"Before", "After"}; !slices.Equal(got, want) {
		t.Errorf("committed players: got %q, want %q", got, want)
	}
}

// A write whose savepoint is gone (the middle write here releases it
// itself, as SQLite ends it on some failures) fails its whole batch, and
// every caller hears why:
//   - when the write succeeds, the writer's RELEASE fails: the write can no
//     longer be undone alone, and its changes are in the batch's
//     transaction, so committing the batch would write what its caller
//     hears failed;
//   - when the write fails, the writer's ROLLBACK TO fails: the writer
//     ends the transaction, so the next batch can begin one.
//
// Either way none of the batch is committed, and the next write commits.
func TestFailedSavepointFailsItsBatch(t *testing.T) {
	for _, writeErr := range []error{nil, errors.New("the write's own failure")} {
		t.Run(fmt.Sprintf("the write returns %v", writeErr), func(t *testing.T) {
			s := openStore(t)
			insert := func(name string, release bool) writeJob {
				return writeJob{ctx: t.Context(), done: make(chan error, 1), fn: func(tx writeTx) error {
					if _, err := tx.Exec(`INSERT INTO players (first_name, last_name, token_hash, created_at) VALUES (?, 'Batch', ?, 0)`,
						name, []byte(name)); err != nil {
						return err
					}
					if !release {
						return nil
					}
					if _, err := tx.Exec("RELEASE w"); err != nil {
						return err
					}
					return writeErr
				}}
			}
			batch := []writeJob{insert("Before", false), insert("Released", true), insert("After", false)}
			s.commitBatch(batch)
			for i, j := range batch {
				if err := <-j.done; err == nil || !strings.Contains(err.Error(), "no such savepoint") {
					t.Errorf("write %d: got error %v, want the writer's failed RELEASE or ROLLBACK TO", i, err)
				}
			}
			if got := batchPlayers(t, s); len(got) != 0 {
				t.Errorf("committed players: got %q, want none", got)
			}
			// The writer is left with no transaction open: the next write commits.
			if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Next", LastName: "Batch", TokenHash: []byte("next")}); err != nil {
				t.Fatalf("the next write: %v", err)
			}
			if got, want := batchPlayers(t, s), []string{"Next"}; !slices.Equal(got, want) {
				t.Errorf("committed players: got %q, want %q", got, want)
			}
		})
	}
}

// A caller that gives up costs no other write of its commit. One that gave
// up before its turn is skipped and hears so. One that gives up while its
// write runs (a client hanging up mid-visit) has it run to its end: the
// statements of a batch take no context, since SQLite's interrupt, which a
// cancelled statement sends, rolls back the whole transaction when it stops
// a write.
func TestCancelledWriteDoesNotFailItsBatch(t *testing.T) {
	s := openStore(t)
	insert := func(tx writeTx, name string) error {
		_, err := tx.Exec(`INSERT INTO players (first_name, last_name, token_hash, created_at) VALUES (?, 'Batch', ?, 0)`,
			name, []byte(name))
		return err
	}
	gaveUp, cancelGaveUp := context.WithCancel(t.Context())
	cancelGaveUp()
	running, cancelRunning := context.WithCancel(t.Context())
	defer cancelRunning()
	batch := []writeJob{
		{ctx: t.Context(), fn: func(tx writeTx) error { return insert(tx, "Before") }},
		{ctx: gaveUp, fn: func(tx writeTx) error { return insert(tx, "GaveUp") }},
		{ctx: running, fn: func(tx writeTx) error {
			cancelRunning() // the caller hangs up while its write runs
			return insert(tx, "Running")
		}},
		{ctx: t.Context(), fn: func(tx writeTx) error { return insert(tx, "After") }},
	}
	for i := range batch {
		batch[i].done = make(chan error, 1)
	}
	s.commitBatch(batch)
	want := []error{nil, context.Canceled, nil, nil}
	for i, j := range batch {
		if err := <-j.done; !errors.Is(err, want[i]) || (want[i] == nil) != (err == nil) {
			t.Errorf("write %d: %v, want %v", i, err, want[i])
		}
	}
	names := batchPlayers(t, s)
	if want := []string{"Before", "Running", "After"}; !slices.Equal(names, want) {
		t.Errorf("committed %v, want %v", names, want)
	}
}

// writable is Open's check that the file can be written: a file that does
// not exist yet is SQLite's to create, one this process may write passes
// (a file it may not write: TestReadOnlyFileIsRefused).
func TestWritable(t *testing.T) {
	dir := t.TempDir()
	if err := writable(filepath.Join(dir, "new.db")); err != nil {
		t.Errorf("a file not there yet: %v, want nil", err)
	}
	file := filepath.Join(dir, "there.db")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writable(file); err != nil {
		t.Errorf("a writable file: %v, want nil", err)
	}
}

// Ping answers within its context, and within PingTimeout, also while the
// writer's connection is busy with a statement: a readiness probe must not
// hang behind a slow commit. The statement here is test_hold(), which
// returns only when the test lets it.
func TestPingKeepsItsDeadlineDuringAWrite(t *testing.T) {
	for _, tc := range []struct {
		name        string
		deadline    time.Duration // the caller's; 0 for none
		pingTimeout time.Duration
		want        func(error) bool
	}{
		{"the caller's deadline", 20 * time.Millisecond, PingTimeout, func(err error) bool {
			return errors.Is(err, context.DeadlineExceeded) && game.ErrorCode(err) == game.EINTERNAL
		}},
		// A caller without one (/readyz on SQLite) hears, after
		// PingTimeout, that the database is unavailable, and why.
		{"its own timeout", 0, 50 * time.Millisecond, func(err error) bool {
			var ge *game.Error
			return errors.As(err, &ge) && ge.Code == game.EUNAVAILABLE && ge.Message == "The database did not answer in time." &&
				strings.HasPrefix(ge.Err.Error(), "sqlite: no answer to the readiness check within 50ms (the write connection held")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t)
			s.pingTimeout = tc.pingTimeout
			wrote, release := holdWriter(t, s) // the writer's statement holds the connection
			pinged := make(chan error, 1)
			go func() {
				ctx := context.Background()
				if tc.deadline > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.deadline)
					defer cancel()
				}
				pinged <- s.Ping(ctx)
			}()
			select {
			case err := <-pinged:
				if !tc.want(err) {
					t.Errorf("Ping while the writer's statement runs = %v (code %q)", err, game.ErrorCode(err))
				}
			case <-time.After(10 * time.Second):
				t.Error("Ping waited for the writer's statement, past its deadline")
			}
			release()
			if err := <-wrote; err != nil {
				t.Fatalf("the held write: %v", err)
			}
			if err := s.Ping(t.Context()); err != nil {
				t.Errorf("Ping after the write = %v, want nil", err)
			}
		})
	}
}

// Pings that time out while the writer's statement runs leave no goroutine
// each behind: they share one ping of the writer's connection, which ends
// when the statement does (each used to start its own, so a disk that hung
// gathered one goroutine per readiness probe). So do Pings that write,
// after a write failed for the storage: the fault's probe write is queued
// once behind the statement, not once per Ping, and once it commits the
// fault is gone.
func TestPingsDuringAWriteShareOneProbe(t *testing.T) {
	for _, fault := range []error{nil, errors.New("the disk was full")} {
		t.Run(fmt.Sprintf("fault %v", fault), func(t *testing.T) {
			s := openStore(t)
			wrote, release := holdWriter(t, s)
			if fault != nil {
				s.fault.Store(&writeFault{err: fault})
			}
			before := runtime.NumGoroutine()
			const pings = 50
			for range pings {
				ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
				err := s.Ping(ctx)
				cancel()
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("Ping while the writer's statement runs = %v, want its deadline's error", err)
				}
			}
			if grew := runtime.NumGoroutine() - before; grew > pings/5 {
				t.Errorf("%d Pings that timed out left %d more goroutines, want about one", pings, grew)
			}
			// With a fault, one probe write waits for the writer, whatever
			// the number of Pings; without, none does.
			want := int64(0)
			if fault != nil {
				want = 1
				for deadline := time.Now().Add(10 * time.Second); s.waiting.Load() < want && time.Now().Before(deadline); {
					time.Sleep(time.Millisecond)
				}
			}
			if n := s.waiting.Load(); n != want {
				t.Errorf("%d writes wait for the writer after %d Pings, want %d", n, pings, want)
			}
			release()
			if err := <-wrote; err != nil {
				t.Fatalf("the held write: %v", err)
			}
			if err := s.Ping(t.Context()); err != nil {
				t.Errorf("Ping after the write = %v, want nil", err)
			}
			if f := s.fault.Load(); f != nil {
				t.Errorf("the fault %v outlived a committed probe", f.err)
			}
		})
	}
}

// holdStatements makes test_hold() block until the returned release is
// called (at the latest when t ends); entered is closed once a statement
// is inside it, holding its connection.
func holdStatements(t *testing.T) (entered <-chan struct{}, release func()) {
	in, out := make(chan struct{}), make(chan struct{})
	held.Lock()
	held.in, held.out = in, out
	held.Unlock()
	var enter, leave sync.Once
	held.enter = func() { enter.Do(func() { close(in) }) }
	release = func() { leave.Do(func() { close(out) }) }
	t.Cleanup(release)
	return in, release
}

// holdWriter starts a write whose statement is test_hold() and returns
// once the writer is inside it, committing a batch that waits for release.
// held gets the write's answer once released.
func holdWriter(t *testing.T, s *Store) (held <-chan error, release func()) {
	t.Helper()
	entered, release := holdStatements(t)
	answer := make(chan error, 1)
	go func() {
		answer <- s.inTx(context.Background(), func(tx writeTx) error {
			var one int
			return tx.QueryRow(`SELECT test_hold()`).Scan(&one)
		})
	}()
	<-entered
	return answer, release
}

// held is what test_hold() does: say it has begun (enter), then wait for
// out; with out nil it returns at once.
var held struct {
	sync.Mutex
	in, out chan struct{}
	enter   func()
}

func init() {
	// A function of the driver's, available to every connection opened
	// after this; only the tests above call it.
	sqlite.MustRegisterScalarFunction("test_hold", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		held.Lock()
		out, enter := held.out, held.enter
		held.Unlock()
		if out != nil {
			enter()
			<-out
		}
		return int64(1), nil
	})
}

// A full disk ends the whole transaction (SQLite rolls all of it back), so
// no write of the batch is kept, and each caller hears the database's
// failure, a 503 to retry, not the savepoint's that no longer exists (a
// 500); the Store keeps it as its fault, for Ping to write until a write
// commits (see TestPingFailsWhileNoWriteCanCommit). Here the disk is full
// at two more pages (max_page_count).
func TestFullDiskFailsItsBatchAsUnavailable(t *testing.T) {
	s := openStore(t)
	var pages int
	if err := s.wconn.QueryRowContext(t.Context(), `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.wconn.ExecContext(t.Context(), fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+2)); err != nil {
		t.Fatal(err)
	}
	insert := func(name string, size int) func(writeTx) error {
		return func(tx writeTx) error {
			_, err := tx.Exec(`INSERT INTO players (first_name, last_name, token_hash, created_at) VALUES (?, 'Full', ?, 0)`,
				name, []byte(name+strings.Repeat("x", size)))
			return err
		}
	}
	batch := []writeJob{
		{ctx: t.Context(), fn: insert("Small", 10)},
		{ctx: t.Context(), fn: insert("Huge", 200_000)},
		{ctx: t.Context(), fn: insert("Small again", 10)},
	}
	for i := range batch {
		batch[i].done = make(chan error, 1)
	}
	s.commitBatch(batch)
	for i, j := range batch {
		if err := wrap(<-j.done); game.ErrorCode(err) != game.EUNAVAILABLE || game.ErrorMessage(err) != wantDiskFull {
			t.Errorf("write %d: %v (%q), want %s saying %q", i, err, game.ErrorMessage(err), game.EUNAVAILABLE, wantDiskFull)
		}
	}
	var n int
	if err := s.read.QueryRowContext(t.Context(), `SELECT count(*) FROM players WHERE last_name = 'Full'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d of the batch's writes kept, want none", n)
	}
	if f := s.fault.Load(); f == nil || game.ErrorMessage(wrap(f.err)) != wantDiskFull {
		t.Errorf("the Store's fault after its batch failed for a full disk: %+v, want the full disk", f)
	}
	// With room again, the writer writes.
	if _, err := s.wconn.ExecContext(t.Context(), `PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Hattori", LastName: "Hanzo", TokenHash: []byte("t")}); err != nil {
		t.Errorf("a write once there is room: %v", err)
	}
}

// The write "pool" reports the writer: in use while it commits a batch, and
// the writes that arrived meanwhile as waits, with how long they waited.
func TestWriterPoolStats(t *testing.T) {
	s := openStore(t)
	writer := func() game.PoolStats {
		for _, p := range s.PoolStats() {
			if p.Pool == "write" {
				return p
			}
		}
		t.Fatal("no write pool in PoolStats")
		return game.PoolStats{}
	}
	if w := writer(); w.InUse != 0 || w.Idle != 1 || w.Waits != 0 {
		t.Errorf("idle writer: %+v, want nothing in use and no wait", w)
	}
	held, release := holdWriter(t, s)
	if w := writer(); w.InUse != 1 || w.Idle != 0 {
		t.Errorf("writer committing: %+v, want it in use", w)
	}
	done := make(chan error, 1)
	go func() { done <- s.inTx(t.Context(), func(tx writeTx) error { return nil }) }()
	// The second write waits for the first batch: once it does, let the
	// first go.
	for s.waiting.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// A third gives up while it waits: it is no longer waiting, and no
	// wait of its is counted.
	ctx, cancel := context.WithCancel(t.Context())
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- s.inTx(ctx, func(tx writeTx) error { return nil }) }()
	for s.waiting.Load() != 2 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Fatalf("a write that gave up while waiting: %v, want context.Canceled", err)
	}
	if n := s.waiting.Load(); n != 1 {
		t.Errorf("%d waiting after one gave up, want 1", n)
	}
	if w := writer(); w.Waits != 0 {
		t.Errorf("after a write gave up waiting, the other still waiting: %+v, want no wait counted", w)
	}
	release()
	for _, answer := range []<-chan error{held, done} {
		if err := <-answer; err != nil {
			t.Fatal(err)
		}
	}
	// The writer answers its callers before it counts itself idle again.
	for writer().InUse != 0 {
		time.Sleep(time.Millisecond)
	}
	if w := writer(); w.Waits != 1 || w.WaitFor <= 0 || w.Idle != 1 {
		t.Errorf("after a write waited: %+v, want one wait of some time, and idle", w)
	}
}

// A COMMIT that fails can leave SQLite's transaction open: one with a
// deferred foreign key still broken does. The writer ends it, or every later
// BEGIN IMMEDIATE would fail and the store would take no write until it
// restarted.
func TestFailedCommitDoesNotHoldUpLaterWrites(t *testing.T) {
	s := openStore(t)
	orphan := writeJob{ctx: t.Context(), done: make(chan error, 1), fn: func(tx writeTx) error {
		if _, err := tx.Exec(`PRAGMA defer_foreign_keys = ON`); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO visits (player_id, location_id, location_name, gold, balance, message, created_at)
			VALUES (999999, 1, 'Farm', 1, 1, 'x', 0)`)
		return err
	}}
	s.commitBatch([]writeJob{orphan})
	if err := <-orphan.done; err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Fatalf("the orphan's write: got %v, want its COMMIT to fail on the foreign key", err)
	}

	if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Next", LastName: "Batch", TokenHash: []byte("next")}); err != nil {
		t.Fatalf("the next write: %v", err)
	}
	if got, want := batchPlayers(t, s), []string{"Next"}; !slices.Equal(got, want) {
		t.Errorf("committed players: got %q, want %q", got, want)
	}
	var orphans int
	if err := s.read.QueryRowContext(t.Context(), `SELECT count(*) FROM visits WHERE player_id = 999999`).Scan(&orphans); err != nil || orphans != 0 {
		t.Errorf("orphan visits: %d, %v; want none", orphans, err)
	}
}

// A store used after Close is unavailable, as a database that went away
// is: a 503 the client may retry elsewhere, not an internal error.
func TestClosedStoreIsUnavailable(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "ninjagold.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Late", LastName: "Batch", TokenHash: []byte("late")})
	if game.ErrorCode(err) != game.EUNAVAILABLE {
		t.Errorf("CreatePlayer after Close: got %v (code %q), want EUNAVAILABLE", err, game.ErrorCode(err))
	}
	_, err = s.GetPlayer(t.Context(), 1)
	if game.ErrorCode(err) != game.EUNAVAILABLE {
		t.Errorf("GetPlayer after Close: got %v (code %q), want EUNAVAILABLE", err, game.ErrorCode(err))
	}
}

// A burst of writes queued behind a slow one is committed in batches of at
// most maxBatch: one commit does not hold every answer of the burst until
// all of it is written.
func TestBatchesAreBounded(t *testing.T) {
	s := openStore(t)
	held, release := holdWriter(t, s)
	before := s.WriteStats()
	const burst = 2*maxBatch + 1
	done := make(chan error, burst)
	for range burst {
		go func() { done <- s.inTx(t.Context(), func(tx writeTx) error { return nil }) }()
	}
	for s.waiting.Load() != burst {
		time.Sleep(time.Millisecond)
	}
	release()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	for range burst {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	after := s.WriteStats()
	if writes, commits := after.Writes-before.Writes, after.Commits-before.Commits; writes != burst || commits < 3 {
		t.Errorf("%d writes queued at once took %d commits; want %d in at least 3 (at most %d a commit)", writes, commits, burst, maxBatch)
	}
}

// A file or file system made read-only fails a write with SQLITE_READONLY,
// which the client hears as such ("it is read-only"), not as a database
// that cannot be reached.
func TestReadOnlyIsSaidSo(t *testing.T) {
	path := newFile(t)
	ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	_, err = ro.Exec(`UPDATE players SET gold = gold + 1`)
	if err == nil {
		t.Fatal("a write through a read-only connection succeeded")
	}
	if err := wrap(err); game.ErrorCode(err) != game.EUNAVAILABLE || game.ErrorMessage(err) != wantReadOnly {
		t.Errorf("wrap: %v (%q), want %s saying %q", err, game.ErrorMessage(err), game.EUNAVAILABLE, wantReadOnly)
	}
}
