package sqlite_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
	"github.com/ninjagold/ninjagold-api/store/storetest"
)

// openFile opens a store on path and closes it when t ends.
func openFile(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// open opens a store on a new file of its own.
func open(t *testing.T) game.Store {
	t.Helper()
	return openFile(t, filepath.Join(t.TempDir(), "ninjagold.db"))
}

func TestStore(t *testing.T) {
	storetest.Run(t, open)
}

// TestDeletePlayerRemovesRows looks under the interface: the suite cannot
// see rows nobody can ask for any more.
func TestDeletePlayerRemovesRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ninjagold.db")
	storetest.CreateAndDeletePlayer(t, openFile(t, path))

	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var players, visits, keys int
	if err := db.QueryRowContext(t.Context(), storetest.LeftoverRowsQuery).Scan(&players, &visits, &keys); err != nil {
		t.Fatal(err)
	}
	if players != 0 || visits != 0 || keys != 0 {
		t.Errorf("got %d players, %d visits, %d keys left, want none", players, visits, keys)
	}
}

// TestGroupCommitBatches holds the writer to group commit: with 64 callers
// writing at once on one processor, writes must share commits. (The case
// where handlers wait on the network between writes is
// cmd/ninjagold's TestGroupCommitOnOneCPU.)
func TestGroupCommitBatches(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	s := openFile(t, filepath.Join(t.TempDir(), "ninjagold.db"))
	ctx := t.Context()
	before := s.WriteStats()
	const writers, each = 64, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Go(func() {
			for j := range each {
				_, err := s.CreatePlayer(ctx, game.NewPlayer{FirstName: "Group", LastName: "Commit",
					TokenHash: []byte(fmt.Sprintf("token-%d-%d", i, j))})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	after := s.WriteStats()
	writes, commits := after.Writes-before.Writes, after.Commits-before.Commits
	if writes != writers*each {
		t.Fatalf("%d writes counted, want %d", writes, writers*each)
	}
	t.Logf("%d writes in %d commits", writes, commits)
	if commits*4 > writes {
		t.Errorf("%d writes took %d commits: want at least four writes a commit on average", writes, commits)
	}
}
