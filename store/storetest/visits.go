package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/purge"
)

func testVisits(t *testing.T, open Opener) {
	t.Run("a visit moves the rolled gold and records the balance", func(t *testing.T) {
		s := open(t)
		p := newPlayer(t, s, "Kira")
		loc := newLocation(t, s, "Dojo", -50, 50)
		var balance int64
		for _, gold := range []int32{15, -40, 0, 7} {
			var rolled game.Location
			v, replayed, err := s.CreateVisit(t.Context(), game.VisitRequest{
				PlayerID: p.ID, LocationID: loc.ID,
				Roll: func(l game.Location) game.Outcome { rolled = l; return fixed(gold)(l) },
			})
			if err != nil || replayed {
				t.Fatalf("CreateVisit: got replayed %v, %v; want false, nil", replayed, err)
			}
			sameLocation(t, rolled, loc)
			balance += int64(gold)
			want := game.Visit{
				ID: v.ID, PlayerID: p.ID, LocationID: loc.ID, LocationName: "Dojo",
				Gold: gold, Balance: balance, Message: game.Message("Dojo", gold), CreatedAt: v.CreatedAt,
			}
			sameVisit(t, v, want)
			if v.ID <= 0 || v.CreatedAt.IsZero() {
				t.Errorf("got id %d, created %v; want a positive id and a creation time", v.ID, v.CreatedAt)
			}
			if got := playerGold(t, s, p.ID); got != balance {
				t.Errorf("player gold: got %d, want %d", got, balance)
			}
		}
	})

	t.Run("a visit by an unknown player is not found", func(t *testing.T) {
		s := open(t)
		_, _, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: 1 << 40, LocationID: firstLocation(t, s).ID, Roll: fixed(1)})
		wantCode(t, err, game.ENOTFOUND)
	})

	t.Run("a visit to an unknown location is invalid and writes nothing", func(t *testing.T) {
		s := open(t)
		p := newPlayer(t, s, "Kira")
		visit(t, s, p.ID, firstLocation(t, s).ID, 10)
		before := visits(t, s, p.ID)
		_, _, err := s.CreateVisit(t.Context(), game.VisitRequest{
			PlayerID: p.ID, LocationID: 1 << 40, IdempotencyKey: "k", RequestHash: []byte("h"), Roll: noRoll(t),
		})
		wantCode(t, err, game.EINVALID)
		if ge := (*game.Error)(nil); !errors.As(err, &ge) || ge.Fields["location_id"] == "" {
			t.Errorf("got error %#v, want fields with a message keyed location_id", err)
		}
		if got := playerGold(t, s, p.ID); got != 10 {
			t.Errorf("player gold: got %d, want 10", got)
		}
		sameVisits(t, visits(t, s, p.ID), before)
		// The key was not spent on the failed request.
		v, replayed, err := s.CreateVisit(t.Context(), game.VisitRequest{
			PlayerID: p.ID, LocationID: firstLocation(t, s).ID, IdempotencyKey: "k", RequestHash: []byte("h"), Roll: fixed(1),
		})
		if err != nil || replayed || v.Balance != 11 {
			t.Errorf("CreateVisit with the key after the failure: got balance %d, replayed %v, %v; want 11, false, nil", v.Balance, replayed, err)
		}
	})

	t.Run("get returns the recorded visit", func(t *testing.T) {
		s := open(t)
		p := newPlayer(t, s, "Kira")
		v := visit(t, s, p.ID, firstLocation(t, s).ID, 12)
		got, err := s.GetVisit(t.Context(), p.ID, v.ID)
		if err != nil {
			t.Fatalf("GetVisit: %v", err)
		}
		sameVisit(t, got, v)
	})

	t.Run("get of a visit the player does not have is not found", func(t *testing.T) {
		s := open(t)
		p, other := newPlayer(t, s, "Kira"), newPlayer(t, s, "Other")
		v := visit(t, s, p.ID, firstLocation(t, s).ID, 12)
		cases := []struct {
			name              string
			playerID, visitID int64
			want              string
		}{
			{"unknown visit", p.ID, v.ID + 1000, fmt.Sprintf("Player %d has no visit %d.", p.ID, v.ID+1000)},
			{"another player's visit", other.ID, v.ID, fmt.Sprintf("Player %d has no visit %d.", other.ID, v.ID)},
			// As ListVisits says it.
			{"unknown player", 1 << 40, v.ID, fmt.Sprintf("Player %d does not exist.", int64(1<<40))},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := s.GetVisit(t.Context(), c.playerID, c.visitID)
				wantCode(t, err, game.ENOTFOUND)
				if msg := game.ErrorMessage(err); msg != c.want {
					t.Errorf("message %q, want %q", msg, c.want)
				}
			})
		}
	})
}

func testListVisits(t *testing.T, open Opener) {
	s := open(t)
	p, other := newPlayer(t, s, "Kira"), newPlayer(t, s, "Other")
	loc := firstLocation(t, s)
	var created []game.Visit
	for i := range 7 {
		created = append(created, visit(t, s, p.ID, loc.ID, int32(i)))
		visit(t, s, other.ID, loc.ID, 1) // interleaved, never listed for p
	}
	newestFirst := make([]game.Visit, len(created))
	for i, v := range created {
		newestFirst[len(created)-1-i] = v
	}

	for _, limit := range []int{1, 2, 3, 7, 8} {
		t.Run(fmt.Sprintf("pages of %d list the player's visits once, newest first", limit), func(t *testing.T) {
			var got []game.Visit
			var before int64
			for page := 0; ; page++ {
				if page > len(created) {
					t.Fatalf("more than %d pages", len(created))
				}
				vs, err := s.ListVisits(t.Context(), p.ID, before, limit)
				if err != nil {
					t.Fatalf("ListVisits(before %d, limit %d): %v", before, limit, err)
				}
				if len(vs) > limit {
					t.Fatalf("ListVisits: got %d visits, want at most %d", len(vs), limit)
				}
				got = append(got, vs...)
				if len(vs) < limit {
					break
				}
				before = vs[len(vs)-1].ID
			}
			sameVisits(t, got, newestFirst)
		})
	}

	t.Run("a player without visits lists none", func(t *testing.T) {
		fresh := newPlayer(t, s, "Fresh")
		if got := visits(t, s, fresh.ID); len(got) != 0 {
			t.Errorf("got %d visits, want 0", len(got))
		}
	})

	t.Run("an unknown player is not found", func(t *testing.T) {
		_, err := s.ListVisits(t.Context(), 1<<40, 0, 10)
		wantCode(t, err, game.ENOTFOUND)
	})
}

func testHistory(t *testing.T, open Opener) {
	cases := []struct {
		name   string
		change func(t *testing.T, s game.Store, id int64)
	}{
		{"editing the location keeps the recorded visit", func(t *testing.T, s game.Store, id int64) {
			_, err := s.UpdateLocation(t.Context(), id, func(l *game.Location) error {
				l.Name, l.MinGold, l.MaxGold = "Renamed", 100, 200
				return nil
			})
			if err != nil {
				t.Fatalf("UpdateLocation: %v", err)
			}
		}},
		{"deleting the location keeps the recorded visit", func(t *testing.T, s game.Store, id int64) {
			if err := s.DeleteLocation(t.Context(), id, func(game.Location) error { return nil }); err != nil {
				t.Fatalf("DeleteLocation: %v", err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			p := newPlayer(t, s, "Kira")
			loc := newLocation(t, s, "Dojo", 1, 9)
			v := visit(t, s, p.ID, loc.ID, 9)

			c.change(t, s, loc.ID)

			got, err := s.GetVisit(t.Context(), p.ID, v.ID)
			if err != nil {
				t.Fatalf("GetVisit: %v", err)
			}
			sameVisit(t, got, v)
			sameVisits(t, visits(t, s, p.ID), []game.Visit{v})
			if got := playerGold(t, s, p.ID); got != 9 {
				t.Errorf("player gold: got %d, want 9", got)
			}
		})
	}
}

func testIdempotency(t *testing.T, open Opener) {
	keyed := func(playerID, locationID int64, key, hash string, roll func(game.Location) game.Outcome) game.VisitRequest {
		return game.VisitRequest{PlayerID: playerID, LocationID: locationID, IdempotencyKey: key, RequestHash: []byte(hash), Roll: roll}
	}

	t.Run("the same key and hash replay the recorded visit and change nothing", func(t *testing.T) {
		s := open(t)
		p := newPlayer(t, s, "Kira")
		loc := firstLocation(t, s)
		first, replayed, err := s.CreateVisit(t.Context(), keyed(p.ID, loc.ID, "k", "h", fixed(10)))
		if err != nil || replayed {
			t.Fatalf("first CreateVisit: got replayed %v, %v; want false, nil", replayed, err)
		}
		visit(t, s, p.ID, loc.ID, 5) // moves the balance on, so a replay must not recompute it
		before := visits(t, s, p.ID)

		for range 2 {
			again, replayed, err := s.CreateVisit(t.Context(), keyed(p.ID, loc.ID, "k", "h", noRoll(t)))
			if err != nil || !replayed {
				t.Fatalf("replayed CreateVisit: got replayed %v, %v; want true, nil", replayed, err)
			}
			sameVisit(t, again, first)
		}
		if got := playerGold(t, s, p.ID); got != 15 {
			t.Errorf("player gold: got %d, want 15", got)
		}
		sameVisits(t, visits(t, s, p.ID), before)
	})

	t.Run("a replay answers after its location is deleted", func(t *testing.T) {
		s := open(t)
		p := newPlayer(t, s, "Kira")
		loc, err := s.CreateLocation(t.Context(), game.LocationFields{Name: "Mine", MinGold: 4, MaxGold: 4})
		if err != nil {
			t.Fatal(err)
		}
		first, _, err := s.CreateVisit(t.Context(), keyed(p.ID, loc.ID, "k", "h", fixed(4)))
		if err != nil {
			t.Fatalf("first CreateVisit: %v", err)
		}
		if err := s.DeleteLocation(t.Context(), loc.ID, func(game.Location) error { return nil }); err != nil {
			t.Fatal(err)
		}
		again, replayed, err := s.CreateVisit(t.Context(), keyed(p.ID, loc.ID, "k", "h", noRoll(t)))
		if err != nil || !replayed {
			t.Fatalf("replayed CreateVisit: got replayed %v, %v; want true, nil", replayed, err)
		}
		sameVisit(t, again, first)
		// A new key to the deleted location is refused, and changes nothing.
		_, _, err = s.CreateVisit(t.Context(), keyed(p.ID, loc.ID, "k2", "h", noRoll(t)))
		wantCode(t, err, game.EINVALID)
		if got := playerGold(t, s, p.ID); got != 4 {
			t.Errorf("player gold: got %d, want 4", got)
		}
		sameVisits(t, visits(t, s, p.ID), []game.Visit{first})
	})

	t.Run("the same key with another hash conflicts and changes nothing", func(t *testing.T) {
		s := open(t)
		p := newPlayer(t, s, "Kira")
		loc := firstLocation(t, s)
		if _, _, err := s.CreateVisit(t.Context(), keyed(p.ID, loc.ID, "k", "h", fixed(10))); err != nil {
			t.Fatalf("first CreateVisit: %v", err)
		}
		before := visits(t, s, p.ID)
		_, _, err := s.CreateVisit(t.Context(), keyed(p.ID, loc.ID, "k", "other", noRoll(t)))
		wantCode(t, err, game.EKEYREUSED)
		if got := playerGold(t, s, p.ID); got != 10 {
			t.Errorf("player gold: got %d, want 10", got)
		}
		sameVisits(t, visits(t, s, p.ID), before)
	})

	t.Run("keys belong to one player", func(t *testing.T) {
		s := open(t)
		a, b := newPlayer(t, s, "A"), newPlayer(t, s, "B")
		loc := firstLocation(t, s)
		va, ra, errA := s.CreateVisit(t.Context(), keyed(a.ID, loc.ID, "k", "h", fixed(3)))
		vb, rb, errB := s.CreateVisit(t.Context(), keyed(b.ID, loc.ID, "k", "h", fixed(4)))
		if errA != nil || errB != nil || ra || rb {
			t.Fatalf("CreateVisit for two players: got replayed %v, %v and errors %v, %v; want false, false, nil, nil", ra, rb, errA, errB)
		}
		if va.ID == vb.ID || va.PlayerID != a.ID || vb.PlayerID != b.ID {
			t.Errorf("got visits %+v and %+v, want one for each player", va, vb)
		}
		if ga, gb := playerGold(t, s, a.ID), playerGold(t, s, b.ID); ga != 3 || gb != 4 {
			t.Errorf("gold: got %d and %d, want 3 and 4", ga, gb)
		}
	})

	t.Run("requests without a key are never replayed", func(t *testing.T) {
		s := open(t)
		p := newPlayer(t, s, "Kira")
		loc := firstLocation(t, s)
		for range 2 {
			if _, replayed, err := s.CreateVisit(t.Context(), keyed(p.ID, loc.ID, "", "h", fixed(2))); err != nil || replayed {
				t.Fatalf("CreateVisit: got replayed %v, %v; want false, nil", replayed, err)
			}
		}
		if got := len(visits(t, s, p.ID)); got != 2 {
			t.Errorf("got %d visits, want 2", got)
		}
	})
}

// IdempotencyKeysExpire checks that s honours an idempotency key for
// game.IdempotencyKeyTTL and then forgets it, whether or not its row has
// been purged: the store's own test stops its purges first, so that the
// expired keys are still there. Keys expire only as time passes, which
// game.Store gives no way to cause, so the store's own test passes elapse:
// it must make s behave as if d had passed, the keys recorded so far being
// d older.
func IdempotencyKeysExpire(t *testing.T, s game.Store, elapse func(d time.Duration)) {
	p := newPlayer(t, s, "Kira")
	loc := firstLocation(t, s)
	keyed := func(key, hash string, roll func(game.Location) game.Outcome) game.VisitRequest {
		return game.VisitRequest{PlayerID: p.ID, LocationID: loc.ID, IdempotencyKey: key, RequestHash: []byte(hash), Roll: roll}
	}
	record := func(key, hash string) game.Visit {
		t.Helper()
		v, replayed, err := s.CreateVisit(t.Context(), keyed(key, hash, fixed(1)))
		if err != nil || replayed {
			t.Fatalf("CreateVisit with key %q: got replayed %v, %v; want false, nil", key, replayed, err)
		}
		return v
	}
	replay := func(key string, want game.Visit) {
		t.Helper()
		again, replayed, err := s.CreateVisit(t.Context(), keyed(key, "h", noRoll(t)))
		if err != nil || !replayed {
			t.Fatalf("CreateVisit with the live key %q: got replayed %v, %v; want true, nil", key, replayed, err)
		}
		sameVisit(t, again, want)
	}

	// "old" and "other" end a minute past the TTL, "fresh" a minute short
	// of it.
	old := record("old", "h")
	other := record("other", "h")
	elapse(2 * time.Minute)
	fresh := record("fresh", "h")
	elapse(game.IdempotencyKeyTTL - time.Minute)
	replay("fresh", fresh)

	// An expired key is free again: the same request records a new visit,
	// and another request is not a reuse of the key (which a live key's
	// would be, a 422).
	again := record("old", "h")
	if again.ID == old.ID {
		t.Fatalf("CreateVisit with the expired key: got visit %d again, want a new one", old.ID)
	}
	if v := record("other", "another request"); v.ID == other.ID {
		t.Fatalf("CreateVisit with the expired key and another request: got visit %d again, want a new one", other.ID)
	}
	// The key now names its new visit, and lives from its new time.
	replay("old", again)
	elapse(game.IdempotencyKeyTTL - time.Minute)
	replay("old", again)
	if got := playerGold(t, s, p.ID); got != 5 {
		t.Errorf("player gold: got %d, want 5 (five visits recorded)", got)
	}
}

// PurgeHooks reach what IdempotencyKeysPurged checks and game.Store does
// not show: a store's keys and its purges.
type PurgeHooks struct {
	// Elapse makes the store behave as if d had passed, as
	// IdempotencyKeysExpire's elapse does; d counts towards the wait
	// before the next purge, too.
	Elapse func(d time.Duration)
	// Keys lists the idempotency keys the store holds for a player, in
	// order.
	Keys func(playerID int64) []string
	// Wait waits until no purge is running.
	Wait func()
	// Delete is the store's purge.Delete.
	Delete purge.Delete
}

// IdempotencyKeysPurged checks that a keyed visit starts a purge a minute
// after the store opened, or after the last purge started; that the purge
// deletes the expired keys and no other row; and that the store's
// purge.Delete deletes at most its limit. (Here the oldest keys are also
// the first made, so the order of a deletion is not told apart from the
// table's: PostgreSQL's own test checks that it is the keys' age.)
func IdempotencyKeysPurged(t *testing.T, s game.Store, h PurgeHooks) {
	p := newPlayer(t, s, "Kira")
	loc := firstLocation(t, s)
	record := func(key string) {
		t.Helper()
		req := game.VisitRequest{PlayerID: p.ID, LocationID: loc.ID, IdempotencyKey: key, RequestHash: []byte("h"), Roll: fixed(1)}
		if _, replayed, err := s.CreateVisit(t.Context(), req); err != nil || replayed {
			t.Fatalf("CreateVisit with key %q: got replayed %v, %v; want false, nil", key, replayed, err)
		}
	}
	wantKeys := func(when string, want ...string) {
		t.Helper()
		if got := h.Keys(p.ID); !slices.Equal(got, want) {
			t.Fatalf("%s: got keys %q, want %q", when, got, want)
		}
	}

	stats := func(when string, want game.PurgeStats) {
		t.Helper()
		if r, ok := s.(game.PurgeReporter); !ok {
			t.Fatal("the store does not report its purges (game.PurgeReporter)")
		} else if got := r.PurgeStats(); got != want {
			t.Fatalf("%s: PurgeStats got %+v, want %+v", when, got, want)
		}
	}

	record("a")
	h.Elapse(time.Second) // the keys' order is their age's
	record("b")
	h.Elapse(time.Second)
	record("c")
	h.Wait()
	stats("within a minute of the store's opening", game.PurgeStats{})
	h.Elapse(2 * time.Minute)
	record("young") // starts a purge, with nothing expired
	h.Wait()
	stats("after a purge with no key expired", game.PurgeStats{Deletions: 1})
	wantKeys("after a purge with no key expired", "a", "b", "c", "young")

	// a, b and c are a minute past the TTL, young a minute short of it.
	h.Elapse(game.IdempotencyKeyTTL - time.Minute)
	n, err := h.Delete(t.Context(), 2)
	if err != nil || n != 2 {
		t.Fatalf("Delete with limit 2: got %d, %v; want 2, nil", n, err)
	}
	wantKeys("after Delete with limit 2", "c", "young")

	record("z") // starts a purge: the last started more than a minute ago
	h.Wait()
	wantKeys("after the purge", "young", "z")
	// The purges deleted c alone: Delete's two are not theirs.
	stats("after the purge", game.PurgeStats{Deletions: 2, Purged: 1})
	if got := len(visits(t, s, p.ID)); got != 5 {
		t.Errorf("got %d visits, want 5: a purge deletes keys, not visits", got)
	}
	n, err = h.Delete(t.Context(), 2)
	if err != nil || n != 0 {
		t.Errorf("Delete with no key expired: got %d, %v; want 0, nil", n, err)
	}
}
