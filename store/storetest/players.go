package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ninjagold/ninjagold-api/game"
)

func testPlayers(t *testing.T, open Opener) {
	t.Run("create stores a player with no gold", func(t *testing.T) {
		s := open(t)
		p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Shadow", TokenHash: tokenHash(t)})
		if err != nil {
			t.Fatalf("CreatePlayer: %v", err)
		}
		if p.ID <= 0 || p.FirstName != "Kira" || p.LastName != "Shadow" || p.Gold != 0 || p.CreatedAt.IsZero() {
			t.Errorf("got %+v, want a positive id, Kira Shadow, 0 gold and a creation time", p)
		}
		stored, err := s.GetPlayer(t.Context(), p.ID)
		if err != nil {
			t.Fatalf("GetPlayer: %v", err)
		}
		samePlayer(t, stored, p)
	})

	t.Run("an unknown id is not found", func(t *testing.T) {
		s := open(t)
		for _, id := range []int64{0, -1, 1 << 40} {
			_, err := s.GetPlayer(t.Context(), id)
			wantCode(t, err, game.ENOTFOUND)
		}
	})

	t.Run("a token hash names its player", func(t *testing.T) {
		s := open(t)
		hashes := [][]byte{tokenHash(t), tokenHash(t)}
		for i, h := range hashes {
			p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: fmt.Sprint("P", i), LastName: "N", TokenHash: h})
			if err != nil {
				t.Fatalf("CreatePlayer: %v", err)
			}
			got, err := s.PlayerIDByTokenHash(t.Context(), h)
			if err != nil || got != p.ID {
				t.Errorf("PlayerIDByTokenHash: got %d, %v; want %d, nil", got, err, p.ID)
			}
		}
	})

	t.Run("an unknown token hash is unauthorized", func(t *testing.T) {
		s := open(t)
		newPlayer(t, s, "Kira")
		for _, h := range [][]byte{tokenHash(t), {}, nil} {
			_, err := s.PlayerIDByTokenHash(t.Context(), h)
			wantCode(t, err, game.EUNAUTHORIZED)
		}
	})

	t.Run("a second player with the same token hash is refused", func(t *testing.T) {
		s := open(t)
		h := tokenHash(t)
		first, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "A", LastName: "N", TokenHash: h})
		if err != nil {
			t.Fatalf("CreatePlayer: %v", err)
		}
		if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "B", LastName: "N", TokenHash: h}); err == nil {
			t.Fatal("second CreatePlayer with the same hash: got nil error, want an error")
		}
		if got, err := s.PlayerIDByTokenHash(t.Context(), h); err != nil || got != first.ID {
			t.Errorf("PlayerIDByTokenHash: got %d, %v; want %d, nil", got, err, first.ID)
		}
		all, err := s.ListPlayers(t.Context(), game.PlayerPage{Sort: game.ByCreatedAtAsc, Limit: 10})
		if err != nil || len(all) != 1 {
			t.Errorf("ListPlayers: got %d players, %v; want 1, nil", len(all), err)
		}
	})
}

func testListPlayers(t *testing.T, open Opener) {
	s := open(t)
	// Three players tie at 30 and two at -5, so pages of every size end
	// inside a tie somewhere.
	var players []game.Player
	loc := firstLocation(t, s)
	for i, gold := range []int32{30, -5, 30, 0, 12, -5, 30} {
		p := newPlayer(t, s, fmt.Sprint("Player", i))
		visit(t, s, p.ID, loc.ID, gold)
		p.Gold = int64(gold)
		players = append(players, p)
	}
	sorts := []struct {
		sort game.PlayerSort
		cmp  func(a, b game.Player) int
	}{
		{game.ByGoldDesc, func(a, b game.Player) int { return cmp.Or(cmp.Compare(b.Gold, a.Gold), cmp.Compare(a.ID, b.ID)) }},
		{game.ByGoldAsc, func(a, b game.Player) int { return cmp.Or(cmp.Compare(a.Gold, b.Gold), cmp.Compare(a.ID, b.ID)) }},
		{game.ByCreatedAtDesc, func(a, b game.Player) int { return cmp.Compare(b.ID, a.ID) }},
		{game.ByCreatedAtAsc, func(a, b game.Player) int { return cmp.Compare(a.ID, b.ID) }},
	}
	for _, sc := range sorts {
		want := slices.SortedFunc(slices.Values(players), sc.cmp)
		for _, limit := range []int{1, 2, 3, 7, 8} {
			t.Run(fmt.Sprintf("sort %s by pages of %d lists every player once in order", sc.sort, limit), func(t *testing.T) {
				got := listAllPlayers(t, s, sc.sort, limit)
				if len(got) != len(want) {
					t.Fatalf("got %d players %v, want %d %v", len(got), playerIDs(got), len(want), playerIDs(want))
				}
				for i := range want {
					samePlayer(t, got[i], want[i])
				}
			})
		}
	}
}

// listAllPlayers pages through the player list limit at a time, continuing
// from the last player of each page as the api does.
func listAllPlayers(t *testing.T, s game.Store, sort game.PlayerSort, limit int) []game.Player {
	t.Helper()
	var all []game.Player
	var after *game.PlayerKey
	for page := 0; ; page++ {
		if page > 100 {
			t.Fatal("more than 100 pages")
		}
		ps, err := s.ListPlayers(t.Context(), game.PlayerPage{Sort: sort, After: after, Limit: limit})
		if err != nil {
			t.Fatalf("ListPlayers(%s, after %+v, limit %d): %v", sort, after, limit, err)
		}
		if len(ps) > limit {
			t.Fatalf("ListPlayers: got %d players, want at most %d", len(ps), limit)
		}
		all = append(all, ps...)
		if len(ps) < limit {
			return all
		}
		last := ps[len(ps)-1]
		after = &game.PlayerKey{ID: last.ID}
		if sort == game.ByGoldDesc || sort == game.ByGoldAsc {
			after.Gold = last.Gold
		}
	}
}

func playerIDs(ps []game.Player) []int64 {
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

func testDeletePlayer(t *testing.T, open Opener) {
	t.Run("delete removes the player with their visits and keys", func(t *testing.T) {
		s := open(t)
		loc := firstLocation(t, s)
		h := tokenHash(t)
		gone, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Gone", LastName: "N", TokenHash: h})
		if err != nil {
			t.Fatalf("CreatePlayer: %v", err)
		}
		kept := newPlayer(t, s, "Kept")
		keyed, _, err := s.CreateVisit(t.Context(), game.VisitRequest{
			PlayerID: gone.ID, LocationID: loc.ID, IdempotencyKey: "k1", RequestHash: []byte("h"), Roll: fixed(7),
		})
		if err != nil {
			t.Fatalf("CreateVisit: %v", err)
		}
		visit(t, s, gone.ID, loc.ID, 3)
		visit(t, s, kept.ID, loc.ID, 5)
		keptVisits := visits(t, s, kept.ID)

		if err := s.DeletePlayer(t.Context(), gone.ID, h); err != nil {
			t.Fatalf("DeletePlayer with the player's token: %v", err)
		}

		_, err = s.GetPlayer(t.Context(), gone.ID)
		wantCode(t, err, game.ENOTFOUND)
		_, err = s.PlayerIDByTokenHash(t.Context(), h)
		wantCode(t, err, game.EUNAUTHORIZED)
		_, err = s.ListVisits(t.Context(), gone.ID, 0, 10)
		wantCode(t, err, game.ENOTFOUND)
		_, err = s.GetVisit(t.Context(), gone.ID, keyed.ID)
		wantCode(t, err, game.ENOTFOUND)
		_, _, err = s.CreateVisit(t.Context(), game.VisitRequest{
			PlayerID: gone.ID, LocationID: loc.ID, IdempotencyKey: "k1", RequestHash: []byte("h"), Roll: fixed(7),
		})
		wantCode(t, err, game.ENOTFOUND)
		all := listAllPlayers(t, s, game.ByCreatedAtAsc, 10)
		if len(all) != 1 || all[0].ID != kept.ID {
			t.Errorf("got players %v after the delete, want [%d]", playerIDs(all), kept.ID)
		}
		// The token hash is free again.
		if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "New", LastName: "N", TokenHash: h}); err != nil {
			t.Errorf("CreatePlayer with the deleted player's hash: %v", err)
		}
		// Nobody else lost anything.
		if got := playerGold(t, s, kept.ID); got != 5 {
			t.Errorf("other player's gold: got %d, want 5", got)
		}
		sameVisits(t, visits(t, s, kept.ID), keptVisits)
	})

	t.Run("delete of an unknown player is not found", func(t *testing.T) {
		s := open(t)
		p := newPlayer(t, s, "Once")
		if err := s.DeletePlayer(t.Context(), p.ID, nil); err != nil {
			t.Fatalf("DeletePlayer: %v", err)
		}
		for _, id := range []int64{p.ID, 1 << 40} {
			wantCode(t, s.DeletePlayer(t.Context(), id, nil), game.ENOTFOUND)
			wantCode(t, s.DeletePlayer(t.Context(), id, tokenHash(t)), game.ENOTFOUND)
		}
	})

	t.Run("a token that is not the player's deletes nothing", func(t *testing.T) {
		s := open(t)
		old, current, other := tokenHash(t), tokenHash(t), tokenHash(t)
		p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kept", LastName: "N", TokenHash: old})
		if err != nil {
			t.Fatalf("CreatePlayer: %v", err)
		}
		if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Other", LastName: "N", TokenHash: other}); err != nil {
			t.Fatalf("CreatePlayer: %v", err)
		}
		if _, err := s.ReplaceToken(t.Context(), p.ID, old, current); err != nil {
			t.Fatalf("ReplaceToken: %v", err)
		}
		for name, token := range map[string][]byte{"the replaced token": old, "another player's token": other} {
			if err := s.DeletePlayer(t.Context(), p.ID, token); !errors.Is(err, game.ErrUnknownToken) {
				t.Errorf("DeletePlayer with %s: %v, want ErrUnknownToken", name, err)
			}
			if id, err := s.PlayerIDByTokenHash(t.Context(), current); err != nil || id != p.ID {
				t.Fatalf("after DeletePlayer with %s: the player's token finds %d, %v; want %d", name, id, err, p.ID)
			}
		}
		if err := s.DeletePlayer(t.Context(), p.ID, current); err != nil {
			t.Errorf("DeletePlayer with the current token: %v", err)
		}
	})

	// A replacement and a delete sent at once with one token: one of them
	// wins, never both (a delete with a retired token, or a new token
	// issued to a player then deleted by the old one).
	t.Run("a replacement and a delete at once with one token: one wins", func(t *testing.T) {
		s := open(t)
		for range 10 {
			h := tokenHash(t)
			p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Race", LastName: "N", TokenHash: h})
			if err != nil {
				t.Fatalf("CreatePlayer: %v", err)
			}
			var replaceErr, deleteErr error
			var wg sync.WaitGroup
			next := tokenHash(t)
			wg.Go(func() { _, replaceErr = s.ReplaceToken(t.Context(), p.ID, h, next) })
			wg.Go(func() { deleteErr = s.DeletePlayer(t.Context(), p.ID, h) })
			wg.Wait()
			switch {
			case replaceErr == nil && deleteErr == nil:
				t.Fatalf("both won")
			case replaceErr == nil:
				if !errors.Is(deleteErr, game.ErrUnknownToken) {
					t.Fatalf("the replacement won; the delete: %v, want ErrUnknownToken", deleteErr)
				}
			case deleteErr == nil:
				wantCode(t, replaceErr, game.ENOTFOUND)
			default:
				t.Fatalf("neither won: replace %v, delete %v", replaceErr, deleteErr)
			}
		}
	})
}

// PlayerPagesReadOneSnapshot checks that a page of players read in more
// than one query reads one snapshot: with players swapping golds all the
// while (from another connection, as another process or instance may),
// every page holds each player once, in order, full, and least gold first
// from the start of the board the golds it should. Read apart, a player
// could be read at its old gold by one query and at its new one by the
// next. Gold changes only by visits through game.Store, one player at a
// time, so the store's own test gives setGold, which sets the golds of the
// players it names in one transaction of its own.
func PlayerPagesReadOneSnapshot(t *testing.T, s game.Store, setGold func(ctx context.Context, gold map[int64]int64) error) {
	const players = 200
	gold := make(map[int64]int64, players) // the swapper's alone once it starts
	var ids, golds []int64
	for i := range players {
		p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: fmt.Append(nil, "snapshot", i)})
		if err != nil {
			t.Fatal(err)
		}
		gold[p.ID] = p.ID % 10 // twenty players a gold: ties pages end in
		ids = append(ids, p.ID)
		golds = append(golds, p.ID%10)
	}
	slices.Sort(golds)
	if err := setGold(t.Context(), gold); err != nil {
		t.Fatal(err)
	}

	stop := make(chan struct{})
	swapped := make(chan error, 1)
	var swaps atomic.Int64
	go func() {
		rng := rand.New(rand.NewPCG(1, 2))
		for {
			select {
			case <-stop:
				swapped <- nil
				return
			default:
			}
			a, b := ids[rng.IntN(players)], ids[rng.IntN(players)]
			if err := setGold(context.Background(), map[int64]int64{a: gold[b], b: gold[a]}); err != nil {
				swapped <- err
				return
			}
			gold[a], gold[b] = gold[b], gold[a]
			swaps.Add(1)
		}
	}()

	before := func(sort game.PlayerSort, a, b game.Player) bool {
		if a.Gold == b.Gold {
			return a.ID < b.ID
		}
		return (a.Gold < b.Gold) == (sort == game.ByGoldAsc)
	}
	// After a cursor, a page reads the cursor's gold, then the players past
	// it: 100 players or more either way.
	cursor := &game.PlayerKey{Gold: 5, ID: 0}
	fail := func(format string, args ...any) {
		close(stop)
		if err := <-swapped; err != nil {
			t.Errorf("swapping golds: %v", err) // which may be why
		}
		t.Fatalf(format, args...)
	}
	for i := range 1000 {
		limit := 1 + i%100
		for _, page := range []game.PlayerPage{
			{Sort: game.ByGoldAsc, Limit: limit},
			{Sort: game.ByGoldAsc, Limit: limit, After: cursor},
			{Sort: game.ByGoldDesc, Limit: limit, After: cursor},
		} {
			ps, err := s.ListPlayers(t.Context(), page)
			if err != nil {
				fail("page %d, %+v: %v", i, page, err)
			}
			if len(ps) != limit {
				fail("page %d, %+v: %d players, want %d", i, page, len(ps), limit)
			}
			prev := game.Player{Gold: cursor.Gold, ID: cursor.ID}
			seen := make(map[int64]bool, len(ps))
			for j, p := range ps {
				if seen[p.ID] {
					fail("page %d, %+v: player %d twice", i, page, p.ID)
				}
				seen[p.ID] = true
				if (page.After != nil || j > 0) && !before(page.Sort, prev, p) {
					fail("page %d, %+v: player %d (gold %d) after %d (gold %d), out of order", i, page, p.ID, p.Gold, prev.ID, prev.Gold)
				}
				if page.After == nil && p.Gold != golds[j] {
					fail("page %d, %+v: player %d of the board has gold %d, want %d", i, page, j, p.Gold, golds[j])
				}
				prev = p
			}
		}
	}
	close(stop)
	if err := <-swapped; err != nil {
		t.Fatal(err)
	}
	if n := swaps.Load(); n < 100 {
		t.Fatalf("%d swaps while the pages were read, want 100 or more", n)
	}
}
