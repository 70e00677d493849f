package sqlite_test

import (
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/migration"
	"github.com/ninjagold/ninjagold-api/store/migration/migrationtest"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// withMigration is the embedded migrations and one more, name, holding sql.
func withMigration(t *testing.T, name, sql string) fs.FS {
	return migrationtest.With(t, sqlite.Migrations, name, sql)
}

// rebuildPlayers changes the players table the way SQLite's documentation
// says to (a new table, the rows copied, the old one dropped): with foreign
// keys on, the drop would cascade to every visit and idempotency key.
const rebuildPlayers = `
CREATE TABLE players_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    first_name TEXT    NOT NULL,
    last_name  TEXT    NOT NULL,
    gold       INTEGER NOT NULL DEFAULT 0,
    token_hash BLOB    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
INSERT INTO players_new SELECT * FROM players;
DROP TABLE players;
ALTER TABLE players_new RENAME TO players;
CREATE INDEX players_by_gold ON players (gold DESC, id);
`

func TestMigrationRebuildsATableKeepingWhatRefersToIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ninjagold.db")
	s := openFile(t, path)
	p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: []byte("kira")})
	if err != nil {
		t.Fatal(err)
	}
	roll := func(l game.Location) game.Outcome { return game.Outcome{Gold: 3, Message: game.Message(l.Name, 3)} }
	v, _, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: 1, TokenHash: []byte("kira"),
		IdempotencyKey: "k", RequestHash: []byte("h"), Roll: roll})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = sqlite.OpenWithMigrations(t.Context(), path, sqlite.Options{}, withMigration(t, "9000_rebuild_players.sql", rebuildPlayers))
	if err != nil {
		t.Fatalf("open with the rebuild: %v", err)
	}
	defer s.Close()
	visits, err := s.ListVisits(t.Context(), p.ID, 0, 10)
	if err != nil || len(visits) != 1 || visits[0].ID != v.ID {
		t.Fatalf("visits after the rebuild: %v %v, want visit %d", visits, err, v.ID)
	}
	again, replayed, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: 1, TokenHash: []byte("kira"),
		IdempotencyKey: "k", RequestHash: []byte("h"), Roll: roll})
	if err != nil || !replayed || again.ID != v.ID {
		t.Errorf("the key after the rebuild: visit %d replayed %v (%v), want a replay of %d", again.ID, replayed, err, v.ID)
	}
	// Foreign keys are on again for the store's own writes.
	var on int
	if err := sqlite.WriteConn(s).QueryRowContext(t.Context(), `PRAGMA foreign_keys`).Scan(&on); err != nil || on != 1 {
		t.Errorf("foreign_keys = %d (%v) after the migrations, want 1", on, err)
	}
	if err := s.DeletePlayer(t.Context(), p.ID, nil); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := sqlite.WriteConn(s).QueryRowContext(t.Context(), `SELECT (SELECT count(*) FROM visits) + (SELECT count(*) FROM idempotency_keys)`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d visits and keys left after deleting their player (%v), want the delete to cascade", left, err)
	}
}

// A migration that leaves a row referring to a missing one fails, and
// changes nothing.
func TestMigrationBreakingAForeignKeyFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ninjagold.db")
	openFile(t, path).Close()
	orphan := `INSERT INTO visits (player_id, location_id, location_name, gold, balance, message, created_at)
		VALUES (999, 1, 'Farm', 1, 1, 'm', 0);`
	_, err := sqlite.OpenWithMigrations(t.Context(), path, sqlite.Options{}, withMigration(t, "9000_orphan.sql", orphan))
	if err == nil || !strings.Contains(err.Error(), "9000_orphan.sql") || !strings.Contains(err.Error(), "1 rows of visits refer to missing rows of players") {
		t.Fatalf("open = %v, want the migration refused for its orphan", err)
	}
	s := openFile(t, path)
	var n int
	if err := sqlite.WriteConn(s).QueryRowContext(t.Context(),
		`SELECT (SELECT count(*) FROM visits) + (SELECT count(*) FROM schema_migrations WHERE version = 9000)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows of the failed migration left (%v), want none", n, err)
	}
}

// otherWriter makes a store's file at path, shared, and begins a write
// transaction on it as another process would (BEGIN IMMEDIATE), rolled
// back when t ends unless committed first.
func otherWriter(t *testing.T, path string) *sql.Tx {
	t.Helper()
	openWith(t, path, sqlite.Options{Shared: true}).Close()
	return writeLockedTx(t, "file:"+path+"?_txlock=immediate")
}

// writeLockedTx opens dsn as another process would and holds the file's
// write lock, in a transaction it returns, until t ends.
func writeLockedTx(t *testing.T, dsn string) *sql.Tx {
	t.Helper()
	other, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	tx, err := other.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
	return tx
}

// With --sqlite-shared, another process may be migrating the file to a
// newer schema while this one opens it: the check for a newer schema is
// made under the write lock, after that migration commits, not before.
func TestNewerSchemaCommittedWhileOpening(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ninjagold.db")
	tx := otherWriter(t, path)
	if _, err := tx.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	opened := make(chan error, 1)
	go func() {
		s, err := sqlite.Open(t.Context(), path, sqlite.Options{Shared: true})
		if err == nil {
			s.Close()
		}
		opened <- err
	}()
	time.Sleep(200 * time.Millisecond) // Open reads the schema and waits for the lock
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-opened; err == nil || !errors.Is(err, migration.ErrNewer) {
		t.Errorf("Open = %v, want a refusal of the newer schema", err)
	}
}

// An orphan already in the file (left by the sqlite3 shell, whose foreign
// keys are off by default) is not the migration's doing: it does not stop
// one.
func TestMigrationAfterAnEarlierOrphan(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ninjagold.db")
	openFile(t, path).Close()
	shell, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := shell.Exec(`INSERT INTO visits (id, player_id, location_id, location_name, gold, balance, message, created_at)
		VALUES (500, 999, 1, 'Farm', 1, 1, 'm', 0)`); err != nil {
		t.Fatal(err)
	}
	shell.Close()
	s, err := sqlite.OpenWithMigrations(t.Context(), path, sqlite.Options{}, withMigration(t, "9000_table.sql", `CREATE TABLE extra (x INTEGER);`))
	if err != nil {
		t.Fatalf("open with a migration after an orphan: %v", err)
	}
	s.Close()

	// Rebuilt, the orphan's table gives it a new rowid: still not new.
	rebuildVisits := `
CREATE TABLE visits_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    player_id     INTEGER NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    location_id   INTEGER NOT NULL,
    location_name TEXT    NOT NULL,
    gold          INTEGER NOT NULL,
    balance       INTEGER NOT NULL,
    message       TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    note          TEXT    NOT NULL DEFAULT ''
);
INSERT INTO visits_new (player_id, location_id, location_name, gold, balance, message, created_at)
    SELECT player_id, location_id, location_name, gold, balance, message, created_at FROM visits;
DROP TABLE visits;
ALTER TABLE visits_new RENAME TO visits;
CREATE INDEX visits_by_player ON visits (player_id, id);
`
	s, err = sqlite.OpenWithMigrations(t.Context(), path, sqlite.Options{}, withMigration(t, "9001_rebuild_visits.sql", rebuildVisits))
	if err != nil {
		t.Fatalf("open with a rebuild of the orphan's table: %v", err)
	}
	s.Close()

	// A second orphan of the same tables is the migration's doing: rows
	// are counted, not pairs of tables.
	_, err = sqlite.OpenWithMigrations(t.Context(), path, sqlite.Options{}, withMigration(t, "9002_orphan.sql",
		`INSERT INTO visits (player_id, location_id, location_name, gold, balance, message, created_at) VALUES (998, 1, 'Farm', 1, 1, 'm', 0);`))
	if err == nil || !strings.Contains(err.Error(), "1 rows of visits refer to missing rows of players") {
		t.Fatalf("open with a migration adding a second orphan: %v, want it refused", err)
	}
}

// With --sqlite-shared, a start that waits out the busy timeout for another
// process's write lock says so, without naming a migration it could not
// even look at.
// The same for a new file, which another process is creating: the wait is
// then for the migrations table itself.
func TestMigrationLockedByAnotherProcess(t *testing.T) {
	for _, c := range []struct {
		name string
		hold func(t *testing.T, path string)
	}{
		{"a migrated file", func(t *testing.T, path string) { otherWriter(t, path) }},
		{"a new file", func(t *testing.T, path string) {
			writeLockedTx(t, "file:"+path+"?_pragma=journal_mode(WAL)&_txlock=immediate")
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ninjagold.db")
			c.hold(t, path) // its write lock held until t ends
			s, err := sqlite.Open(t.Context(), path, sqlite.Options{Shared: true, BusyTimeout: 100 * time.Millisecond})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded while another process held the write lock")
			}
			if !errors.Is(err, sqlite.ErrLocked) || strings.Contains(err.Error(), ".sql") {
				t.Errorf("Open = %v, want ErrLocked, naming no migration", err)
			}
		})
	}
}

// A file the version before migration 0005 left with two locations of one
// name cannot take the unique index on names: the open fails naming the
// migration, the column and a name two locations share, and changes
// nothing, so the operator can rename one and start again.
func TestUniqueNamesRefuseAFileWithTwoOfOneName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ninjagold.db")
	openFile(t, path).Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		// The file as migration 0004 left it.
		`DROP INDEX locations_by_name`,
		`DELETE FROM schema_migrations WHERE version = 5`,
		`INSERT INTO locations (name, min_gold, max_gold, created_at, updated_at) VALUES ('Farm', 1, 2, 0, 0)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	_, err = sqlite.Open(t.Context(), path, sqlite.Options{})
	if err == nil || !strings.Contains(err.Error(), "migration 0005_locations_by_name.sql") ||
		!strings.Contains(err.Error(), "UNIQUE constraint failed: locations.name") || !strings.HasSuffix(err.Error(), ": Key (name)=(Farm) is duplicated.") {
		t.Fatalf("open = %v, want migration 0005 refused for the name two locations share, Farm", err)
	}
	var farms, version int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM locations WHERE name = 'Farm'), (SELECT max(version) FROM schema_migrations)`).Scan(&farms, &version); err != nil || farms != 2 || version != 4 {
		t.Errorf("%d Farms at version %d after the failed open (%v), want 2 at 4, as before it", farms, version, err)
	}
	if _, err := db.Exec(`UPDATE locations SET name = 'Old Farm' WHERE id = (SELECT max(id) FROM locations)`); err != nil {
		t.Fatal(err)
	}
	s := openFile(t, path)
	l, err := s.GetLocation(t.Context(), 5)
	if err != nil || l.Name != "Old Farm" {
		t.Errorf("location 5 after the rename = %+v (%v), want Old Farm", l, err)
	}
	if _, err := s.CreateLocation(t.Context(), game.LocationFields{Name: "Old Farm", MinGold: 1, MaxGold: 2}); game.ErrorCode(err) != game.EINVALID {
		t.Errorf("a second Old Farm after the migration: %v, want it refused", err)
	}
}

// A migration's unique index that rows break names the first key they
// share, in the columns' order, and how many others there are, as
// PostgreSQL's detail does; rows with a NULL in the key break nothing, and
// a BLOB is written in hex. A migration with a partial index or a
// collation names no key: the rows as stored need not be the index's keys.
// The migrations here are made up: the contract's only unique index on a
// value a client sends is 0005's.
func TestMigrationBreakingAUniqueIndexNamesAKey(t *testing.T) {
	for _, tc := range []struct {
		name, index, want string
	}{
		{"one column, one key", `CREATE UNIQUE INDEX v ON visits (message)`,
			`UNIQUE constraint failed: visits.message (2067): Key (message)=(gone) is duplicated.`},
		{"one column, three keys", `CREATE UNIQUE INDEX v ON visits (balance)`,
			`UNIQUE constraint failed: visits.balance (2067): Key (balance)=(1) is duplicated. 2 other keys are too.`},
		{"three columns, two keys", `CREATE UNIQUE INDEX v ON visits (location_name, gold, balance)`,
			`UNIQUE constraint failed: visits.location_name, visits.gold, visits.balance (2067): Key (location_name, gold, balance)=(Cave, 2, 2) is duplicated. 1 other key is too.`},
		{"words in comments, a key named", "-- where the balance is one\n/* no COLLATE here */ CREATE UNIQUE INDEX v ON visits (balance) -- where\n",
			`UNIQUE constraint failed: visits.balance (2067): Key (balance)=(1) is duplicated. 2 other keys are too.`},
		{"a partial index, no key named", `CREATE UNIQUE INDEX v ON visits (balance) WHERE gold > 1`,
			`UNIQUE constraint failed: visits.balance (2067)`},
		{"a collation, no key named", `CREATE UNIQUE INDEX v ON visits (location_name COLLATE NOCASE)`,
			`UNIQUE constraint failed: visits.location_name (2067)`},
		{"a BLOB, in hex", `CREATE TABLE b (k BLOB); INSERT INTO b VALUES (x'00ff0a'), (x'00ff0a'); CREATE UNIQUE INDEX v ON b (k)`,
			`UNIQUE constraint failed: b.k (2067): Key (k)=(x'00ff0a') is duplicated.`},
		{"NULLs", `CREATE TABLE "odd ""t""" (a, "b c"); INSERT INTO "odd ""t""" VALUES (NULL, 1), (NULL, 1), (1, 2), (1, 2); CREATE UNIQUE INDEX v ON "odd ""t""" (a, "b c")`,
			`UNIQUE constraint failed: odd "t".a, odd "t".b c (2067): Key (a, b c)=(1, 2) is duplicated.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ninjagold.db")
			s := openFile(t, path)
			p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: []byte("kira")})
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			db, err := sql.Open("sqlite", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// (location, gold, balance): Farm 1 1 and Cave 2 2 twice each;
			// balances 1, 2 and 3 more than once; the message gone twice.
			for _, v := range []struct {
				loc           string
				gold, balance int
				message       string
			}{
				{"Farm", 1, 1, "a"}, {"Farm", 1, 1, "gone"}, {"Cave", 2, 2, "b"}, {"Cave", 2, 2, "gone"},
				{"Cave", 2, 3, "c"}, {"Farm", 1, 2, "d"}, {"House", 3, 3, "e"},
			} {
				if _, err := db.Exec(`INSERT INTO visits (player_id, location_id, location_name, gold, balance, message, created_at) VALUES (?, 1, ?, ?, ?, ?, 0)`,
					p.ID, v.loc, v.gold, v.balance, v.message); err != nil {
					t.Fatal(err)
				}
			}
			_, err = sqlite.OpenWithMigrations(t.Context(), path, sqlite.Options{}, withMigration(t, "9000_unique.sql", tc.index))
			if err == nil || !strings.Contains(err.Error(), "sqlite: migration 9000_unique.sql: ") || !strings.HasSuffix(err.Error(), tc.want) {
				t.Fatalf("open = %v\nwant it to end %q", err, tc.want)
			}
			var indexes int
			if err := db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'v'`).Scan(&indexes); err != nil || indexes != 0 {
				t.Errorf("%d indexes v after the failed migration (%v), want none", indexes, err)
			}
		})
	}
}
