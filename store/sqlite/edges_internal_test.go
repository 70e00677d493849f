package sqlite

// The edges of the store a mutation sweep of the package found no test
// held: each test below failed with a small change to the code it names
// (a condition turned, a statement dropped, a constant changed), where
// every other test of the package passed.

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/purge"
)

// The writer's BEGIN IMMEDIATE takes the write lock first, so a visit
// that comes while another connection (another process, with Shared) holds
// it waits, and then reads the gold that connection committed. Under BEGIN
// DEFERRED the writer's first read takes a snapshot, and its UPDATE then
// fails at once with SQLITE_BUSY (no busy wait on a read-to-write upgrade).
func TestVisitWaitsForAnotherWriter(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ninjagold.db")
	s, err := Open(ctx, path, Options{Shared: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p, err := s.CreatePlayer(ctx, game.NewPlayer{FirstName: "A", LastName: "B", TokenHash: []byte("edge-token")})
	if err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `UPDATE players SET gold = gold + 1000 WHERE id = ?`, p.ID); err != nil {
		t.Fatal(err)
	}
	type result struct {
		v   game.Visit
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, _, err := s.CreateVisit(ctx, game.VisitRequest{PlayerID: p.ID, LocationID: 1,
			Roll: func(game.Location) game.Outcome { return game.Outcome{Gold: 7, Message: "x"} }})
		done <- result{v, err}
	}()
	time.Sleep(300 * time.Millisecond)
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("visit while another connection held the write lock: %v, want it to wait and commit", r.err)
	}
	if r.v.Balance != 1007 {
		t.Errorf("balance %d, want 1007 (the other connection's 1000 and the visit's 7)", r.v.Balance)
	}
}

// Options.Readers 0 means one reader per CPU, at least 4.
func TestDefaultReaders(t *testing.T) {
	s := openStore(t) // Options{}
	for _, p := range s.PoolStats() {
		if p.Pool == "read" {
			if want := max(4, runtime.NumCPU()); p.Max != want {
				t.Errorf("read pool Max = %d with Options{}, want %d", p.Max, want)
			}
			return
		}
	}
	t.Fatal("no read pool")
}

// Ping looks at the file first; an idle reader would still read the
// replaced file's old pages and pass.
func TestPingSeesAReplacedFile(t *testing.T) {
	s, path := openFile(t, Options{})
	defer s.Close()
	if err := s.Ping(t.Context()); err != nil { // leaves a reader idle
		t.Fatal(err)
	}
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); game.ErrorCode(err) != game.EUNAVAILABLE {
		t.Errorf("Ping after the file was moved away: %v, want EUNAVAILABLE", err)
	}
}

// Close looks at the file again once the writer has stopped.
func TestCloseLooksAgainAfterTheWriter(t *testing.T) {
	s, path := openFile(t, Options{})
	held, release := holdWriter(t, s)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	<-s.quit // Close has looked once, and waits for the writer
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	release()
	<-held
	if err := <-closed; game.ErrorCode(err) != game.EUNAVAILABLE || !strings.Contains(err.Error(), "no longer the file") {
		t.Errorf("Close after the file was moved while the writer finished: %v, want it said", err)
	}
}

// minRoom free is enough: a Ping after a fault answers ready.
func TestExactlyMinRoomIsReady(t *testing.T) {
	s := openStore(t)
	s.fault.Store(&writeFault{err: errors.New("disk was full")})
	s.room = func(string) (uint64, bool) { return minRoom, true }
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping with exactly minRoom free after a fault: %v, want nil", err)
	}
}

// A Ping after Close is unavailable, not an internal error. (With
// Shared and another connection on the file, the write-ahead log stays, so
// Ping gets past the file's check to the closed write connection.)
func TestPingAfterCloseIsUnavailable(t *testing.T) {
	s, path := openFile(t, Options{Shared: true})
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var n int
	if err := other.QueryRowContext(t.Context(), `SELECT count(*) FROM players`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); game.ErrorCode(err) != game.EUNAVAILABLE {
		t.Errorf("Ping after Close: %v (code %q), want EUNAVAILABLE", err, game.ErrorCode(err))
	}
}

// Times come back in UTC.
func TestTimesAreUTC(t *testing.T) {
	s := openStore(t)
	p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "U", LastName: "T", TokenHash: []byte("utc")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetPlayer(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.CreatedAt.Location() != time.UTC || p.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt in %v and %v, want UTC", got.CreatedAt.Location(), p.CreatedAt.Location())
	}
}

// The read pool cannot write.
func TestReadPoolIsQueryOnly(t *testing.T) {
	s := openStore(t)
	if _, err := s.read.ExecContext(t.Context(), `CREATE TABLE written (x)`); err == nil {
		t.Error("a write through the read pool passed, want it refused")
	}
}

// With Shared, the error speaks of the write-ahead log only when the
// log at the path is the one this server opened.
func TestSharedErrorNamesNoLogThatIsGone(t *testing.T) {
	s, path := openFile(t, Options{Shared: true})
	defer s.Close()
	for _, p := range []string{path, path + "-wal"} {
		if err := os.Rename(p, p+".moved"); err != nil {
			t.Fatal(err)
		}
	}
	err := s.Ping(t.Context())
	if game.ErrorCode(err) != game.EUNAVAILABLE || strings.Contains(err.Error(), "write-ahead log") {
		t.Errorf("Ping after the file and its log were moved away: %v, want EUNAVAILABLE saying nothing of a log", err)
	}
}

// A file whose header was overwritten under the server is damaged
// (SQLITE_NOTADB), for QuickCheck and for every read.
func TestOverwrittenHeaderIsDamaged(t *testing.T) {
	s, path := openFile(t, Options{})
	defer s.Close()
	if _, err := s.wconn.ExecContext(t.Context(), `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	s.read.SetMaxIdleConns(0) // the next read opens a connection
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("this is no sqlite file at all!!!"), 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	err = s.QuickCheck(t.Context())
	t.Logf("QuickCheck: %v", err)
	if err == nil || !strings.Contains(err.Error(), "damaged: restore it from a backup") {
		t.Errorf("QuickCheck of a file with no header: %v, want it damaged", err)
	}
	_, err = s.GetPlayer(t.Context(), 1)
	t.Logf("GetPlayer: %v", err)
	if game.ErrorCode(err) != game.EUNAVAILABLE || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("GetPlayer from a file with no header: %v, want EUNAVAILABLE saying it is damaged", err)
	}
}

// Close stops a purge waiting for the writer before it stops the
// writer: the purge is stopped, not failed.
func TestCloseStopsAWaitingPurge(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "ninjagold.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	held, release := holdWriter(t, s)
	s.purger.Maybe(time.Now().Add(2 * purge.Every))
	for s.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	<-s.quit
	release()
	<-held
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	s.purger.Wait()
	if st := s.PurgeStats(); st.Failed != 0 {
		t.Errorf("PurgeStats after Close stopped a waiting purge: %+v, want none failed", st)
	}
}

// A read of a table that fails partway (its last leaf page overwritten,
// the rows before it read) is a failure, not a short list.
func TestDamagedTableFailsTheRead(t *testing.T) {
	for _, tc := range []struct {
		table string
		fill  func(s *Store, i int) error
		read  func(s *Store) (int, error)
	}{
		{"locations", func(s *Store, i int) error {
			_, err := s.CreateLocation(t.Context(), game.LocationFields{Name: fmt.Sprintf("Place %03d", i), MinGold: 1, MaxGold: 2, Description: strings.Repeat("d", 100)})
			return err
		}, func(s *Store) (int, error) {
			ls, err := s.ListLocations(t.Context(), 0, 1000)
			return len(ls), err
		}},
		{"players", func(s *Store, i int) error {
			_, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: strings.Repeat("f", 60), LastName: fmt.Sprint(i), TokenHash: []byte(fmt.Sprintf("token-%d", i))})
			return err
		}, func(s *Store) (int, error) {
			ps, err := s.ListPlayers(t.Context(), game.PlayerPage{Sort: game.ByCreatedAtAsc, Limit: 1000})
			return len(ps), err
		}},
	} {
		t.Run(tc.table, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ninjagold.db")
			s, err := Open(t.Context(), path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 300 { // rows over several pages
				if err := tc.fill(s, i); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			var page, size int64
			err = db.QueryRow(`SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno DESC LIMIT 1`, tc.table).Scan(&page)
			if err == nil {
				err = db.QueryRow(`PRAGMA page_size`).Scan(&size)
			}
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteAt(bytes.Repeat([]byte{0xff}, int(size)), (page-1)*size); err != nil {
				t.Fatal(err)
			}
			f.Close()
			s, err = Open(t.Context(), path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if n, err := tc.read(s); err == nil {
				t.Errorf("a read of %s, damaged: %d rows and no error, want the damage", tc.table, n)
			}
		})
	}
}

// Ping's write clears the fault it probed for, not one a batch noted
// meanwhile.
func TestPingKeepsANewerFault(t *testing.T) {
	s := openStore(t)
	older := &writeFault{err: errors.New("older")}
	newer := &writeFault{err: errors.New("newer")}
	s.fault.Store(older)
	s.room = func(string) (uint64, bool) {
		s.fault.Store(newer) // a batch failed for the storage meanwhile
		return 1 << 30, true
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	if f := s.fault.Load(); f != newer {
		t.Errorf("fault after Ping: %v, want the newer one kept", f)
	}
}

// Only SQLite's own tables (sqlite_...) are left out of the check for
// another application's file.
func TestOtherApplicationsSqlitePrefixedTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE sqlitebrowser_notes (x)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(t.Context(), path, Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open of another application's file (one table, sqlitebrowser_notes) passed, want it refused")
	}
}

// The refusal lists five of another application's tables, then "...".
func TestOtherApplicationsTablesListedToFive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a1", "a2", "a3", "a4", "a5", "a6"} {
		if _, err := db.Exec(`CREATE TABLE ` + n + ` (x)`); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	_, err = Open(t.Context(), path, Options{})
	if err == nil || !strings.Contains(err.Error(), "(a1, a2, a3, a4, a5, ...)") {
		t.Errorf("Open of a file with six tables of another application's: %v, want five named and then ...", err)
	}
}

// QuickCheck names up to five of the damages it found.
func TestQuickCheckNamesSeveralDamages(t *testing.T) {
	path := newFile(t)
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`PRAGMA ignore_check_constraints = ON`,
		`INSERT INTO locations (name, min_gold, max_gold, description, version, created_at, updated_at) VALUES ('x1', 9, 1, '', 1, 0, 0), ('x2', 9, 1, '', 1, 0, 0), ('x3', 9, 1, '', 1, 0, 0)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.QuickCheck(t.Context())
	t.Logf("QuickCheck: %v", err)
	if err == nil || !strings.Contains(err.Error(), "; ") {
		t.Errorf("QuickCheck of a file with three rows breaking a CHECK: %v, want more than one damage named", err)
	}
}

// A path that is a symbolic link whose file was removed names no file:
// a restart would start a new, empty game there.
func TestDanglingLinkNamesNoFile(t *testing.T) {
	dir := t.TempDir()
	real, link := filepath.Join(dir, "real.db"), filepath.Join(dir, "link.db")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	s, err := Open(t.Context(), link, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := os.Rename(real, real+".moved"); err != nil {
		t.Fatal(err)
	}
	err = s.Ping(t.Context())
	if game.ErrorCode(err) != game.EUNAVAILABLE || !strings.Contains(err.Error(), "names no file now") {
		t.Errorf("Ping after the link's file was moved away: %v, want it to say the path names no file", err)
	}
}

// schema_migrations records when each migration was applied (Unix
// seconds).
func TestMigrationsRecordWhen(t *testing.T) {
	before := time.Now().Unix()
	s := openStore(t)
	var oldest int64
	if err := s.read.QueryRowContext(t.Context(), `SELECT min(applied_at) FROM schema_migrations`).Scan(&oldest); err != nil {
		t.Fatal(err)
	}
	if now := time.Now().Unix(); oldest < before || oldest > now {
		t.Errorf("applied_at %d, want between %d and %d", oldest, before, now)
	}
}

// A path that leads to a directory by a symbolic link is refused as
// a directory.
func TestLinkToADirectoryIsRefused(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "db")
	if err := os.Symlink(t.TempDir(), link); err != nil {
		t.Fatal(err)
	}
	s, err := Open(t.Context(), link, Options{})
	if err == nil {
		s.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "is a directory: give a file's path") {
		t.Errorf("Open of a link to a directory: %v, want it refused as a directory", err)
	}
}

// Options.Readers 1 is a read pool of one.
func TestOneReader(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "ninjagold.db"), Options{Readers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := s.read.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("read pool of %d with Readers 1, want 1", n)
	}
}

// With Shared, the write-ahead log of a file moved away is left where
// it is (other processes may be using it), and the error says so.
func TestSharedLeavesTheLog(t *testing.T) {
	s, path := openFile(t, Options{Shared: true})
	defer s.Close()
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	err := s.Ping(t.Context())
	if game.ErrorCode(err) != game.EUNAVAILABLE || !strings.Contains(err.Error(), "other processes may share its write-ahead log") {
		t.Errorf("Ping after a shared file was moved away: %v, want it to say the log was left", err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Errorf("the shared log: %v, want it left at its path", err)
	}
}

// Open's failure to read a file that is no database names the file.
func TestNoDatabaseNamesThePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, bytes.Repeat([]byte("not a database "), 100), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(t.Context(), path, Options{})
	if err == nil {
		s.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "sqlite: open "+path) {
		t.Errorf("Open of a text file: %v, want an error naming %s", err, path)
	}
}

// PoolStats counts the reads that waited for a reader.
func TestReadPoolWaitsCounted(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "ninjagold.db"), Options{Readers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.read.Conn(t.Context()) // the one reader, taken
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := s.GetLocation(context.Background(), 1); done <- err }()
	for s.read.Stats().WaitCount == 0 { // the read waits for the reader
		time.Sleep(time.Millisecond)
	}
	c.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, p := range s.PoolStats() {
		if p.Pool == "read" && p.Waits < 1 {
			t.Errorf("read pool after a read waited for the one reader: %+v, want a wait counted", p)
		}
	}
}

// A write the table's CHECK refuses (a location's min_gold over its
// max_gold, which the api never lets through) is an internal error: not a
// name taken (only the unique index on names is), not the database
// unavailable, and no fault of the storage's that would have Ping probe
// with writes.
func TestCheckConstraintIsInternal(t *testing.T) {
	s := openStore(t)
	_, err := s.CreateLocation(t.Context(), game.LocationFields{Name: "Upside", MinGold: 10, MaxGold: 1, Description: "d"})
	if game.ErrorCode(err) != game.EINTERNAL {
		t.Errorf("CreateLocation breaking the CHECK: %v (code %q), want %q", err, game.ErrorCode(err), game.EINTERNAL)
	}
	if f := s.fault.Load(); f != nil {
		t.Errorf("fault after a CHECK failure: %v, want none", f.err)
	}
}

// An empty page after a cursor, of a player that does not exist, is
// the player's absence.
func TestVisitsAfterACursorOfNoPlayer(t *testing.T) {
	s := openStore(t)
	_, err := s.ListVisits(t.Context(), 424242, 10, 5)
	if game.ErrorCode(err) != game.ENOTFOUND {
		t.Errorf("ListVisits of no player after a cursor: %v, want %s", err, game.ENOTFOUND)
	}
}

// The error names the location asked for.
func TestLocationNotFoundNamesIt(t *testing.T) {
	s := openStore(t)
	_, err := s.GetLocation(t.Context(), 4242)
	if err == nil || !strings.Contains(err.Error(), "Location 4242 does not exist") {
		t.Errorf("GetLocation(4242): %v, want it named", err)
	}
}

// A replayed visit writes nothing, and starts no purge.
func TestReplayStartsNoPurge(t *testing.T) {
	s := openStore(t)
	now := time.Now()
	SetClock(s, func() time.Time { return now })
	p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "R", LastName: "P", TokenHash: []byte("replay")})
	if err != nil {
		t.Fatal(err)
	}
	req := game.VisitRequest{PlayerID: p.ID, LocationID: 1, IdempotencyKey: "k", RequestHash: []byte("h"),
		Roll: func(game.Location) game.Outcome { return game.Outcome{Gold: 1, Message: "x"} }}
	if _, _, err := s.CreateVisit(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	s.purger.Wait()
	before := s.PurgeStats()
	now = now.Add(2 * purge.Every) // a purge is due, and the key still live
	if _, replayed, err := s.CreateVisit(t.Context(), req); err != nil || !replayed {
		t.Fatalf("replay: %v, %v", replayed, err)
	}
	s.purger.Wait()
	if after := s.PurgeStats(); after.Deletions != before.Deletions {
		t.Errorf("PurgeStats %+v after a replay, %+v before: want no purge", after, before)
	}
}

// A beforeID of 0 or less reads from the newest, as on PostgreSQL
// (store/postgres: beforeID <= 0).
func TestNegativeCursorIsFromTheNewest(t *testing.T) {
	s := openStore(t)
	p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "N", LastName: "C", TokenHash: []byte("neg")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: 1,
		Roll: func(game.Location) game.Outcome { return game.Outcome{Gold: 1, Message: "x"} }}); err != nil {
		t.Fatal(err)
	}
	if vs, err := s.ListVisits(t.Context(), p.ID, -1, 10); err != nil || len(vs) != 1 {
		t.Errorf("ListVisits before -1: %d visits, %v; want the one visit", len(vs), err)
	}
}

// A write that never waited (the writer idle) and did not get queued
// (the store closed) leaves no wait behind.
func TestUnqueuedWriteLeavesNoWaiting(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "ninjagold.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "L", LastName: "W", TokenHash: []byte("late")}); err == nil {
		t.Fatal("CreatePlayer after Close passed")
	}
	if n := s.waiting.Load(); n != 0 {
		t.Errorf("waiting = %d after a write refused by a closed store, want 0", n)
	}
}

// The name a log is moved aside to has the time to the nanosecond,
// in UTC.
func TestWALAsideName(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("X", 3600))
	if got, want := walAside("/d/n.db-wal", at), "/d/n.db-wal.replaced-20260102T020405.000000006Z"; got != want {
		t.Errorf("walAside = %q, want %q", got, want)
	}
}
