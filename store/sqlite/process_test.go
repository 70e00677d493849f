package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// TestMain lets the test binary be the other process of
// TestOtherProcesses: with NINJAGOLD_TEST_OPEN set it opens that file and
// prints what happened (see otherProcess) instead of running the tests.
func TestMain(m *testing.M) {
	if path := os.Getenv("NINJAGOLD_TEST_OPEN"); path != "" {
		otherProcess(path, os.Getenv("NINJAGOLD_TEST_SHARED") == "1")
		return
	}
	if path := os.Getenv("NINJAGOLD_TEST_HOLD"); path != "" {
		holdAndClose(path)
		return
	}
	os.Exit(m.Run())
}

// otherProcess opens path and prints "in use", "players N" (the players it
// can read) or "error: ...".
func otherProcess(path string, shared bool) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, sqlite.Options{Shared: shared, BusyTimeout: 200 * time.Millisecond})
	switch {
	case errors.Is(err, sqlite.ErrInUse):
		fmt.Println("in use")
		return
	case err != nil:
		fmt.Println("error:", err)
		return
	}
	defer s.Close()
	var n int
	if err := sqlite.WriteConn(s).QueryRowContext(ctx, `SELECT count(*) FROM players`).Scan(&n); err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println("players", n)
}

// holdAndClose holds path, then opens and closes the file as unrelated code
// in the process might, prints "held" and keeps the store open until stdin
// ends.
func holdAndClose(path string) {
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	defer s.Close()
	f, err := os.Open(path)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	f.Close()
	fmt.Println("held")
	io.Copy(io.Discard, os.Stdin)
}

// openElsewhere runs otherProcess in a child process.
func openElsewhere(t *testing.T, path string, shared bool) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(os.Environ(), "NINJAGOLD_TEST_OPEN="+path)
	if shared {
		cmd.Env = append(cmd.Env, "NINJAGOLD_TEST_SHARED=1")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("other process: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestOtherProcesses holds the Store to its locking: by default it keeps
// the file for its process alone, and another process, whichever mode it
// asks for, gets ErrInUse rather than a second view of the WAL; with Shared
// on both sides they share the file as SQLite always allows.
func TestOtherProcesses(t *testing.T) {
	tests := []struct {
		name           string
		shared, other  bool
		want           string
		afterCloseWant string
	}{
		{"exclusive, then exclusive", false, false, "in use", "players 1"},
		{"exclusive, then shared", false, true, "in use", "players 1"},
		{"shared, then exclusive", true, false, "in use", "players 1"},
		{"shared, then shared", true, true, "players 1", "players 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ninjagold.db")
			s, err := sqlite.Open(t.Context(), path, sqlite.Options{Shared: tt.shared})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Other", LastName: "Process", TokenHash: []byte("t")}); err != nil {
				t.Fatal(err)
			}
			if got := openElsewhere(t, path, tt.other); got != tt.want {
				t.Errorf("while the store is open, the other process says %q, want %q", got, tt.want)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if got := openElsewhere(t, path, tt.other); got != tt.afterCloseWant {
				t.Errorf("once the store is closed, the other process says %q, want %q", got, tt.afterCloseWant)
			}
		})
	}
}

// TestBusyWriterIsNotAHold: with the file shared, another process's long
// write transaction makes Open fail as busy, not with ErrInUse, whose
// advice (share the file) would be wrong there.
func TestBusyWriterIsNotAHold(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ninjagold.db")
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{Shared: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	holdWriteLock(t, path)
	got := openElsewhere(t, path, true)
	if !strings.HasPrefix(got, "error: ") || !strings.Contains(got, "database is locked") {
		t.Errorf("while another connection writes, the other process says %q, want a busy error that is not %q", got, "in use")
	}
}

// A write that waits out its busy timeout on another connection's write
// lock (a shared file) is EUNAVAILABLE, a 503 the client may retry, not an
// internal error; and once the lock is gone the store writes again.
func TestBusyWriteIsUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ninjagold.db")
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{Shared: true, BusyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	release := holdWriteLock(t, path)
	_, err = s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Busy", LastName: "Writer", TokenHash: []byte("busy")})
	var ge *game.Error
	if !errors.As(err, &ge) || ge.Code != game.EUNAVAILABLE {
		t.Errorf("CreatePlayer while another connection writes: got %v (code %q), want EUNAVAILABLE", err, game.ErrorCode(err))
	} else if got := ge.Err.Error(); !strings.HasPrefix(got, "the database stayed locked past the busy timeout (--sqlite-busy-timeout)") || !strings.HasSuffix(got, "(SQLITE_BUSY)") {
		t.Errorf("its cause, for the log: %q, want it to name the busy timeout, and SQLITE_BUSY behind", got)
	}
	release()
	if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Busy", LastName: "Writer", TokenHash: []byte("busy")}); err != nil {
		t.Errorf("CreatePlayer once the lock is gone: %v", err)
	}
}

// holdWriteLock takes the write lock of the SQLite file at path on a
// connection of its own, as another program's long transaction would, until
// release is called or t ends.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// Not t.Context(): it ends before the cleanups run, and database/sql
	// would roll the transaction back on its own, under release's feet.
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if err := tx.Rollback(); err != nil {
				t.Errorf("release the write lock: %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

// TestHoldSurvivesAClose: a process holding the file keeps it when other
// code in it opens and closes the file, which would drop a POSIX lock (and
// let another process write the file unseen).
func TestHoldSurvivesAClose(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("open file description locks are Linux's")
	}
	path := filepath.Join(t.TempDir(), "ninjagold.db")
	holder := exec.Command(os.Args[0], "-test.run", "^$")
	holder.Env = append(os.Environ(), "NINJAGOLD_TEST_HOLD="+path)
	stdin, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Wait()
	defer stdin.Close()
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "held\n" {
		t.Fatalf("holder says %q", line)
	}
	for _, shared := range []bool{false, true} {
		if got := openElsewhere(t, path, shared); got != "in use" {
			t.Errorf("after the holder closed a descriptor of the file, another process (shared %v) says %q, want %q", shared, got, "in use")
		}
	}
}
