package sqlite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestBatchRollsBackAFailedWriteAlone holds group commit to its promise that
// one write's failure rolls back that write alone: a write that fails after
// changing rows must leave none of them, while the writes before and after
// it in the same commit keep theirs, and each caller hears its own result.
func TestBatchRollsBackAFailedWriteAlone(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "ninjagold.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})

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

	rows, err := s.read.QueryContext(t.Context(), `SELECT first_name FROM players WHERE last_name = 'Batch' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		got = append(got, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"Before", "After"}; !slices.Equal(got, want) {
		t.Errorf("committed players: got %q, want %q", got, want)
	}
}

// A caller that gives up while its write is running (a client that hangs
// up mid-visit) must not cost the other writes of its commit: SQLite's
// interrupt, which cancelling a running statement sends, rolls back the
// whole transaction when it stops a write. Once its turn has come, a write
// runs to its end.
func TestCancelledWriteDoesNotFailItsBatch(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "ninjagold.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	insert := func(ctx context.Context, tx writeTx, name string) error {
		_, err := tx.Exec(`INSERT INTO players (first_name, last_name, token_hash, created_at) VALUES (?, 'Batch', ?, 0)`,
			name, []byte(name))
		return err
	}
	slowCtx, cancel := context.WithCancel(t.Context())
	defer cancel()
	batch := []writeJob{
		{ctx: t.Context(), fn: func(tx writeTx) error { return insert(t.Context(), tx, "Before") }},
		{ctx: slowCtx, fn: func(tx writeTx) error {
			if err := insert(slowCtx, tx, "Slow"); err != nil {
				return err
			}
			// A write long enough to be cancelled while it runs.
			time.AfterFunc(5*time.Millisecond, cancel)
			_, err := tx.Exec(`UPDATE players SET gold = gold WHERE id IN (
				WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000) SELECT x FROM n)`)
			return err
		}},
		{ctx: t.Context(), fn: func(tx writeTx) error { return insert(t.Context(), tx, "After") }},
	}
	for i := range batch {
		batch[i].done = make(chan error, 1)
	}
	s.commitBatch(batch)
	for i, j := range batch {
		if err := <-j.done; err != nil {
			t.Errorf("write %d: %v, want it committed", i, err)
		}
	}
	var n int
	if err := s.read.QueryRowContext(t.Context(), `SELECT count(*) FROM players WHERE last_name = 'Batch'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("%d of the batch's 3 players committed, want 3", n)
	}
	if slowCtx.Err() == nil {
		t.Error("the slow write ended before it was cancelled: the test proves nothing")
	}
}

// writable is Open's check that the file can be written: a file that does
// not exist yet is SQLite's to create, and one that cannot be opened for
// writing (here a directory; a read-only file, see TestReadOnlyFileIsRefused)
// is refused.
func TestWritable(t *testing.T) {
	dir := t.TempDir()
	if err := writable(filepath.Join(dir, "new.db")); err != nil {
		t.Errorf("a file not there yet: %v, want nil", err)
	}
	if err := writable(dir); err == nil {
		t.Error("a directory: nil, want an error")
	}
	file := filepath.Join(dir, "there.db")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writable(file); err != nil {
		t.Errorf("a writable file: %v, want nil", err)
	}
}
