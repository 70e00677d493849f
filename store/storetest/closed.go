package storetest

import (
	"context"
	"testing"

	"github.com/ninjagold/ninjagold-api/game"
)

// testClosed holds that a closed store is unavailable, as a database that
// went away is: a 503 the client may retry, not an internal error logged as
// a bug. Every call is made once before Close as well, so that a store that
// prepares its statements on first use has them to close.
func testClosed(t *testing.T, open Opener) {
	s := open(t)
	p := newPlayer(t, s, "Early")
	l := firstLocation(t, s)
	v := visit(t, s, p.ID, l.ID, 1)
	hash := tokenHash(t)
	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"ListLocations", func(ctx context.Context) error { _, err := s.ListLocations(ctx, 0, 10); return err }},
		{"GetLocation", func(ctx context.Context) error { _, err := s.GetLocation(ctx, l.ID); return err }},
		{"CreateLocation", func(ctx context.Context) error {
			_, err := s.CreateLocation(ctx, game.LocationFields{Name: "Dojo", MinGold: 1, MaxGold: 2})
			return err
		}},
		{"UpdateLocation", func(ctx context.Context) error {
			_, err := s.UpdateLocation(ctx, l.ID, func(cur *game.Location) error { cur.MaxGold++; return nil })
			return err
		}},
		{"CreatePlayer", func(ctx context.Context) error {
			_, err := s.CreatePlayer(ctx, game.NewPlayer{FirstName: "Late", LastName: "Comer", TokenHash: tokenHash(t)})
			return err
		}},
		{"GetPlayer", func(ctx context.Context) error { _, err := s.GetPlayer(ctx, p.ID); return err }},
		{"PlayerIDByTokenHash", func(ctx context.Context) error { _, err := s.PlayerIDByTokenHash(ctx, hash); return err }},
		{"ListPlayers by gold", func(ctx context.Context) error {
			_, err := s.ListPlayers(ctx, game.PlayerPage{Sort: game.ByGoldDesc, After: &game.PlayerKey{Gold: 1 << 40, ID: 1}, Limit: 10})
			return err
		}},
		{"ListPlayers least gold first", func(ctx context.Context) error {
			_, err := s.ListPlayers(ctx, game.PlayerPage{Sort: game.ByGoldAsc, Limit: 10})
			return err
		}},
		{"ListPlayers by age", func(ctx context.Context) error {
			_, err := s.ListPlayers(ctx, game.PlayerPage{Sort: game.ByCreatedAtAsc, Limit: 10})
			return err
		}},
		{"ReplaceToken", func(ctx context.Context) error { _, err := s.ReplaceToken(ctx, p.ID, nil, hash); return err }},
		{"CreateVisit", func(ctx context.Context) error {
			_, _, err := s.CreateVisit(ctx, game.VisitRequest{PlayerID: p.ID, LocationID: l.ID, IdempotencyKey: "closed", RequestHash: []byte("closed"), Roll: fixed(1)})
			return err
		}},
		{"GetVisit", func(ctx context.Context) error { _, err := s.GetVisit(ctx, p.ID, v.ID); return err }},
		{"ListVisits", func(ctx context.Context) error { _, err := s.ListVisits(ctx, p.ID, 0, 10); return err }},
		{"DeleteLocation", func(ctx context.Context) error {
			return s.DeleteLocation(ctx, l.ID, func(game.Location) error { return errRefused })
		}},
		{"DeletePlayer", func(ctx context.Context) error { return s.DeletePlayer(ctx, p.ID, []byte("not the token")) }},
	}
	for _, c := range calls {
		if err := c.call(t.Context()); err != nil && err != errRefused && game.ErrorCode(err) == game.EINTERNAL {
			t.Fatalf("%s before Close: %v", c.name, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(t.Context()); game.ErrorCode(err) != game.EUNAVAILABLE {
				t.Errorf("after Close: got %v (code %q), want code %q", err, game.ErrorCode(err), game.EUNAVAILABLE)
			}
		})
	}
	if err := s.Ping(t.Context()); game.ErrorCode(err) != game.EUNAVAILABLE {
		t.Errorf("Ping after Close: got %v (code %q), want code %q", err, game.ErrorCode(err), game.EUNAVAILABLE)
	}
}
