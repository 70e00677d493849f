package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/postgres"
	"github.com/ninjagold/ninjagold-api/store/postgres/pgtest"
)

// A database that refuses writes while it answers reads (its disk full, a
// standby after a failover): Ping must fail with the writes (so /readyz
// answers 503 as they do), and pass again once a write commits. The disk
// is full here for the schema's tables: a trigger on each table a write
// or Ping touches raises disk_full (53100), as PostgreSQL does when it
// cannot extend a file.
func TestPingFailsWhileNoWriteCanCommit(t *testing.T) {
	url := pgtest.TestURL(t)
	s := openURL(t, url, postgres.Options{MaxConns: testConns})
	ctx := t.Context()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	exec := func(sql string) {
		t.Helper()
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	tables := []string{"players", "schema_migrations"}
	newPlayer := func(token string) game.NewPlayer {
		return game.NewPlayer{FirstName: "Hattori", LastName: "Hanzo", TokenHash: []byte(token)}
	}
	if _, err := s.CreatePlayer(ctx, newPlayer("1")); err != nil {
		t.Fatal(err)
	}

	exec(`CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$`)
	for _, table := range tables {
		exec(`CREATE TRIGGER disk_full BEFORE INSERT OR UPDATE OR DELETE ON ` + table +
			` FOR EACH ROW EXECUTE FUNCTION disk_full()`)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping before any write failed: %v, want nil (it has no reason yet to write)", err)
	}
	if _, err := s.CreatePlayer(ctx, newPlayer("2")); game.ErrorCode(err) != game.EUNAVAILABLE {
		t.Fatalf("a write with the disk full: %v, want %s", err, game.EUNAVAILABLE)
	}
	if _, err := s.GetLocation(ctx, 1); err != nil {
		t.Errorf("a read with the disk full: %v, want it served", err)
	}
	for i := range 2 { // and not once only: the check's own failure keeps the fault
		if err := s.Ping(ctx); game.ErrorCode(err) != game.EUNAVAILABLE {
			t.Errorf("Ping %d after a write failed with the disk full: %v, want %s", i+1, err, game.EUNAVAILABLE)
		}
	}

	for _, table := range tables {
		exec(`DROP TRIGGER disk_full ON ` + table)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping with room again: %v, want nil", err)
	}
	if _, err := s.CreatePlayer(ctx, newPlayer("3")); err != nil {
		t.Errorf("a write with room again: %v", err)
	}
	var n int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM players WHERE last_name = 'Hanzo'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d players written, want 2: the write with the disk full is not kept", n)
	}
}
