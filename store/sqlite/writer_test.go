package sqlite

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
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
			if _, err := tx.ExecContext(t.Context(),
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
