package sqlite

import (
	"strings"
	"syscall"
	"testing"

	"github.com/ninjagold/ninjagold-api/game"
)

// A disk with no room fails every write, while reads and a ping of the
// connection go on passing: Ping must fail with the writes (so /readyz
// answers 503 as they do), and pass again once a write can commit. The
// disk here has no room for this process: its file size limit
// (RLIMIT_FSIZE) is 0, so every write to a file fails (EFBIG; Go ignores
// the SIGXFSZ that comes with it). The test is not parallel: the limit is
// the whole process's.
func TestPingFailsWhileNoWriteCanCommit(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	var room syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &room); err != nil {
		t.Fatal(err)
	}
	setLimit := func(l syscall.Rlimit) {
		t.Helper()
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &l); err != nil {
			t.Fatal(err)
		}
	}
	newPlayer := func(token string) game.NewPlayer {
		return game.NewPlayer{FirstName: "Hattori", LastName: "Hanzo", TokenHash: []byte(token)}
	}
	if _, err := s.CreatePlayer(ctx, newPlayer("1")); err != nil {
		t.Fatal(err)
	}

	setLimit(syscall.Rlimit{Cur: 0, Max: room.Max})
	t.Cleanup(func() { setLimit(room) })
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping before any write failed: %v, want nil (it has no reason yet to write)", err)
	}
	if _, err := s.CreatePlayer(ctx, newPlayer("2")); game.ErrorCode(err) != game.EUNAVAILABLE {
		t.Fatalf("a write with no room: %v, want %s", err, game.EUNAVAILABLE)
	}
	if _, err := s.GetLocation(ctx, 1); err != nil {
		t.Errorf("a read with no room: %v, want it served", err)
	}
	for i := range 2 { // and not once only: the probe's own failure keeps the fault
		if err := s.Ping(ctx); game.ErrorCode(err) != game.EUNAVAILABLE {
			t.Errorf("Ping %d after a write failed with no room: %v, want %s", i+1, err, game.EUNAVAILABLE)
		}
	}

	setLimit(room)
	// The probe's one page commits now, but a disk with a few KiB left
	// would take no visit: the probe wants room for more than itself.
	s.room = func(string) (uint64, bool) { return 12 << 10, true }
	if err := s.Ping(ctx); game.ErrorCode(err) != game.EUNAVAILABLE || !strings.Contains(err.Error(), "12288 bytes free") {
		t.Errorf("Ping with room for one page only: %v, want %s saying how much room is left", err, game.EUNAVAILABLE)
	}
	if s.fault.Load() == nil {
		t.Error("the fault is no longer kept, with room for one page only")
	}
	s.room = freeBytes
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping with room again: %v, want nil", err)
	}
	if s.fault.Load() != nil {
		t.Error("the fault is still kept after a write committed")
	}
	if _, err := s.CreatePlayer(ctx, newPlayer("3")); err != nil {
		t.Errorf("a write with room again: %v", err)
	}
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM players WHERE last_name = 'Hanzo'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d players written, want 2: the write with no room is not kept", n)
	}
}

// A COMMIT that fails fails the writes it would have committed, and only
// those: a write of its batch that had failed on its own (rolled back to
// its savepoint) keeps its own error, a 422 or 404 the client is owed,
// not the commit's 503. The batch is handed to commitBatch directly, so
// that both writes surely share it, while the writer goroutine waits for
// jobs; the COMMIT fails for want of room, as in
// TestPingFailsWhileNoWriteCanCommit.
func TestFailedCommitKeepsEachWritesOwnError(t *testing.T) {
	s := openStore(t)
	var room syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &room); err != nil {
		t.Fatal(err)
	}
	job := func(fn func(writeTx) error) writeJob {
		return writeJob{ctx: t.Context(), fn: fn, done: make(chan error, 1)}
	}
	refused := job(func(writeTx) error { return game.KeyReused() })
	written := job(func(tx writeTx) error {
		_, err := tx.Exec(`INSERT INTO players (first_name, last_name, token_hash, gold, created_at) VALUES ('Hattori', 'Hanzo', x'01', 0, 0)`)
		return err
	})
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 0, Max: room.Max}); err != nil {
		t.Fatal(err)
	}
	s.commitBatch([]writeJob{refused, written})
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &room); err != nil {
		t.Fatal(err)
	}
	if err := <-written.done; err == nil {
		t.Fatal("the write to commit: no error, want the COMMIT's failure (the test's limit did not bite)")
	}
	if err := <-refused.done; game.ErrorCode(err) != game.EKEYREUSED {
		t.Errorf("the write that failed on its own: %v, want its own %s", err, game.EKEYREUSED)
	}
	// With room, the same write commits: it failed for the COMMIT alone.
	again := job(written.fn)
	s.commitBatch([]writeJob{again})
	if err := <-again.done; err != nil {
		t.Errorf("the same write with room: %v, want nil", err)
	}
}
