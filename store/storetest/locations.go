package storetest

import (
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
)

func testSeed(t *testing.T, open Opener) {
	t.Run("a new store holds exactly the four classic locations in id order", func(t *testing.T) {
		s := open(t)
		got, err := s.ListLocations(t.Context(), 0, 100)
		if err != nil {
			t.Fatalf("ListLocations: %v", err)
		}
		want := []struct {
			name     string
			min, max int32
		}{
			{"Farm", 10, 20},
			{"Cave", 5, 10},
			{"House", 2, 5},
			{"Casino", -50, 50},
		}
		if len(got) != len(want) {
			t.Fatalf("got %d locations %+v, want %d", len(got), got, len(want))
		}
		var prev int64
		for i, w := range want {
			l := got[i]
			if l.Name != w.name || l.MinGold != w.min || l.MaxGold != w.max {
				t.Errorf("location %d: got %s %d..%d, want %s %d..%d", i, l.Name, l.MinGold, l.MaxGold, w.name, w.min, w.max)
			}
			if l.ID <= prev {
				t.Errorf("location %d: got id %d after id %d, want ascending ids", i, l.ID, prev)
			}
			prev = l.ID
			if l.Version != 1 || l.CreatedAt.IsZero() || l.UpdatedAt.IsZero() || l.Description == "" {
				t.Errorf("location %d: got version %d, created %v, updated %v, description %q; want version 1, both times and a description",
					i, l.Version, l.CreatedAt, l.UpdatedAt, l.Description)
			}
		}
	})
}

func testLocations(t *testing.T, open Opener) {
	fields := game.LocationFields{Name: "Dojo", MinGold: -3, MaxGold: 30, Description: "Spar with the masters."}

	t.Run("create stores the fields at version 1 with both timestamps", func(t *testing.T) {
		s := open(t)
		l, err := s.CreateLocation(t.Context(), fields)
		if err != nil {
			t.Fatalf("CreateLocation: %v", err)
		}
		got := l.Fields()
		if got != fields {
			t.Errorf("got fields %+v, want %+v", got, fields)
		}
		if l.ID <= 0 || l.Version != 1 {
			t.Errorf("got id %d, version %d; want a positive id, version 1", l.ID, l.Version)
		}
		if l.CreatedAt.IsZero() || !l.UpdatedAt.Equal(l.CreatedAt) {
			t.Errorf("got created %v, updated %v; want both set and equal", l.CreatedAt, l.UpdatedAt)
		}
		stored, err := s.GetLocation(t.Context(), l.ID)
		if err != nil {
			t.Fatalf("GetLocation: %v", err)
		}
		sameLocation(t, stored, l)
	})

	t.Run("an unknown id is not found", func(t *testing.T) {
		s := open(t)
		for _, id := range []int64{0, -1, 1 << 40} {
			_, err := s.GetLocation(t.Context(), id)
			wantCode(t, err, game.ENOTFOUND)
		}
	})

	t.Run("pages by afterID cover every location once, in id order", func(t *testing.T) {
		s := open(t)
		for i := range 5 {
			newLocation(t, s, fmt.Sprintf("Place %d", i), 0, int32(i))
		}
		all, err := s.ListLocations(t.Context(), 0, 1000)
		if err != nil {
			t.Fatalf("ListLocations: %v", err)
		}
		if len(all) != 9 {
			t.Fatalf("got %d locations, want 9 (4 seeded + 5 created)", len(all))
		}
		for _, limit := range []int{1, 2, 4, 8, 9, 10} {
			t.Run(fmt.Sprintf("limit %d", limit), func(t *testing.T) {
				var got []game.Location
				var after int64
				for page := 0; ; page++ {
					if page > len(all) {
						t.Fatalf("more than %d pages", len(all))
					}
					ls, err := s.ListLocations(t.Context(), after, limit)
					if err != nil {
						t.Fatalf("ListLocations(%d, %d): %v", after, limit, err)
					}
					if len(ls) > limit {
						t.Fatalf("ListLocations(%d, %d): got %d locations, want at most %d", after, limit, len(ls), limit)
					}
					got = append(got, ls...)
					if len(ls) < limit {
						break
					}
					after = ls[len(ls)-1].ID
				}
				sameLocations(t, got, all)
			})
		}
	})

	t.Run("update stores the change at the next version", func(t *testing.T) {
		s := open(t)
		l := newLocation(t, s, "Dojo", 1, 2)
		time.Sleep(2 * time.Millisecond) // so a bumped updated_at differs even on a coarse clock
		var seen game.Location
		u, err := s.UpdateLocation(t.Context(), l.ID, func(cur *game.Location) error {
			seen = *cur
			cur.Name, cur.MinGold, cur.MaxGold, cur.Description = "Temple", -5, 5, "Quiet."
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateLocation: %v", err)
		}
		sameLocation(t, seen, l)
		want := l
		want.Name, want.MinGold, want.MaxGold, want.Description, want.Version = "Temple", -5, 5, "Quiet.", 2
		want.UpdatedAt = u.UpdatedAt
		sameLocation(t, u, want)
		if !u.UpdatedAt.After(l.UpdatedAt) {
			t.Errorf("got updated_at %v, want after %v", u.UpdatedAt, l.UpdatedAt)
		}
		stored, err := s.GetLocation(t.Context(), l.ID)
		if err != nil {
			t.Fatalf("GetLocation: %v", err)
		}
		sameLocation(t, stored, u)

		u3, err := s.UpdateLocation(t.Context(), l.ID, func(cur *game.Location) error { cur.MaxGold = 6; return nil })
		if err != nil {
			t.Fatalf("second UpdateLocation: %v", err)
		}
		if u3.Version != 3 {
			t.Errorf("got version %d after two updates, want 3", u3.Version)
		}
	})

	t.Run("an update that changes nothing writes nothing", func(t *testing.T) {
		s := open(t)
		l := newLocation(t, s, "Dojo", 1, 2)
		time.Sleep(2 * time.Millisecond) // so a bumped updated_at would differ
		for _, update := range []func(*game.Location) error{
			func(*game.Location) error { return nil },
			func(cur *game.Location) error { cur.Name, cur.MinGold, cur.MaxGold = "Dojo", 1, 2; return nil },
			// The store's own fields are not the update's to set.
			func(cur *game.Location) error {
				cur.ID, cur.Version, cur.CreatedAt, cur.UpdatedAt = 42, 9, time.Time{}, time.Time{}
				return nil
			},
		} {
			u, err := s.UpdateLocation(t.Context(), l.ID, update)
			if err != nil {
				t.Fatalf("UpdateLocation: %v", err)
			}
			sameLocation(t, u, l)
		}
		stored, err := s.GetLocation(t.Context(), l.ID)
		if err != nil {
			t.Fatalf("GetLocation: %v", err)
		}
		sameLocation(t, stored, l)
	})

	t.Run("an update that fails writes nothing and returns its error", func(t *testing.T) {
		s := open(t)
		l := newLocation(t, s, "Dojo", 1, 2)
		_, err := s.UpdateLocation(t.Context(), l.ID, func(cur *game.Location) error {
			cur.Name, cur.MaxGold = "Changed", 99
			return errRefused
		})
		if err != errRefused {
			t.Fatalf("got error %v, want the callback's error %v unchanged", err, errRefused)
		}
		stored, err := s.GetLocation(t.Context(), l.ID)
		if err != nil {
			t.Fatalf("GetLocation: %v", err)
		}
		sameLocation(t, stored, l)
	})

	t.Run("an update that panics panics in the caller, writes nothing, and the store goes on", func(t *testing.T) {
		s := open(t)
		l := newLocation(t, s, "Dojo", 1, 2)
		got := func() (v any) {
			defer func() { v = recover() }()
			_, _ = s.UpdateLocation(t.Context(), l.ID, func(cur *game.Location) error {
				cur.Name = "Changed"
				panic("a bug in update")
			})
			return nil
		}()
		if got != "a bug in update" {
			t.Fatalf("recovered %v in the caller, want the update's panic", got)
		}
		stored, err := s.GetLocation(t.Context(), l.ID)
		if err != nil {
			t.Fatalf("GetLocation: %v", err)
		}
		sameLocation(t, stored, l)
		u, err := s.UpdateLocation(t.Context(), l.ID, func(cur *game.Location) error {
			cur.Name = "Changed"
			return nil
		})
		if err != nil || u.Name != "Changed" {
			t.Fatalf("the next update: got %+v, %v; want it written", u, err)
		}
	})

	t.Run("an update of an unknown id is not found and does not call update", func(t *testing.T) {
		s := open(t)
		_, err := s.UpdateLocation(t.Context(), 1<<40, func(cur *game.Location) error {
			t.Errorf("update called with %+v, want no call", *cur)
			return nil
		})
		wantCode(t, err, game.ENOTFOUND)
	})

	t.Run("a delete that check refuses deletes nothing and returns its error", func(t *testing.T) {
		s := open(t)
		l := newLocation(t, s, "Dojo", 1, 2)
		var seen game.Location
		err := s.DeleteLocation(t.Context(), l.ID, func(cur game.Location) error {
			seen = cur
			return errRefused
		})
		if err != errRefused {
			t.Fatalf("got error %v, want the check's error %v unchanged", err, errRefused)
		}
		sameLocation(t, seen, l)
		stored, err := s.GetLocation(t.Context(), l.ID)
		if err != nil {
			t.Fatalf("GetLocation after a refused delete: %v", err)
		}
		sameLocation(t, stored, l)
	})

	t.Run("a deleted location is not found", func(t *testing.T) {
		s := open(t)
		l := newLocation(t, s, "Dojo", 1, 2)
		if err := s.DeleteLocation(t.Context(), l.ID, func(game.Location) error { return nil }); err != nil {
			t.Fatalf("DeleteLocation: %v", err)
		}
		_, err := s.GetLocation(t.Context(), l.ID)
		wantCode(t, err, game.ENOTFOUND)
		ls, err := s.ListLocations(t.Context(), 0, 100)
		if err != nil {
			t.Fatalf("ListLocations: %v", err)
		}
		for _, got := range ls {
			if got.ID == l.ID {
				t.Errorf("ListLocations still holds deleted location %d", l.ID)
			}
		}
		err = s.DeleteLocation(t.Context(), l.ID, func(game.Location) error { return nil })
		wantCode(t, err, game.ENOTFOUND)
	})

	t.Run("a delete of an unknown id is not found and does not call check", func(t *testing.T) {
		s := open(t)
		err := s.DeleteLocation(t.Context(), 1<<40, func(cur game.Location) error {
			t.Errorf("check called with %+v, want no call", cur)
			return nil
		})
		wantCode(t, err, game.ENOTFOUND)
	})

	t.Run("names are unique: a create or an update to a name taken is refused and writes nothing", func(t *testing.T) {
		s := open(t)
		newLocation(t, s, "Dojo", 1, 2)
		temple := newLocation(t, s, "Temple", 3, 4)
		before, err := s.ListLocations(t.Context(), 0, 100)
		if err != nil {
			t.Fatalf("ListLocations: %v", err)
		}
		for _, name := range []string{"Farm", "Dojo", "Temple"} { // seeded, created, created last
			_, err := s.CreateLocation(t.Context(), game.LocationFields{Name: name, MinGold: 1, MaxGold: 2})
			wantNameTaken(t, err)
		}
		for _, update := range []func(*game.Location) error{
			func(cur *game.Location) error { cur.Name = "Dojo"; return nil },
			func(cur *game.Location) error { cur.Name, cur.MaxGold, cur.Description = "Farm", 99, "x"; return nil },
		} {
			_, err := s.UpdateLocation(t.Context(), temple.ID, update)
			wantNameTaken(t, err)
		}
		after, err := s.ListLocations(t.Context(), 0, 100)
		if err != nil {
			t.Fatalf("ListLocations: %v", err)
		}
		sameLocations(t, after, before)
	})

	t.Run("a name differing in case, or freed by a rename or a delete, may be taken", func(t *testing.T) {
		s := open(t)
		newLocation(t, s, "farm", 1, 2)
		newLocation(t, s, "FARM", 1, 2)
		dojo := newLocation(t, s, "Dojo", 1, 2)
		// A location keeps its own name in an update of its other fields.
		if _, err := s.UpdateLocation(t.Context(), dojo.ID, func(cur *game.Location) error { cur.Name, cur.MaxGold = "Dojo", 9; return nil }); err != nil {
			t.Fatalf("UpdateLocation keeping the name: %v", err)
		}
		if _, err := s.UpdateLocation(t.Context(), dojo.ID, func(cur *game.Location) error { cur.Name = "Old Dojo"; return nil }); err != nil {
			t.Fatalf("UpdateLocation renaming: %v", err)
		}
		newLocation(t, s, "Dojo", 1, 2)
		if err := s.DeleteLocation(t.Context(), dojo.ID, func(game.Location) error { return nil }); err != nil {
			t.Fatalf("DeleteLocation: %v", err)
		}
		newLocation(t, s, "Old Dojo", 1, 2)
	})
}

// wantNameTaken fails t unless err is game.LocationNameTaken's.
func wantNameTaken(t *testing.T, err error) {
	t.Helper()
	wantCode(t, err, game.EINVALID)
	var ge *game.Error
	if !errors.As(err, &ge) || !maps.Equal(ge.Fields, game.LocationNameTaken().Fields) {
		t.Errorf("got error %v, want the fields of %v", err, game.LocationNameTaken())
	}
}
