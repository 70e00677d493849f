package storetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/ninjagold/ninjagold-api/game"
)

// testVisitTokens checks VisitRequest.TokenHash: which error a token that is
// not the player's gets, in which order, and that it changes nothing.
func testVisitTokens(t *testing.T, open Opener) {
	w := newTokenWorld(t, open)
	s, a, b, loc, keyed := w.s, w.a, w.b, w.loc, w.keyed
	hashA, hashB, unknown := w.hashA, w.hashB, w.unknown
	beforeA, beforeB := visits(t, s, a.ID), visits(t, s, b.ID)
	const nobody, nowhere = 1 << 40, 1 << 41

	for _, c := range []struct {
		name       string
		player     int64
		location   int64
		key, hash  string
		token      []byte
		want       game.Code
		wantErrVar error
	}{
		{"a token of no player", a.ID, loc.ID, "", "", unknown, game.EUNAUTHORIZED, game.ErrUnknownToken},
		{"an empty token hash", a.ID, loc.ID, "", "", []byte{}, game.EUNAUTHORIZED, game.ErrUnknownToken},
		{"another player's token", a.ID, loc.ID, "", "", hashB, game.EFORBIDDEN, game.ErrForeignToken},
		{"another player's token for an unknown player", nobody, loc.ID, "", "", hashB, game.ENOTFOUND, nil},
		{"a token of no player for an unknown player", nobody, loc.ID, "", "", unknown, game.EUNAUTHORIZED, game.ErrUnknownToken},
		{"another player's token with the key it would replay", a.ID, loc.ID, "k", "h", hashB, game.EFORBIDDEN, game.ErrForeignToken},
		{"another player's token with the key it would conflict on", a.ID, loc.ID, "k", "other", hashB, game.EFORBIDDEN, game.ErrForeignToken},
		{"another player's token with a new key", a.ID, loc.ID, "new", "h", hashB, game.EFORBIDDEN, game.ErrForeignToken},
		{"a token of no player with a new key", a.ID, loc.ID, "new", "h", unknown, game.EUNAUTHORIZED, game.ErrUnknownToken},
		{"another player's token to an unknown location", a.ID, nowhere, "", "", hashB, game.EFORBIDDEN, game.ErrForeignToken},
		{"a token of no player to an unknown location", a.ID, nowhere, "", "", unknown, game.EUNAUTHORIZED, game.ErrUnknownToken},
		{"another player's token for an unknown player and location", nobody, nowhere, "", "", hashB, game.ENOTFOUND, nil},
		{"the player's token to an unknown location", a.ID, nowhere, "", "", hashA, game.EINVALID, nil},
		{"the player's token with the key used for another request", a.ID, loc.ID, "k", "other", hashA, game.EKEYREUSED, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := game.VisitRequest{PlayerID: c.player, LocationID: c.location, TokenHash: c.token, Roll: fixed(99)}
			if c.key != "" {
				req.IdempotencyKey, req.RequestHash = c.key, []byte(c.hash)
			}
			v, replayed, err := s.CreateVisit(t.Context(), req)
			if replayed || v != (game.Visit{}) {
				t.Errorf("got visit %+v, replayed %v; want none", v, replayed)
			}
			wantCode(t, err, c.want)
			if c.wantErrVar != nil && !errors.Is(err, c.wantErrVar) {
				t.Errorf("got error %v, want %v", err, c.wantErrVar)
			}
			// The same message as a lookup of the unknown player gives.
			if c.want == game.ENOTFOUND {
				_, lookup := s.GetPlayer(t.Context(), c.player)
				if got, want := game.ErrorMessage(err), game.ErrorMessage(lookup); got != want {
					t.Errorf("got message %q, want %q", got, want)
				}
			}
			if ga, gb := playerGold(t, s, a.ID), playerGold(t, s, b.ID); ga != 10 || gb != 0 {
				t.Errorf("gold: got %d and %d, want 10 and 0", ga, gb)
			}
			sameVisits(t, visits(t, s, a.ID), beforeA)
			sameVisits(t, visits(t, s, b.ID), beforeB)
		})
	}

	t.Run("the player's own token visits and replays", func(t *testing.T) {
		again, replayed, err := s.CreateVisit(t.Context(), game.VisitRequest{
			PlayerID: a.ID, LocationID: loc.ID, IdempotencyKey: "k", RequestHash: []byte("h"), TokenHash: hashA, Roll: noRoll(t),
		})
		if err != nil || !replayed {
			t.Fatalf("replay with A's token: got replayed %v, %v; want true, nil", replayed, err)
		}
		sameVisit(t, again, keyed)
		// The refused requests did not spend the key "new".
		v, replayed, err := s.CreateVisit(t.Context(), game.VisitRequest{
			PlayerID: a.ID, LocationID: loc.ID, IdempotencyKey: "new", RequestHash: []byte("h"), TokenHash: hashA, Roll: fixed(5),
		})
		if err != nil || replayed || v.Balance != 15 || v.PlayerID != a.ID {
			t.Errorf("new key with A's token: got %+v, replayed %v, %v; want a new visit with balance 15", v, replayed, err)
		}
		if got := playerGold(t, s, a.ID); got != 15 {
			t.Errorf("A's gold: got %d, want 15", got)
		}
	})
}

// testVisitRefuse checks VisitRequest.Refuse: every other refusal comes
// first, a visit that would go through (or replay) returns Refuse itself,
// and nothing is written either way, the key included.
func testVisitRefuse(t *testing.T, open Opener) {
	w := newTokenWorld(t, open)
	s, a, loc := w.s, w.a, w.loc
	hashA, hashB, unknown := w.hashA, w.hashB, w.unknown
	before := visits(t, s, a.ID)
	// Not a *game.Error, which a store would pass on unchanged anyway:
	// Refuse must come back as itself, whatever it is.
	refuse := errors.New("refused")
	const nobody, nowhere = 1 << 40, 1 << 41

	for _, c := range []struct {
		name      string
		player    int64
		location  int64
		key, hash string
		token     []byte
		want      game.Code // "" : Refuse itself
	}{
		{"a visit that would go through", a.ID, loc.ID, "", "", hashA, ""},
		{"a visit that would go through, no token", a.ID, loc.ID, "", "", nil, ""},
		{"a new key", a.ID, loc.ID, "new", "h", hashA, ""},
		{"a replay", a.ID, loc.ID, "k", "h", hashA, ""},
		{"a token of no player", a.ID, loc.ID, "", "", unknown, game.EUNAUTHORIZED},
		{"another player's token", a.ID, loc.ID, "", "", hashB, game.EFORBIDDEN},
		{"an unknown player", nobody, loc.ID, "", "", nil, game.ENOTFOUND},
		{"an unknown location", a.ID, nowhere, "", "", hashA, game.EINVALID},
		{"an unknown location with a new key", a.ID, nowhere, "new", "h", hashA, game.EINVALID},
		{"the key used for another request", a.ID, loc.ID, "k", "other", hashA, game.EKEYREUSED},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := game.VisitRequest{PlayerID: c.player, LocationID: c.location, TokenHash: c.token, Roll: noRoll(t), Refuse: refuse}
			if c.key != "" {
				req.IdempotencyKey, req.RequestHash = c.key, []byte(c.hash)
			}
			v, replayed, err := s.CreateVisit(t.Context(), req)
			if replayed || v != (game.Visit{}) {
				t.Errorf("got visit %+v, replayed %v; want none", v, replayed)
			}
			if c.want == "" {
				if err != refuse {
					t.Errorf("got error %v, want Refuse unchanged", err)
				}
			} else {
				wantCode(t, err, c.want)
			}
			if got := playerGold(t, s, a.ID); got != 10 {
				t.Errorf("gold: got %d, want 10", got)
			}
			sameVisits(t, visits(t, s, a.ID), before)
		})
	}
	t.Run("a refused key is not spent", func(t *testing.T) {
		v, replayed, err := s.CreateVisit(t.Context(), game.VisitRequest{
			PlayerID: a.ID, LocationID: loc.ID, IdempotencyKey: "new", RequestHash: []byte("h2"), TokenHash: hashA, Roll: fixed(5),
		})
		if err != nil || replayed || v.Balance != 15 {
			t.Errorf("got %+v, replayed %v, %v; want a new visit with balance 15", v, replayed, err)
		}
	})
}

// tokenWorld is what testVisitTokens and testVisitRefuse start from: two
// players, A and B, each with a token; A has 10 gold from one visit made
// with the idempotency key "k" and request hash "h", which a request with
// the same key and hash would replay; unknown is the hash of no player's
// token.
type tokenWorld struct {
	s                     game.Store
	hashA, hashB, unknown []byte
	a, b                  game.Player
	loc                   game.Location
	keyed                 game.Visit
}

func newTokenWorld(t *testing.T, open Opener) tokenWorld {
	t.Helper()
	w := tokenWorld{s: open(t), hashA: tokenHash(t), hashB: tokenHash(t), unknown: tokenHash(t)}
	create := func(first string, hash []byte) game.Player {
		t.Helper()
		p, err := w.s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: first, LastName: "Ninja", TokenHash: hash})
		if err != nil {
			t.Fatalf("CreatePlayer(%s): %v", first, err)
		}
		return p
	}
	w.a, w.b = create("A", w.hashA), create("B", w.hashB)
	w.loc = firstLocation(t, w.s)
	var err error
	w.keyed, _, err = w.s.CreateVisit(t.Context(), game.VisitRequest{
		PlayerID: w.a.ID, LocationID: w.loc.ID, IdempotencyKey: "k", RequestHash: []byte("h"), TokenHash: w.hashA, Roll: fixed(10),
	})
	if err != nil {
		t.Fatalf("A's keyed visit with A's token: %v", err)
	}
	return w
}

// testReplaceToken checks ReplaceToken: the new token is the player's and
// the old one nobody's; with old given, a token that is no longer the
// player's changes nothing; an unknown player is ENOTFOUND.
func testReplaceToken(t *testing.T, open Opener) {
	w := newTokenWorld(t, open)
	s, a, b := w.s, w.a, w.b
	owner := func(hash []byte) (int64, error) { return s.PlayerIDByTokenHash(t.Context(), hash) }
	const nobody = 1 << 40

	// With the player's own token: a is A, with A's gold, and only the new
	// token is A's.
	next := tokenHash(t)
	got, err := s.ReplaceToken(t.Context(), a.ID, w.hashA, next)
	if err != nil {
		t.Fatalf("ReplaceToken with A's token: %v", err)
	}
	if got.ID != a.ID || got.FirstName != a.FirstName || got.LastName != a.LastName || got.Gold != 10 || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("got %+v, want A (%+v) with 10 gold", got, a)
	}
	if id, err := owner(next); err != nil || id != a.ID {
		t.Errorf("the new token's owner: %d, %v; want %d", id, err, a.ID)
	}
	if _, err := owner(w.hashA); !errors.Is(err, game.ErrUnknownToken) {
		t.Errorf("the old token's owner: %v, want ErrUnknownToken", err)
	}

	for _, c := range []struct {
		name       string
		player     int64
		old        []byte
		want       game.Code
		wantErrVar error
	}{
		{"the token just replaced", a.ID, w.hashA, game.EUNAUTHORIZED, game.ErrUnknownToken},
		{"another player's token", a.ID, w.hashB, game.EUNAUTHORIZED, game.ErrUnknownToken},
		{"an unknown player", nobody, w.unknown, game.ENOTFOUND, nil},
		{"an unknown player, unconditionally", nobody, nil, game.ENOTFOUND, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			refused := tokenHash(t)
			_, err := s.ReplaceToken(t.Context(), c.player, c.old, refused)
			wantCode(t, err, c.want)
			if c.wantErrVar != nil && !errors.Is(err, c.wantErrVar) {
				t.Errorf("got error %v, want %v", err, c.wantErrVar)
			}
			if _, err := owner(refused); !errors.Is(err, game.ErrUnknownToken) {
				t.Errorf("the refused token has an owner (%v)", err)
			}
			if id, err := owner(next); err != nil || id != a.ID {
				t.Errorf("A's token: %d, %v; want still A's", id, err)
			}
			if id, err := owner(w.hashB); err != nil || id != b.ID {
				t.Errorf("B's token: %d, %v; want still B's", id, err)
			}
		})
	}

	t.Run("many at once with one token: one wins", func(t *testing.T) {
		const n = 8
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for range n {
			hash := tokenHash(t)
			wg.Go(func() {
				_, err := s.ReplaceToken(t.Context(), a.ID, next, hash)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		won := 0
		for err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, game.ErrUnknownToken):
				t.Errorf("a losing replacement: %v, want ErrUnknownToken", err)
			}
		}
		if won != 1 {
			t.Errorf("%d replacements won, want 1", won)
		}
		if _, err := owner(next); !errors.Is(err, game.ErrUnknownToken) {
			t.Errorf("the token replaced at once still has an owner (%v)", err)
		}
	})

	t.Run("unconditionally, as the admin may", func(t *testing.T) {
		again := tokenHash(t)
		if got, err := s.ReplaceToken(t.Context(), b.ID, nil, again); err != nil || got.ID != b.ID {
			t.Fatalf("ReplaceToken(B, nil): %+v, %v", got, err)
		}
		if id, err := owner(again); err != nil || id != b.ID {
			t.Errorf("B's new token: %d, %v; want B's", id, err)
		}
		if _, err := owner(w.hashB); !errors.Is(err, game.ErrUnknownToken) {
			t.Errorf("B's old token: %v, want ErrUnknownToken", err)
		}
		if got := playerGold(t, s, a.ID); got != 10 {
			t.Errorf("A's gold: %d, want 10", got)
		}
	})
}
