package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/migration"
	"github.com/ninjagold/ninjagold-api/store/migration/migrationtest"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
	"github.com/ninjagold/ninjagold-api/store/sqlite/sqlitetest"
	"github.com/ninjagold/ninjagold-api/store/storetest"
)

// openFile opens a store on path and closes it when t ends.
func openFile(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	return openWith(t, path, sqlite.Options{})
}

// openWith opens a store on path with opts and closes it when t ends.
func openWith(t *testing.T, path string, opts sqlite.Options) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path, opts)
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

// TestIdempotencyKeysExpire lets time pass on the store's clock, which
// dates the keys, with the purges stopped.
func TestIdempotencyKeysExpire(t *testing.T) {
	s := openFile(t, filepath.Join(t.TempDir(), "ninjagold.db"))
	sqlite.StopPurges(s)
	var passed atomic.Int64 // the time elapse has let pass
	sqlite.SetClock(s, func() time.Time { return time.Now().Add(time.Duration(passed.Load())) })
	storetest.IdempotencyKeysExpire(t, s, func(d time.Duration) { passed.Add(int64(d)) })
}

// stopClock stops s's clock at the present: s reads the time, in
// microseconds, from the value returned, which only the test moves.
func stopClock(s *sqlite.Store) *atomic.Int64 {
	now := new(atomic.Int64)
	now.Store(time.Now().UnixMicro())
	sqlite.SetClock(s, func() time.Time { return time.UnixMicro(now.Load()) })
	return now
}

// The created_at orders are the order of sign-up, as the contract says:
// with the clock set back between two sign-ups, the later player carries
// the earlier time, and still comes after.
func TestCreatedAtOrderOutlastsAClockSetBack(t *testing.T) {
	s := openFile(t, filepath.Join(t.TempDir(), "ninjagold.db"))
	now := stopClock(s)
	first, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: []byte("kira")})
	if err != nil {
		t.Fatal(err)
	}
	now.Add(-time.Hour.Microseconds())
	second, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Rin", LastName: "Sato", TokenHash: []byte("rin")})
	if err != nil {
		t.Fatal(err)
	}
	if !second.CreatedAt.Before(first.CreatedAt) {
		t.Fatalf("created_at %v then %v: the clock was not set back", first.CreatedAt, second.CreatedAt)
	}
	for _, c := range []struct {
		sort game.PlayerSort
		want []int64
	}{
		{game.ByCreatedAtAsc, []int64{first.ID, second.ID}},
		{game.ByCreatedAtDesc, []int64{second.ID, first.ID}},
	} {
		players, err := s.ListPlayers(t.Context(), game.PlayerPage{Sort: c.sort, Limit: 10})
		var ids []int64
		for _, p := range players {
			ids = append(ids, p.ID)
		}
		if err != nil || !slices.Equal(ids, c.want) {
			t.Errorf("%s: %v (%v), want %v, the order of sign-up", c.sort, ids, err, c.want)
		}
	}
}

// TestIdempotencyKeyAtItsTTL stops the store's clock, so that a key can be
// asked for exactly game.IdempotencyKeyTTL after its visit: it is still
// kept then (the contract's 24 hours), neither forgotten nor purged, and
// gone a microsecond later.
func TestIdempotencyKeyAtItsTTL(t *testing.T) {
	s := openFile(t, filepath.Join(t.TempDir(), "ninjagold.db"))
	sqlite.StopPurges(s)
	now := stopClock(s)
	p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Ninja", TokenHash: []byte("kira")})
	if err != nil {
		t.Fatal(err)
	}
	req := func(roll func(game.Location) game.Outcome) game.VisitRequest {
		return game.VisitRequest{PlayerID: p.ID, LocationID: 1, IdempotencyKey: "k", RequestHash: []byte("h"), Roll: roll}
	}
	gold := func(l game.Location) game.Outcome { return game.Outcome{Gold: 1, Message: game.Message(l.Name, 1)} }
	first, _, err := s.CreateVisit(t.Context(), req(gold))
	if err != nil {
		t.Fatal(err)
	}

	now.Add(game.IdempotencyKeyTTL.Microseconds())
	if n, err := sqlite.DeleteExpiredKeys(s)(t.Context(), 10); err != nil || n != 0 {
		t.Errorf("Delete at the TTL: got %d, %v; want 0, nil", n, err)
	}
	v, replayed, err := s.CreateVisit(t.Context(), req(func(game.Location) game.Outcome {
		t.Error("the key was forgotten at its TTL: the visit rolled")
		return game.Outcome{}
	}))
	if err != nil || !replayed || v.ID != first.ID {
		t.Fatalf("at the TTL: got visit %d, replayed %v, %v; want the replay of %d", v.ID, replayed, err, first.ID)
	}

	now.Add(1)
	if n, err := sqlite.DeleteExpiredKeys(s)(t.Context(), 10); err != nil || n != 1 {
		t.Errorf("Delete a microsecond past the TTL: got %d, %v; want 1, nil", n, err)
	}
	if v, replayed, err := s.CreateVisit(t.Context(), req(gold)); err != nil || replayed || v.ID == first.ID {
		t.Errorf("a microsecond past the TTL: got visit %d, replayed %v, %v; want a new visit", v.ID, replayed, err)
	}
}

// TestIdempotencyKeysPurged lets time pass on the store's clock, which
// dates the keys, decides which have expired and when a purge may start.
func TestIdempotencyKeysPurged(t *testing.T) {
	s := openFile(t, filepath.Join(t.TempDir(), "ninjagold.db"))
	var passed atomic.Int64
	sqlite.SetClock(s, func() time.Time { return time.Now().Add(time.Duration(passed.Load())) })
	storetest.IdempotencyKeysPurged(t, s, storetest.PurgeHooks{
		Elapse: func(d time.Duration) { passed.Add(int64(d)) },
		Keys: func(playerID int64) []string {
			return sqlitetest.Strings(t, sqlite.ReadPool(s), `SELECT key FROM idempotency_keys WHERE player_id = ? ORDER BY key`, playerID)
		},
		Wait:   func() { sqlite.WaitPurges(s) },
		Delete: sqlite.DeleteExpiredKeys(s),
	})
}

// TestSynchronous checks the synchronous pragma the write connection
// commits with: FULL unless NORMAL is asked for, since only FULL keeps a
// commit the service has confirmed through a power loss.
func TestSynchronous(t *testing.T) {
	cases := []struct {
		name        string
		synchronous string
		want        int // SQLite's code: 1 NORMAL, 2 FULL
	}{
		{"the default is FULL", "", 2},
		{"FULL", "FULL", 2},
		{"NORMAL", "NORMAL", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := openWith(t, filepath.Join(t.TempDir(), "ninjagold.db"), sqlite.Options{Synchronous: c.synchronous})
			var got int
			if err := sqlite.WriteConn(s).QueryRowContext(t.Context(), `PRAGMA synchronous`).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("PRAGMA synchronous on the write connection: got %d, want %d", got, c.want)
			}
		})
	}
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

// TestForeignKeysAreIndexed holds the schema to an index on every foreign
// key's column: a cascading delete looks up the rows that refer to each row
// it deletes, and without an index each lookup scans the whole table, inside
// the one writer every other write waits for.
func TestForeignKeysAreIndexed(t *testing.T) {
	s := openFile(t, filepath.Join(t.TempDir(), "ninjagold.db"))
	rows, err := sqlite.WriteConn(s).QueryContext(t.Context(), `
		SELECT m.name, f."from", EXISTS (
		    SELECT 1 FROM pragma_index_list(m.name) i, pragma_index_info(i.name) c
		    WHERE c.seqno = 0 AND c.name = f."from")
		FROM sqlite_schema m, pragma_foreign_key_list(m.name) f
		WHERE m.type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	keys := 0
	for rows.Next() {
		var table, column string
		var indexed bool
		if err := rows.Scan(&table, &column, &indexed); err != nil {
			t.Fatal(err)
		}
		keys++
		if !indexed {
			t.Errorf("%s.%s refers to another table and leads no index", table, column)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if keys == 0 {
		t.Error("found no foreign keys: the query no longer reads the schema")
	}
}

// TestFileRemovedOrReplaced takes the database file away from a running
// Store: its writes would go to a file nobody opens again and its later
// reads to the new one, so every call must fail as unavailable instead, and
// Ping (/readyz) with them.
func TestFileRemovedOrReplaced(t *testing.T) {
	cases := []struct {
		name string
		take func(path string) error
	}{
		{"removed", os.Remove},
		{"replaced", func(path string) error {
			// A restore: another copy moved in over the path.
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if err := os.WriteFile(path+".restore", b, 0o644); err != nil {
				return err
			}
			return os.Rename(path+".restore", path)
		}},
		// A cleanup of the write-ahead log: commits acknowledged after it
		// would be gone at the next start.
		{"write-ahead log removed", func(path string) error { return os.Remove(path + "-wal") }},
		// A backup of a game, whole in its file (closed, so checkpointed):
		// a read that went on through the connections opened before would
		// serve it, or the old pages over it, with no error.
		{"replaced by a backup", func(path string) error {
			b, err := sqlite.Open(context.Background(), path+".backup", sqlite.Options{})
			if err != nil {
				return err
			}
			if _, err := b.CreatePlayer(context.Background(), game.NewPlayer{FirstName: "Restored", LastName: "Backup", TokenHash: []byte("backup")}); err != nil {
				b.Close()
				return err
			}
			if err := b.Close(); err != nil {
				return err
			}
			return os.Rename(path+".backup", path)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ninjagold.db")
			s := openFile(t, path)
			if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: []byte("before")}); err != nil {
				t.Fatalf("CreatePlayer before: %v", err)
			}
			// A read connection opened before, which a read after may
			// take from the pool: each read must look at the loss itself.
			if _, err := s.ListPlayers(t.Context(), game.PlayerPage{Sort: game.ByGoldDesc, Limit: 10}); err != nil {
				t.Fatalf("ListPlayers before: %v", err)
			}
			if err := c.take(path); err != nil {
				t.Fatal(err)
			}
			// The first write finds out; every call after it fails too.
			_, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: []byte("after")})
			if game.ErrorCode(err) != game.EUNAVAILABLE {
				t.Errorf("CreatePlayer after: %v, want %s", err, game.EUNAVAILABLE)
			}
			if _, err := s.GetLocation(t.Context(), 1); game.ErrorCode(err) != game.EUNAVAILABLE {
				t.Errorf("GetLocation after: %v, want %s", err, game.EUNAVAILABLE)
			}
			if _, err := s.ListLocations(t.Context(), 0, 10); game.ErrorCode(err) != game.EUNAVAILABLE {
				t.Errorf("ListLocations after: %v, want %s", err, game.EUNAVAILABLE)
			}
			if _, err := s.ListVisits(t.Context(), 1, 0, 10); game.ErrorCode(err) != game.EUNAVAILABLE {
				t.Errorf("ListVisits after: %v, want %s", err, game.EUNAVAILABLE)
			}
			for _, sort := range []game.PlayerSort{game.ByGoldDesc, game.ByGoldAsc} {
				if _, err := s.ListPlayers(t.Context(), game.PlayerPage{Sort: sort, Limit: 10}); game.ErrorCode(err) != game.EUNAVAILABLE {
					t.Errorf("ListPlayers (%v) after: %v, want %s", sort, err, game.EUNAVAILABLE)
				}
			}
			if err := s.Ping(t.Context()); game.ErrorCode(err) != game.EUNAVAILABLE || !strings.Contains(err.Error(), "removed or replaced") {
				t.Errorf("Ping after: %v, want %s saying the file was removed or replaced", err, game.EUNAVAILABLE)
			}
		})
		// On a server nobody writes to, /readyz is the first to look.
		t.Run(c.name+", Ping first", func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ninjagold.db")
			s := openFile(t, path)
			if err := c.take(path); err != nil {
				t.Fatal(err)
			}
			if err := s.Ping(t.Context()); game.ErrorCode(err) != game.EUNAVAILABLE || !strings.Contains(err.Error(), "removed or replaced") {
				t.Errorf("Ping, the first call after: %v, want %s saying the file was removed or replaced", err, game.EUNAVAILABLE)
			}
		})
	}
	t.Run("write-ahead log removed, the file opened through a symbolic link", func(t *testing.T) {
		dir := t.TempDir()
		real, link := filepath.Join(dir, "real.db"), filepath.Join(dir, "link.db")
		first, err := sqlite.Open(t.Context(), real, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		first.Close()
		if err := os.Symlink(real, link); err != nil {
			t.Fatal(err)
		}
		s := openFile(t, link)
		if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: []byte("before")}); err != nil {
			t.Fatalf("CreatePlayer before: %v", err)
		}
		if err := os.Remove(real + "-wal"); err != nil {
			t.Fatal(err)
		}
		_, err = s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: []byte("after")})
		if game.ErrorCode(err) != game.EUNAVAILABLE {
			t.Errorf("CreatePlayer after: %v, want %s", err, game.EUNAVAILABLE)
		}
	})
	// The log's advice for a removed file, followed: the file copied back
	// from the descriptor it names, its log beside it, holds every commit.
	t.Run("removed, and copied back as the log says", func(t *testing.T) {
		if runtime.GOOS != "linux" {
			t.Skip("the descriptor is named through Linux's /proc")
		}
		path := filepath.Join(t.TempDir(), "ninjagold.db")
		s := openFile(t, path)
		for i := range 3 {
			if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: fmt.Appendf(nil, "kept-%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		err := s.Ping(t.Context())
		m := regexp.MustCompile(`a new, empty game there; until the server stops, the removed file can be copied back from (/proc/\d+/fd/\d+) .*its write-ahead log was moved to (\S+),`).FindStringSubmatch(fmt.Sprint(err))
		if m == nil {
			t.Fatalf("Ping after the remove: %v, want it to name the descriptor to copy the file from, and where the log went", err)
		}
		b, err := os.ReadFile(m[1])
		if err != nil {
			t.Fatal(err)
		}
		kept := filepath.Join(t.TempDir(), "kept.db")
		if err := os.WriteFile(kept, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(m[2], kept+"-wal"); err != nil {
			t.Fatal(err)
		}
		r := openFile(t, kept)
		if players, err := r.ListPlayers(t.Context(), game.PlayerPage{Sort: game.ByGoldDesc, Limit: 10}); err != nil || len(players) != 3 {
			t.Errorf("players in the file copied back: %d (%v), want the 3 written", len(players), err)
		}
	})
	// A read that needs a new connection must not open what the path
	// names now: removed, SQLite would make a new, empty database there.
	t.Run("removed, a read on a new connection first", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "ninjagold.db")
		s := openFile(t, path)
		if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: []byte("before")}); err != nil {
			t.Fatalf("CreatePlayer before: %v", err)
		}
		sqlite.ReadPool(s).SetMaxIdleConns(0) // every read from here on opens a connection
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetLocation(t.Context(), 1); game.ErrorCode(err) != game.EUNAVAILABLE || !strings.Contains(err.Error(), "removed or replaced") {
			t.Errorf("GetLocation after: %v, want %s saying the file was removed or replaced", err, game.EUNAVAILABLE)
		}
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the path after the read: %v, want no file", err)
		}
	})
	t.Run("Ping finds out before any write", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "ninjagold.db")
		s := openFile(t, path)
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(t.Context()); game.ErrorCode(err) != game.EUNAVAILABLE {
			t.Errorf("Ping: %v, want %s", err, game.EUNAVAILABLE)
		}
	})
}

// visitedPlayer makes a player named first through s, with token hash
// token, and one visit of 15 gold at the Farm; it returns the player as made.
func visitedPlayer(t *testing.T, s *sqlite.Store, first string, token []byte) game.Player {
	t.Helper()
	p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: first, LastName: "Sato", TokenHash: token})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: func(l game.Location) game.Outcome {
		return game.Outcome{Gold: 15, Message: game.Message(l.Name, 15)}
	}}); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRestoreIsOpenedAsRestored moves a backup over the file of a running
// Store, as an operator restoring it would, then closes the Store and opens
// the path again: the restored file must come back as it was, not with the
// replaced file's write-ahead log applied to it (SQLite leaves that log at
// the path when it closes a file that has moved). The log is moved aside
// whether a call notices first or only Close does; Close reports it only
// in the second case, since no call has. A read that needs a new
// connection must not open the file moved in: it would read it through the
// old log, and close it by writing the old log's pages into it.
func TestRestoreIsOpenedAsRestored(t *testing.T) {
	cases := []struct {
		name        string
		removeFirst bool // rm the file, let a call notice, then move the backup in
		callFirst   bool
		newReader   bool // the call that notices is a read on a new connection
	}{
		{"moved over, a call notices", false, true, false},
		{"moved over, a read on a new connection notices", false, true, true},
		{"moved over, only Close notices", false, false, false},
		{"removed, a call notices, then moved in", true, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			live, backup := filepath.Join(dir, "ninjagold.db"), filepath.Join(dir, "backup.db")
			b, err := sqlite.Open(t.Context(), backup, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Restored", LastName: "Backup", TokenHash: []byte("backup")}); err != nil {
				t.Fatal(err)
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}

			s, err := sqlite.Open(t.Context(), live, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 50 {
				visitedPlayer(t, s, "Live", fmt.Appendf(nil, "live-%d", i))
			}
			if c.removeFirst {
				if err := os.Remove(live); err != nil {
					t.Fatal(err)
				}
				if err := s.Ping(t.Context()); game.ErrorCode(err) != game.EUNAVAILABLE {
					t.Fatalf("Ping after the remove: %v, want %s", err, game.EUNAVAILABLE)
				}
			}
			if c.newReader {
				sqlite.ReadPool(s).SetMaxIdleConns(0) // every read from here on opens a connection
			}
			if err := os.Rename(backup, live); err != nil {
				t.Fatal(err)
			}
			if c.newReader {
				if _, err := s.GetPlayer(t.Context(), 1); game.ErrorCode(err) != game.EUNAVAILABLE || !strings.Contains(err.Error(), "moved to "+live+"-wal.replaced-") {
					t.Fatalf("GetPlayer after the restore: %v, want %s saying where the log went", err, game.EUNAVAILABLE)
				}
			} else if c.callFirst && !c.removeFirst {
				if err := s.Ping(t.Context()); game.ErrorCode(err) != game.EUNAVAILABLE || !strings.Contains(err.Error(), "moved to "+live+"-wal.replaced-") {
					t.Fatalf("Ping after the restore: %v, want %s saying where the log went", err, game.EUNAVAILABLE)
				}
			}
			err = s.Close()
			switch {
			case c.callFirst && err != nil:
				t.Errorf("Close: %v, want nil: a call reported the loss already", err)
			case !c.callFirst && (game.ErrorCode(err) != game.EUNAVAILABLE || !strings.Contains(err.Error(), "moved to "+live+"-wal.replaced-")):
				t.Errorf("Close: %v, want %s saying where the log went", err, game.EUNAVAILABLE)
			}
			aside, err := filepath.Glob(live + "-wal.replaced-*")
			if err != nil || len(aside) != 1 {
				t.Errorf("logs moved aside: %v (%v), want one", aside, err)
			}

			r := openFile(t, live)
			players, err := r.ListPlayers(t.Context(), game.PlayerPage{Sort: game.ByGoldDesc, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(players) == 0 {
				t.Fatal("no players after the restart; want the backup's one")
			}
			if len(players) != 1 || players[0].FirstName != "Restored" || players[0].Gold != 0 {
				t.Errorf("%d players after the restart, the first %+v; want the backup's one", len(players), players[0])
			}
			if visits, err := r.ListVisits(t.Context(), players[0].ID, 0, 10); err != nil || len(visits) != 0 {
				t.Errorf("the restored player's visits: %v (%v), want none", visits, err)
			}
			db, err := sql.Open("sqlite", live)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var check string
			if err := db.QueryRowContext(t.Context(), "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
				t.Errorf("integrity_check: %q (%v), want ok", check, err)
			}
		})
	}
}

// A file moved away with its write-ahead log, and a new server started on
// the path: the first server finds its file gone, but the log at the path
// is the new server's, which it must leave where it is (moved aside, the
// new server's commits since its last checkpoint would be lost).
func TestMovedFileLeavesTheNextServersLog(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ninjagold.db")
	first, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: []byte("first")}); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal"} {
		if err := os.Rename(path+suffix, filepath.Join(dir, "moved.db"+suffix)); err != nil {
			t.Fatal(err)
		}
	}
	next := openFile(t, path)
	if _, err := next.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Miko", LastName: "Sato", TokenHash: []byte("next")}); err != nil {
		t.Fatal(err)
	}
	log, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if err := first.CheckFile(); game.ErrorCode(err) != game.EUNAVAILABLE {
		t.Errorf("CheckFile of the first server: %v, want %s", err, game.EUNAVAILABLE)
	}
	first.Close()
	if now, err := os.Stat(path + "-wal"); err != nil || !os.SameFile(now, log) {
		t.Errorf("the next server's log after the first server's look: %v (%v), want it in place", now, err)
	}
	if aside, _ := filepath.Glob(filepath.Join(dir, "*.replaced-*")); len(aside) != 0 {
		t.Errorf("logs moved aside: %v, want none", aside)
	}
}

// TestRelinkedPathKeepsTheFilesLog opens the file through a symbolic link,
// then points the link at another file: the file opened is still in place
// and needs its write-ahead log, which must not be moved aside; every
// commit acknowledged is in it when it is opened again.
func TestRelinkedPathKeepsTheFilesLog(t *testing.T) {
	dir := t.TempDir()
	real, other, link := filepath.Join(dir, "real.db"), filepath.Join(dir, "other.db"), filepath.Join(dir, "link.db")
	o, err := sqlite.Open(t.Context(), other, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	first, err := sqlite.Open(t.Context(), real, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(t.Context(), link, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: fmt.Appendf(nil, "kira-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(other, link); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); game.ErrorCode(err) != game.EUNAVAILABLE || strings.Contains(err.Error(), "write-ahead log") {
		t.Errorf("Ping after the link changed: %v, want %s with no log moved", err, game.EUNAVAILABLE)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v, want nil: Ping reported the change", err)
	}
	if aside, _ := filepath.Glob(filepath.Join(dir, "*.replaced-*")); len(aside) != 0 {
		t.Errorf("logs moved aside: %v, want none", aside)
	}
	r := openFile(t, real)
	players, err := r.ListPlayers(t.Context(), game.PlayerPage{Sort: game.ByGoldDesc, Limit: 100})
	if err != nil || len(players) != 20 {
		t.Errorf("%d players in the file opened (%v), want the 20 acknowledged", len(players), err)
	}
}

// A table or column renamed by another process that shares the file is the
// database unable to serve (503), as on PostgreSQL, not a bug (500).
func TestRenamedSchemaIsUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ninjagold.db")
	s := openWith(t, path, sqlite.Options{Shared: true})
	p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Ninja", TokenHash: []byte("h")})
	if err != nil {
		t.Fatal(err)
	}
	shell, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer shell.Close()
	roll := func(game.Location) game.Outcome { return game.Outcome{Gold: 1, Message: "+1"} }
	steps := []struct {
		change string
		call   func() error
	}{
		{`ALTER TABLE visits RENAME TO visits_old`, func() error {
			_, err := s.ListVisits(t.Context(), p.ID, 0, 10)
			return err
		}},
		{`ALTER TABLE visits_old RENAME TO visits`, nil},
		{`ALTER TABLE players RENAME COLUMN first_name TO given_name`, func() error {
			_, err := s.GetPlayer(t.Context(), p.ID)
			return err
		}},
		{`ALTER TABLE players RENAME COLUMN given_name TO first_name`, nil},
		{`ALTER TABLE players RENAME COLUMN gold TO coins`, func() error {
			// A write the change fails has the write connection read the
			// schema again; the next one-row statement it prepares then
			// fails at its preparation, which fails its write.
			if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Rin", LastName: "Ninja", TokenHash: []byte("r")}); err == nil {
				return errors.New("CreatePlayer with players.gold renamed passed")
			}
			_, _, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: roll})
			return err
		}},
		{`ALTER TABLE players RENAME COLUMN coins TO gold`, nil},
		{`ALTER TABLE visits RENAME COLUMN gold TO coins`, func() error {
			_, _, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: roll})
			return err
		}},
	}
	for _, st := range steps {
		if _, err := shell.Exec(st.change); err != nil {
			t.Fatalf("%s: %v", st.change, err)
		}
		if st.call == nil {
			continue
		}
		err := st.call()
		if got := game.ErrorCode(err); got != game.EUNAVAILABLE {
			t.Errorf("after %s: %v (code %q), want code %q", st.change, err, got, game.EUNAVAILABLE)
		}
		// The readiness check says so too, where before it said ready.
		if got := game.ErrorCode(s.Ping(t.Context())); got != game.EUNAVAILABLE {
			t.Errorf("after %s: Ping's code %q, want %q", st.change, got, game.EUNAVAILABLE)
		}
	}
	for _, change := range []string{`ALTER TABLE visits RENAME COLUMN coins TO gold`, `ALTER TABLE idempotency_keys RENAME TO keys_old`} {
		if _, err := shell.Exec(change); err != nil {
			t.Fatalf("%s: %v", change, err)
		}
	}
	if got := game.ErrorCode(s.Ping(t.Context())); got != game.EUNAVAILABLE {
		t.Errorf("with idempotency_keys renamed: Ping's code %q, want %q", got, game.EUNAVAILABLE)
	}
	if _, err := shell.Exec(`ALTER TABLE keys_old RENAME TO idempotency_keys`); err != nil {
		t.Fatal(err)
	}
	// schema_migrations emptied: a schema no migration recorded.
	if _, err := shell.Exec(`CREATE TABLE migrations_saved AS SELECT * FROM schema_migrations; DELETE FROM schema_migrations`); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); game.ErrorCode(err) != game.EUNAVAILABLE {
		t.Errorf("with schema_migrations empty: Ping = %v, want code %q", err, game.EUNAVAILABLE)
	}
	if _, err := shell.Exec(`INSERT INTO schema_migrations SELECT * FROM migrations_saved; DROP TABLE migrations_saved`); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("with the schema as it was: Ping = %v, want nil", err)
	}
	// Every table and every column the store uses (TestSchemaIsMigrationTables
	// holds migration.Tables to the migrated schema), renamed in turn.
	for _, tb := range migration.Tables {
		renames := [][2]string{{`ALTER TABLE ` + tb.Name + ` RENAME TO renamed`, `ALTER TABLE renamed RENAME TO ` + tb.Name}}
		for _, col := range tb.Columns {
			renames = append(renames, [2]string{`ALTER TABLE ` + tb.Name + ` RENAME COLUMN "` + col + `" TO renamed`,
				`ALTER TABLE ` + tb.Name + ` RENAME COLUMN renamed TO "` + col + `"`})
		}
		for _, r := range renames {
			if _, err := shell.Exec(r[0]); err != nil {
				t.Fatalf("%s: %v", r[0], err)
			}
			if got := game.ErrorCode(s.Ping(t.Context())); got != game.EUNAVAILABLE {
				t.Errorf("after %s: Ping's code %q, want %q", r[0], got, game.EUNAVAILABLE)
			}
			if _, err := shell.Exec(r[1]); err != nil {
				t.Fatalf("%s: %v", r[1], err)
			}
			if err := s.Ping(t.Context()); err != nil {
				t.Errorf("after %s: Ping = %v, want nil", r[1], err)
			}
		}
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

// A database a newer build migrated is refused, not served with a schema
// this build does not know; the refusal names no migration of this build's,
// none of which is at fault.
func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ninjagold.db")
	s := openFile(t, path)
	if _, err := sqlite.WriteConn(s).ExecContext(t.Context(),
		`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := sqlite.Open(t.Context(), path, sqlite.Options{}); err == nil || !errors.Is(err, migration.ErrNewer) || strings.Contains(err.Error(), ".sql") {
		t.Errorf("Open = %v, want a refusal of the newer schema naming no migration file", err)
	}
}

// TestFillReadPool checks that every read connection is open and idle
// afterwards, and that the reads work on them.
func TestFillReadPool(t *testing.T) {
	s := openWith(t, filepath.Join(t.TempDir(), "ninjagold.db"), sqlite.Options{Readers: 3})
	if err := s.FillReadPool(t.Context()); err != nil {
		t.Fatal(err)
	}
	var read game.PoolStats
	for _, p := range s.PoolStats() {
		if p.Pool == "read" {
			read = p
		}
	}
	if read.Max != 3 || read.Open != 3 || read.Idle != 3 || read.InUse != 0 {
		t.Errorf("read pool after FillReadPool: %+v, want 3 open, all idle", read)
	}
	if _, err := s.ListLocations(t.Context(), 0, 10); err != nil {
		t.Errorf("a read after FillReadPool: %v", err)
	}
}

// A page takes one connection of the read pool, not two: a page of
// players by gold after a cursor, or least gold first, reads in a read
// transaction, and with every reader inside one, a statement none of them
// had prepared yet would wait for a connection none gave back (a page of
// visits did, when it read in a transaction: a store with one reader hung
// on its first page).
func TestPagesNeedOneReader(t *testing.T) {
	s := openWith(t, filepath.Join(t.TempDir(), "ninjagold.db"), sqlite.Options{Readers: 1})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	p, err := s.CreatePlayer(ctx, game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: []byte("t")})
	if err != nil {
		t.Fatal(err)
	}
	// Each page new to the store: its queries are prepared then.
	for _, before := range []int64{0, 5} {
		if _, err := s.ListVisits(ctx, p.ID, before, 10); err != nil {
			t.Errorf("ListVisits(before %d) with one reader: %v", before, err)
		}
	}
	for _, page := range []game.PlayerPage{
		{Sort: game.ByGoldAsc, Limit: 1},
		{Sort: game.ByGoldDesc, Limit: 10, After: &game.PlayerKey{Gold: 5, ID: 1}},
	} {
		if _, err := s.ListPlayers(ctx, page); err != nil {
			t.Errorf("ListPlayers(%+v) with one reader: %v", page, err)
		}
	}
}

// TestPlayerPagesReadOneSnapshot swaps golds through another connection
// to the file, as another process may.
func TestPlayerPagesReadOneSnapshot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ninjagold.db")
	s := openWith(t, path, sqlite.Options{})
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	storetest.PlayerPagesReadOneSnapshot(t, s, func(ctx context.Context, gold map[int64]int64) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for id, g := range gold {
			if _, err := tx.Exec(`UPDATE players SET gold = ? WHERE id = ?`, g, id); err != nil {
				return err
			}
		}
		return tx.Commit()
	})
}

// A visit that would take a player's gold past a 64-bit integer fails and
// writes nothing, as PostgreSQL's bigint refuses it, instead of wrapping
// around to the other end. No game reaches it by playing (4.3 billion
// visits at the most a location gives), but another process sharing the
// file can set any gold.
func TestGoldOverflowWritesNothing(t *testing.T) {
	for _, c := range []struct {
		name       string
		gold, roll int64
	}{
		{"up", math.MaxInt64 - 10, 100},
		{"down", math.MinInt64 + 10, -100},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ninjagold.db")
			s := openWith(t, path, sqlite.Options{Shared: true})
			p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: []byte("t")})
			if err != nil {
				t.Fatal(err)
			}
			other, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if _, err := other.Exec(`UPDATE players SET gold = ? WHERE id = ?`, c.gold, p.ID); err != nil {
				t.Fatal(err)
			}
			roll := func(game.Location) game.Outcome { return game.Outcome{Gold: int32(c.roll), Message: "x"} }
			// An internal error, named once as the store's, with the
			// player and the numbers that overflow.
			want := fmt.Sprintf("sqlite: player %d's gold %d and the visit's %d overflow a 64-bit integer", p.ID, c.gold, c.roll)
			if v, _, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: roll}); err == nil || err.Error() != want {
				t.Errorf("CreateVisit = %+v, %v; want the error %q", v, err, want)
			}
			got, err := s.GetPlayer(t.Context(), p.ID)
			if err != nil || got.Gold != c.gold {
				t.Errorf("gold after the failed visit: %d (%v), want %d", got.Gold, err, c.gold)
			}
			if visits, err := s.ListVisits(t.Context(), p.ID, 0, 10); err != nil || len(visits) != 0 {
				t.Errorf("visits after the failed visit: %v (%v), want none", visits, err)
			}
		})
	}
}

// A file name is the file's name, whatever SQLite's URIs make of %, ? and
// #, and an absolute path may start with //: the store opens the file the
// path names and no other, once and again.
// openTwiceKeeps opens a store on path twice, one after the other, each
// making a player: the second open finds the first one's player in the
// file, so its player is the second.
func openTwiceKeeps(t *testing.T, path string) {
	t.Helper()
	for i := range 2 {
		s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
		if err != nil {
			t.Fatalf("sqlite.Open: %v", err)
		}
		p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Hattori", LastName: "Hanzo", TokenHash: []byte(fmt.Sprint("hanzo", i))})
		if err != nil || p.ID != int64(i+1) {
			t.Fatalf("CreatePlayer = %d, %v; want player %d", p.ID, err, i+1)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFileNamesAreTakenAsTheyAre(t *testing.T) {
	for _, name := range []string{"game#prod.db", "g?x.db", "game%41.db", "a b%2Fc.db", "file:x.db", "data=1.db"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			openTwiceKeeps(t, path)
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if base := strings.TrimSuffix(strings.TrimSuffix(e.Name(), "-wal"), "-shm"); base != name {
					t.Errorf("%s in the directory: the store opened a file other than %q", e.Name(), name)
				}
			}
		})
	}
	// A file, not SQLite's in-memory database: what the first open wrote,
	// the second finds.
	t.Run("relative :memory:", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		openTwiceKeeps(t, ":memory:")
		if _, err := os.Stat(filepath.Join(dir, ":memory:")); err != nil {
			t.Errorf("the file :memory: in the working directory: %v", err)
		}
	})
	t.Run("//absolute", func(t *testing.T) {
		path := "/" + filepath.Join(t.TempDir(), "x.db")
		openFile(t, path)
		if _, err := os.Stat(path); err != nil {
			t.Errorf("the file %s: %v", path, err)
		}
	})
}

// The migrated schema holds exactly the tables and columns the readiness
// check names (migration.Tables).
func TestSchemaIsMigrationTables(t *testing.T) {
	s := openFile(t, filepath.Join(t.TempDir(), "ninjagold.db"))
	rows, err := sqlite.WriteConn(s).QueryContext(t.Context(), `SELECT m.name, p.name FROM sqlite_schema m
		JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'schema_migrations'
		ORDER BY m.name, p.name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	migrationtest.CheckTables(t, rows)
}

// Options that SQLite would read otherwise than meant are refused at Open:
// a busy timeout past what its 32-bit milliseconds hold would be no wait
// at all.
func TestOpenRefusesOptions(t *testing.T) {
	for _, c := range []struct {
		name    string
		opts    sqlite.Options
		wantErr bool
	}{
		{"the longest busy timeout", sqlite.Options{BusyTimeout: sqlite.MaxBusyTimeout}, false},
		{"a millisecond past it", sqlite.Options{BusyTimeout: sqlite.MaxBusyTimeout + time.Millisecond}, true},
		{"the shortest", sqlite.Options{BusyTimeout: time.Millisecond}, false},
		{"under a millisecond", sqlite.Options{BusyTimeout: time.Microsecond}, true},
		{"an unknown synchronous mode", sqlite.Options{Synchronous: "OFF"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "ninjagold.db"), c.opts)
			if err == nil {
				s.Close()
			}
			if (err != nil) != c.wantErr {
				t.Errorf("Open with %+v: %v, want an error %v", c.opts, err, c.wantErr)
			}
		})
	}
}

// Open refuses a path that names no file it could open, saying why: an
// empty one, or a directory (which SQLite would call "unable to open
// database file").
func TestOpenRefusesAPathThatIsNoFile(t *testing.T) {
	for _, tc := range []struct{ name, path, want string }{
		{"empty", "", "empty database path"},
		{"a directory", t.TempDir(), "is a directory: give a file's path (a new file is created)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := sqlite.Open(t.Context(), tc.path, sqlite.Options{})
			if err == nil {
				s.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open of %q: %v, want an error saying %q", tc.path, err, tc.want)
			}
		})
	}
}

// A damaged file (a disk's fault, a restore from a torn copy) is the
// operator's to mend, as a full disk is: a read that meets the damage is
// unavailable, with a log that says so, not an internal error.
func TestDamagedFileIsUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ninjagold.db")
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := visitedPlayer(t, s, "Kira", []byte("t"))
	if err := s.QuickCheck(t.Context()); err != nil {
		t.Errorf("QuickCheck of the whole file: %v, want nil", err)
	}
	// A check cut short says nothing of the file: told it is damaged, an
	// operator would restore a backup over a good file.
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.QuickCheck(cancelled); !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "damaged") {
		t.Errorf("QuickCheck cut short: %v, want context.Canceled, not that the file is damaged", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	sqlitetest.DamageTable(t, path, "visits")

	s = openFile(t, path)
	if err := s.QuickCheck(t.Context()); err == nil || !strings.Contains(err.Error(), "damaged: restore it from a backup") {
		t.Errorf("QuickCheck of the damaged file: %v, want an error saying it is damaged", err)
	}
	_, err = s.ListVisits(t.Context(), p.ID, 0, 10)
	if game.ErrorCode(err) != game.EUNAVAILABLE || !strings.Contains(err.Error(), "damaged: restore it from a backup") {
		t.Errorf("ListVisits of the damaged table: %v (code %q), want %s saying the file is damaged", err, game.ErrorCode(err), game.EUNAVAILABLE)
	}
	if got, err := s.GetPlayer(t.Context(), p.ID); err != nil || got.Gold != 15 {
		t.Errorf("GetPlayer, whose table is whole: %+v, %v; want its 15 gold", got, err)
	}
}

// SQLite's names are the same whatever their case, so a file whose
// migrations table is named in capitals (made by hand, or by a tool that
// writes names so) is this game's, not another application's: Open takes
// it and migrates it.
func TestMigrationsTableInCapitals(t *testing.T) {
	path := filepath.Join(t.TempDir(), "caps.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE SCHEMA_MIGRATIONS (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatalf("Open of a file whose only table is SCHEMA_MIGRATIONS: %v", err)
	}
	defer s.Close()
	if locs, err := s.ListLocations(t.Context(), 0, 10); err != nil || len(locs) != 4 {
		t.Errorf("the migrated file's locations: %d (%v), want the 4 seeded", len(locs), err)
	}
}

// A --db that names another application's SQLite file is refused, and the
// file left as it was: the migrations would add this game's tables to it.
func TestOtherApplicationsFileIsRefused(t *testing.T) {
	for _, c := range []struct{ name, schema, want string }{
		{"tables of its own", `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); CREATE TABLE tags (name TEXT)`,
			"holds tables (notes, tags) but no schema_migrations: another application's database"},
		{"a table named as one of the game's", `CREATE TABLE players (id INTEGER PRIMARY KEY, nick TEXT)`,
			"another application's database"},
		{"golang-migrate's schema_migrations", `CREATE TABLE schema_migrations (version uint64, dirty bool); CREATE TABLE players (id INTEGER PRIMARY KEY, nick TEXT)`,
			"schema_migrations has the columns (version, dirty), not this game's (version, name, applied_at): another tool's migrations, in another application's database"},
		{"Rails' schema_migrations", `CREATE TABLE schema_migrations (version varchar NOT NULL PRIMARY KEY)`,
			"schema_migrations has the columns (version), not this game's"},
		{"a view named schema_migrations", `CREATE VIEW schema_migrations AS SELECT 1 AS version, 'x' AS name, 0 AS applied_at`,
			"the file's schema_migrations is a view, not a table: another application's database"},
		{"a view of its own", `CREATE VIEW totals AS SELECT 1 AS n`, "holds tables (totals) but no schema_migrations"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "other.db")
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(c.schema); err != nil {
				t.Fatal(err)
			}
			tablesOf := func() []string {
				t.Helper()
				return sqlitetest.Strings(t, db, `SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
			}
			before := tablesOf()
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			bytesBefore, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}

			s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open of another application's file: no error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("Open: %v, want it to say %q", err, c.want)
			}
			if db, err = sql.Open("sqlite", path); err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// Not one byte written: not even the switch to WAL, which
			// rewrites the header and would change how the other
			// application's SQLite opens it.
			if bytesAfter, err := os.ReadFile(path); err != nil || !bytes.Equal(bytesAfter, bytesBefore) {
				t.Errorf("the file after the refusal differs from before (%v)", err)
			}
			if after := tablesOf(); !slices.Equal(after, before) {
				t.Errorf("the file's tables after the refusal: %v, want %v as before", after, before)
			}
		})
	}
}
