package sqlite

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ninjagold/ninjagold-api/game"
)

// A file SQLite cannot open (here, in a directory that is not there) is
// the storage's failure, as a full disk is: a 503 a client may retry, and
// a fault Ping reports until a write commits. The other codes wrap and
// noteFault sort are produced in TestFullDiskFailsItsBatchAsUnavailable,
// the read-only tests and TestLockedIsUnavailable.
func TestCannotOpenIsTheStoragesFault(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "no", "such", "dir.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cantOpen := db.Ping()
	var se *sqlite.Error
	if !errors.As(cantOpen, &se) {
		t.Fatalf("Ping of a file in no directory = %v, want a SQLite error", cantOpen)
	}
	if got := game.ErrorCode(wrap(cantOpen)); got != game.EUNAVAILABLE {
		t.Errorf("wrap(%v) has code %q, want %q", cantOpen, got, game.EUNAVAILABLE)
	}
	s := openStore(t)
	s.noteFault(cantOpen)
	if f := s.fault.Load(); f == nil || f.err != cantOpen {
		t.Errorf("noteFault(%v): fault %v, want it kept", cantOpen, f)
	}
	// An error of the statement's own making is no fault of the storage.
	s.fault.Store(nil)
	_, mistake := s.read.Exec(`SELECT * FROM no_such_table`)
	if !errors.As(mistake, &se) {
		t.Fatalf("a query of no table = %v, want a SQLite error", mistake)
	}
	if s.noteFault(mistake); s.fault.Load() != nil {
		t.Errorf("noteFault(%v) kept it as a fault", mistake)
	}
}

// SQLITE_LOCKED, a table one statement of a connection reads while another
// of the same connection would drop it, is a conflict to wait out, as
// SQLITE_BUSY is: a 503 a client may retry, not an internal error.
func TestLockedIsUnavailable(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "locked.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := t.Context()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE t (x); INSERT INTO t VALUES (1), (2)`); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.QueryContext(ctx, `SELECT x FROM t`)
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() { // the read stays open on its first row
		t.Fatalf("no row: %v", rows.Err())
	}
	_, locked := conn.ExecContext(ctx, `DROP TABLE t`)
	rows.Close()
	var se *sqlite.Error
	if !errors.As(locked, &se) || se.Code()&0xff != sqlite3.SQLITE_LOCKED {
		t.Fatalf("DROP TABLE under an open read = %v, want SQLITE_LOCKED", locked)
	}
	if got := game.ErrorCode(wrap(locked)); got != game.EUNAVAILABLE {
		t.Errorf("wrap(%v) has code %q, want %q", locked, got, game.EUNAVAILABLE)
	}
	// A conflict passes; it is no fault of the storage for Ping to report.
	s := openStore(t)
	if s.noteFault(locked); s.fault.Load() != nil {
		t.Errorf("noteFault(%v) kept it as a fault", locked)
	}
}
