package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	msqlite "modernc.org/sqlite"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// countCompiles counts, from now on, what SQLite compiles on conn's
// connection: SQLite asks the connection's authorizer about what every
// statement it prepares, or prepares anew, reads and writes. Setting the
// authorizer makes SQLite prepare each statement anew once.
//
// BEGIN, COMMIT and ROLLBACK are not counted: the driver runs a
// database/sql transaction's (some pages of players read in one) as text
// each time.
func countCompiles(t *testing.T, conn *sql.Conn) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	err := conn.Raw(func(dc any) error {
		r, ok := dc.(msqlite.AuthorizerRegisterer)
		if !ok {
			return fmt.Errorf("%T has no authorizer", dc)
		}
		return r.RegisterAuthorizer(func(action msqlite.AuthorizerActionCode, _, _, _, _ string) msqlite.AuthorizerReturnCode {
			if action != msqlite.AuthTransaction {
				n.Add(1)
			}
			return msqlite.AuthorizerOK
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return &n
}

// Once a query has run on a connection, running it again with other values
// compiles nothing: the store prepares each query once per connection, and
// gives SQLite no bound value that would make it prepare the statement
// anew ("Bound values and plans" in stmts.go). A visit's first read did,
// with a location or player id of 1 after another (visitStart), and a page
// of locations, visits or players with another limit.
func TestWarmQueriesCompileNothing(t *testing.T) {
	// One reader, so that the one connection counted serves every read.
	s := openWith(t, filepath.Join(t.TempDir(), "ninjagold.db"), sqlite.Options{Readers: 1})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // a hang fails
	defer cancel()
	var players []game.Player
	for i := range 2 {
		p, err := s.CreatePlayer(ctx, game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: fmt.Appendf(nil, "token %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		players = append(players, p)
	}
	roll := func(l game.Location) game.Outcome { return game.Outcome{Gold: 1, Message: game.Message(l.Name, 1)} }
	token := func(p game.Player) []byte { return fmt.Appendf(nil, "token %d", p.ID-players[0].ID) }
	// write makes the writes a game makes most, with values that differ
	// with i: a visit with the player's token, with an Idempotency-Key too,
	// and without a token (TokenHash is optional: for a caller that checked
	// the player itself); and a new player. (The others look rows up by id
	// alone, which no value changes the plan of.)
	write := func(i int) {
		t.Helper()
		p := players[i/2%2]
		loc := int64(1 + i%4)
		for _, req := range []game.VisitRequest{
			{PlayerID: p.ID, LocationID: loc, TokenHash: token(p), Roll: roll},
			{PlayerID: p.ID, LocationID: loc, TokenHash: token(p), Roll: roll,
				IdempotencyKey: fmt.Sprint("key ", i), RequestHash: fmt.Append(nil, loc)},
			{PlayerID: p.ID, LocationID: loc, Roll: roll},
		} {
			if _, _, err := s.CreateVisit(ctx, req); err != nil {
				t.Fatalf("write %d: visit to %d: %v", i, loc, err)
			}
		}
		if _, err := s.CreatePlayer(ctx, game.NewPlayer{FirstName: fmt.Sprint("Kira", i), LastName: "Sato", TokenHash: fmt.Appendf(nil, "new %d", i)}); err != nil {
			t.Fatalf("write %d: new player: %v", i, err)
		}
	}
	// read makes every read, with values that differ with i.
	read := func(i int) {
		t.Helper()
		p := players[i%2]
		limit := 1 + i%5
		after := &game.PlayerKey{Gold: int64(i % 3), ID: int64(1 + i%2)}
		for _, err := range []error{
			first(s.ListLocations(ctx, int64(i%3), limit)),
			first(s.GetLocation(ctx, int64(1+i%4))),
			first(s.GetPlayer(ctx, p.ID)),
			first(s.PlayerIDByTokenHash(ctx, token(p))),
			first(s.ListVisits(ctx, p.ID, int64(i%7), limit)),
			first(s.GetVisit(ctx, p.ID, int64(1+i%2))),
			first(s.ListPlayers(ctx, game.PlayerPage{Sort: game.ByCreatedAtAsc, Limit: limit})),
			first(s.ListPlayers(ctx, game.PlayerPage{Sort: game.ByCreatedAtAsc, Limit: limit, After: after})),
			first(s.ListPlayers(ctx, game.PlayerPage{Sort: game.ByCreatedAtDesc, Limit: limit, After: after})),
			first(s.ListPlayers(ctx, game.PlayerPage{Sort: game.ByGoldDesc, Limit: limit, After: after})),
			first(s.ListPlayers(ctx, game.PlayerPage{Sort: game.ByGoldAsc, Limit: limit, After: after})),
			first(s.ListPlayers(ctx, game.PlayerPage{Sort: game.ByGoldDesc, Limit: limit})),
			first(s.ListPlayers(ctx, game.PlayerPage{Sort: game.ByGoldAsc, Limit: limit})),
		} {
			var ge *game.Error
			if err != nil && !(errors.As(err, &ge) && ge.Code == game.ENOTFOUND) {
				t.Fatalf("read %d: %v", i, err)
			}
		}
	}
	wconn := sqlite.WriteConn(s)
	writes := countCompiles(t, wconn)
	rconn, err := sqlite.ReadPool(s).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reads := countCompiles(t, rconn)
	rconn.Close() // back to the pool, the store's one reader

	// Setting an authorizer expires the connection's statements: each
	// query runs once more before the count starts (and ListVisits once
	// with a visit to list before, once without).
	write(0)
	read(0)
	read(1)
	writes.Store(0)
	reads.Store(0)
	for i := range 12 {
		write(i + 1)
		read(i + 2)
	}
	if n := writes.Load(); n != 0 {
		t.Errorf("writes with other values compiled SQL %d times on the write connection, want none", n)
	}
	if n := reads.Load(); n != 0 {
		t.Errorf("reads with other values compiled SQL %d times on the read connection, want none", n)
	}

	// The counters count: a query new to each connection is compiled there.
	var one int
	if err := wconn.QueryRowContext(ctx, `SELECT 1 FROM visits LIMIT 1`).Scan(&one); err != nil || writes.Load() == 0 {
		t.Errorf("a new query on the write connection: %v, %d compiles; want some", err, writes.Load())
	}
	if err := sqlite.ReadPool(s).QueryRowContext(ctx, `SELECT 1 FROM visits LIMIT 1`).Scan(&one); err != nil || reads.Load() == 0 {
		t.Errorf("a new query on the read connection: %v, %d compiles; want some", err, reads.Load())
	}
}

// first is the error of a call's two results.
func first[T any](_ T, err error) error { return err }

// A page of players starts where it is to start, and reads the players it
// returns in the order of an index: SQLite searches an index (or the
// table's ids) for where each of its queries starts, rather than scanning
// from the first player, so a page far down the board costs what the first
// one does; and it sorts nothing, so a page that reaches a gold many
// players share costs what any other does. (Least gold first, it sorted the
// ids of each gold: "USE TEMP B-TREE FOR LAST TERM OF ORDER BY".)
func TestPlayerPagesSearchFromTheCursor(t *testing.T) {
	s := openWith(t, filepath.Join(t.TempDir(), "ninjagold.db"), sqlite.Options{})
	for _, sort := range []game.PlayerSort{game.ByGoldDesc, game.ByGoldAsc, game.ByCreatedAtDesc, game.ByCreatedAtAsc} {
		for _, after := range []*game.PlayerKey{nil, {Gold: 5, ID: 7}} {
			for _, limit := range []int{1, 21, 101} {
				queries, args, err := sqlite.PlayersPage(game.PlayerPage{Sort: sort, Limit: limit, After: after})
				if err != nil {
					t.Fatal(err)
				}
				// Least gold first, the first page starts from the least
				// gold, which SQLite searches the gold index for (one
				// step of its own), as it does the cursor's gold.
				fromLeast := sort == game.ByGoldAsc && after == nil
				for i, query := range queries {
					plan := explain(t, s, query, args[i]...)
					switch {
					case fromLeast:
						from := "(gold=?)" // the least gold, by id
						if i > 0 {
							from = "(gold>?)" // past it
						}
						if len(plan) != 3 || !strings.HasSuffix(plan[0], from) ||
							plan[1] != "SCALAR SUBQUERY 1" || plan[2] != "SEARCH players USING COVERING INDEX players_by_gold" {
							t.Errorf("limit %d, %s: plan %q, want the least gold searched for, then a SEARCH of players from it, and no sort", limit, query, plan)
						}
						continue
					case len(plan) != 1 || after != nil && !strings.HasPrefix(plan[0], "SEARCH players USING ") ||
						after == nil && !strings.HasPrefix(plan[0], "SCAN players"):
						t.Errorf("sort %s, after %v, limit %d, %s: plan %q, want a SEARCH of players after a cursor, a SCAN without, and no sort", sort, after, limit, query, plan)
					}
					// By gold, the cursor's own gold is searched by id too, or
					// its players before the cursor are read and passed over.
					byGold := sort == game.ByGoldDesc || sort == game.ByGoldAsc
					if byGold && after != nil && i == 0 && (len(plan) != 1 || !strings.HasSuffix(plan[0], "(gold=? AND id>?)")) {
						t.Errorf("sort %s, limit %d, %s: plan %q, want the cursor's gold searched from its id", sort, limit, query, plan)
					}
				}
			}
		}
	}
}

// explain is SQLite's plan for query with args, a line per step.
func explain(t *testing.T, s *sqlite.Store, query string, args ...any) []string {
	t.Helper()
	rows, err := sqlite.WriteConn(s).QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}
