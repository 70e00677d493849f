// Package storetest is the one test suite every game.Store must pass.
//
// The behaviour the rest of the service relies on is written down once, in
// the doc comments of game.Store, and proven here once, so the SQLite and
// PostgreSQL stores cannot drift apart: a store package's test calls Run
// with a function that opens a fresh store. Run talks to the store only
// through game.Store, so it says nothing about tables or SQL. What the
// interface can neither cause nor see (an idempotency key's expiry, the rows
// a deleted player leaves) is checked by the exported helpers
// (IdempotencyKeysExpire, IdempotencyKeysPurged, CreateAndDeletePlayer with
// LeftoverRowsQuery),
// which a store's own test drives with a hook into its database.
package storetest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
)

// Opener returns a fresh, migrated and seeded store that shares no data with
// any store it returned before, and closes it when t ends (t.Cleanup).
type Opener = func(t *testing.T) game.Store

// Run runs the whole suite, each test on a store of its own from open.
func Run(t *testing.T, open Opener) {
	t.Run("Ping", func(t *testing.T) { testPing(t, open) })
	t.Run("Seed", func(t *testing.T) { testSeed(t, open) })
	t.Run("Locations", func(t *testing.T) { testLocations(t, open) })
	t.Run("Players", func(t *testing.T) { testPlayers(t, open) })
	t.Run("ListPlayers", func(t *testing.T) { testListPlayers(t, open) })
	t.Run("DeletePlayer", func(t *testing.T) { testDeletePlayer(t, open) })
	t.Run("Visits", func(t *testing.T) { testVisits(t, open) })
	t.Run("VisitTokens", func(t *testing.T) { testVisitTokens(t, open) })
	t.Run("VisitRefuse", func(t *testing.T) { testVisitRefuse(t, open) })
	t.Run("ReplaceToken", func(t *testing.T) { testReplaceToken(t, open) })
	t.Run("ListVisits", func(t *testing.T) { testListVisits(t, open) })
	t.Run("History", func(t *testing.T) { testHistory(t, open) })
	t.Run("Idempotency", func(t *testing.T) { testIdempotency(t, open) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, open) })
	t.Run("Cancellation", func(t *testing.T) { testCancellation(t, open) })
	t.Run("Closed", func(t *testing.T) { testClosed(t, open) })
}

func testPing(t *testing.T, open Opener) {
	t.Run("a fresh store answers", func(t *testing.T) {
		if err := open(t).Ping(t.Context()); err != nil {
			t.Errorf("Ping: got %v, want nil", err)
		}
	})
}

// errRefused is what the suite's callbacks return to refuse a change; the
// store must hand back this very value.
var errRefused = errors.New("storetest: the callback refused the change")

// wantCode fails t unless err carries the code want.
func wantCode(t *testing.T, err error, want game.Code) {
	t.Helper()
	if got := game.ErrorCode(err); got != want {
		t.Fatalf("got error %v (code %q), want code %q", err, got, want)
	}
}

// tokenHash returns a hash no other player has.
func tokenHash(t *testing.T) []byte {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// newPlayer creates a player with a fresh token hash.
func newPlayer(t *testing.T, s game.Store, first string) game.Player {
	t.Helper()
	p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: first, LastName: "Ninja", TokenHash: tokenHash(t)})
	if err != nil {
		t.Fatalf("CreatePlayer(%s): %v", first, err)
	}
	return p
}

// newLocation creates a location named name paying min..max.
func newLocation(t *testing.T, s game.Store, name string, min, max int32) game.Location {
	t.Helper()
	l, err := s.CreateLocation(t.Context(), game.LocationFields{Name: name, MinGold: min, MaxGold: max, Description: "A place called " + name + "."})
	if err != nil {
		t.Fatalf("CreateLocation(%s): %v", name, err)
	}
	return l
}

// firstLocation returns the first seeded location.
func firstLocation(t *testing.T, s game.Store) game.Location {
	t.Helper()
	ls, err := s.ListLocations(t.Context(), 0, 1)
	if err != nil || len(ls) != 1 {
		t.Fatalf("ListLocations(0, 1): got %d locations, %v; want 1, nil", len(ls), err)
	}
	return ls[0]
}

// fixed is a Roll that always yields gold.
func fixed(gold int32) func(game.Location) game.Outcome {
	return func(l game.Location) game.Outcome {
		return game.Outcome{Gold: gold, Message: game.Message(l.Name, gold)}
	}
}

// noRoll is a Roll for requests that must not roll: it fails t if called.
func noRoll(t *testing.T) func(game.Location) game.Outcome {
	return func(l game.Location) game.Outcome {
		t.Errorf("Roll called with %+v, want no call", l)
		return game.Outcome{}
	}
}

// visit records a visit of player to loc yielding gold, with no key.
func visit(t *testing.T, s game.Store, playerID, locationID int64, gold int32) game.Visit {
	t.Helper()
	v, replayed, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: playerID, LocationID: locationID, Roll: fixed(gold)})
	if err != nil || replayed {
		t.Fatalf("CreateVisit(player %d, location %d): got replayed %v, %v; want false, nil", playerID, locationID, replayed, err)
	}
	return v
}

// playerGold returns the player's current gold.
func playerGold(t *testing.T, s game.Store, id int64) int64 {
	t.Helper()
	p, err := s.GetPlayer(t.Context(), id)
	if err != nil {
		t.Fatalf("GetPlayer(%d): %v", id, err)
	}
	return p.Gold
}

// visits returns all of the player's visits, newest first.
func visits(t *testing.T, s game.Store, playerID int64) []game.Visit {
	t.Helper()
	vs, err := s.ListVisits(t.Context(), playerID, 0, 1000)
	if err != nil {
		t.Fatalf("ListVisits(%d): %v", playerID, err)
	}
	return vs
}

// The store types hold times, which == compares by representation; these
// put every time in one form (UTC, no monotonic reading) so == compares
// instants.
func instant(t time.Time) time.Time { return t.Round(0).UTC() }

func normLocation(l game.Location) game.Location {
	l.CreatedAt, l.UpdatedAt = instant(l.CreatedAt), instant(l.UpdatedAt)
	return l
}

func normPlayer(p game.Player) game.Player {
	p.CreatedAt = instant(p.CreatedAt)
	return p
}

func normVisit(v game.Visit) game.Visit {
	v.CreatedAt = instant(v.CreatedAt)
	return v
}

func sameLocation(t *testing.T, got, want game.Location) {
	t.Helper()
	if g, w := normLocation(got), normLocation(want); g != w {
		t.Errorf("got location %+v, want %+v", g, w)
	}
}

// sameLocations fails t unless got holds want's locations, in its order.
func sameLocations(t *testing.T, got, want []game.Location) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d locations, want %d", len(got), len(want))
	}
	for i := range want {
		sameLocation(t, got[i], want[i])
	}
}

func samePlayer(t *testing.T, got, want game.Player) {
	t.Helper()
	if g, w := normPlayer(got), normPlayer(want); g != w {
		t.Errorf("got player %+v, want %+v", g, w)
	}
}

func sameVisit(t *testing.T, got, want game.Visit) {
	t.Helper()
	if g, w := normVisit(got), normVisit(want); g != w {
		t.Errorf("got visit %+v, want %+v", g, w)
	}
}

func sameVisits(t *testing.T, got, want []game.Visit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d visits %v, want %d %v", len(got), visitIDs(got), len(want), visitIDs(want))
	}
	for i := range got {
		sameVisit(t, got[i], want[i])
	}
}

func visitIDs(vs []game.Visit) []int64 {
	ids := make([]int64, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	return ids
}

// LeftoverRowsQuery counts, in either store's SQL, the rows a player can
// leave behind: players, visits and idempotency keys.
const LeftoverRowsQuery = `SELECT (SELECT count(*) FROM players), (SELECT count(*) FROM visits), (SELECT count(*) FROM idempotency_keys)`

// CreateAndDeletePlayer gives a new player in s three visits, each with an
// idempotency key, then deletes the player, for a store's own test to look
// under the interface for rows left behind (LeftoverRowsQuery), which the
// suite cannot see.
func CreateAndDeletePlayer(t *testing.T, s game.Store) {
	t.Helper()
	ctx := t.Context()
	p, err := s.CreatePlayer(ctx, game.NewPlayer{FirstName: "Gone", LastName: "N", TokenHash: []byte("h")})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		_, _, err := s.CreateVisit(ctx, game.VisitRequest{PlayerID: p.ID, LocationID: 1, IdempotencyKey: fmt.Sprint("k", i), RequestHash: []byte("h"),
			Roll: func(game.Location) game.Outcome { return game.Outcome{Gold: 1, Message: "+1"} }})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeletePlayer(ctx, p.ID, []byte("h")); err != nil {
		t.Fatal(err)
	}
}
