package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
)

func testConcurrency(t *testing.T, open Opener) {
	t.Run("concurrent visits move exactly the gold they report", func(t *testing.T) {
		const n = 64
		s := open(t)
		p := newPlayer(t, s, "Kira")
		loc := firstLocation(t, s)

		got := make([]game.Visit, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				gold := int32(i*37%101 - 50) // -50..50, some negative
				got[i], _, errs[i] = s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: loc.ID, Roll: fixed(gold)})
			})
		}
		close(start)
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("CreateVisit: %v", err)
		}

		var sum int64
		for _, v := range got {
			sum += int64(v.Gold)
		}
		if g := playerGold(t, s, p.ID); g != sum {
			t.Errorf("player gold: got %d, want %d, the sum of the visits", g, sum)
		}
		listed := visits(t, s, p.ID)
		if len(listed) != n {
			t.Fatalf("got %d visits, want %d", len(listed), n)
		}
		// Oldest first, each balance is the running total: no visit saw a
		// balance another one had already moved on.
		slices.Reverse(listed)
		slices.SortFunc(got, func(a, b game.Visit) int { return int(a.ID - b.ID) })
		var balance int64
		for i, v := range listed {
			balance += int64(v.Gold)
			if v.Balance != balance {
				t.Errorf("visit %d (%d of %d): got balance %d, want the running total %d", v.ID, i+1, n, v.Balance, balance)
			}
			sameVisit(t, got[i], v)
		}
	})

	t.Run("players created at once list by created_at in created_at order", func(t *testing.T) {
		const callers, each = 16, 25
		s := open(t)
		errs := make([]error, callers)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				for range each {
					if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: tokenHash(t)}); err != nil {
						errs[i] = err
						return
					}
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("CreatePlayer: %v", err)
		}
		listed := listAllPlayers(t, s, game.ByCreatedAtAsc, 100)
		if len(listed) != callers*each {
			t.Fatalf("listed %d players, want %d", len(listed), callers*each)
		}
		for i := 1; i < len(listed); i++ {
			if a, b := listed[i-1], listed[i]; b.CreatedAt.Before(a.CreatedAt) {
				t.Errorf("player %d (created %v) is listed after player %d (created %v)",
					b.ID, b.CreatedAt.Format(time.RFC3339Nano), a.ID, a.CreatedAt.Format(time.RFC3339Nano))
			}
		}
	})

	t.Run("locations created at once under one name: one is stored, the others refused", func(t *testing.T) {
		const callers = 8
		s := open(t)
		errs := make([]error, callers)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				_, errs[i] = s.CreateLocation(t.Context(), game.LocationFields{Name: "Arena", MinGold: 1, MaxGold: 2})
			})
		}
		wg.Wait()
		created := 0
		for _, err := range errs {
			if err == nil {
				created++
			} else {
				wantNameTaken(t, err)
			}
		}
		ls, err := s.ListLocations(t.Context(), 0, 100)
		if err != nil {
			t.Fatalf("ListLocations: %v", err)
		}
		stored := 0
		for _, l := range ls {
			if l.Name == "Arena" {
				stored++
			}
		}
		if created != 1 || stored != 1 {
			t.Errorf("%d creates succeeded and %d Arenas are stored, want 1 and 1", created, stored)
		}
	})

	// A change to a location acknowledged while a visit to it is under way
	// must be one the visit saw, or wait for the visit: a visit stamped after
	// the change must not pay the old range under the old name, nor be
	// recorded at a location already deleted.
	changes := []struct {
		name   string
		change func(s game.Store, id int64) error
		check  func(t *testing.T, v game.Visit, err error) // the visit, when the change came first
	}{
		{
			name: "an update",
			change: func(s game.Store, id int64) error {
				_, err := s.UpdateLocation(context.Background(), id, func(l *game.Location) error {
					l.Name, l.MinGold, l.MaxGold = "Closed mine", 0, 0
					return nil
				})
				return err
			},
			check: func(t *testing.T, v game.Visit, err error) {
				if err != nil || v.LocationName != "Closed mine" || v.Gold != 0 {
					t.Errorf("got visit %+v, error %v; want 0 gold at the Closed mine", v, err)
				}
			},
		},
		{
			name: "a delete",
			change: func(s game.Store, id int64) error {
				return s.DeleteLocation(context.Background(), id, func(game.Location) error { return nil })
			},
			check: func(t *testing.T, v game.Visit, err error) {
				if game.ErrorCode(err) != game.EINVALID {
					t.Errorf("got visit %+v, error %v; want the location refused as gone", v, err)
				}
			},
		},
	}
	for _, c := range changes {
		t.Run(c.name+" of a location waits for a visit that has read it, or the visit sees it", func(t *testing.T) {
			s := open(t)
			p := newPlayer(t, s, "Kira")
			loc, err := s.CreateLocation(t.Context(), game.LocationFields{Name: "Mine", MinGold: 100, MaxGold: 100})
			if err != nil {
				t.Fatal(err)
			}
			m := midVisit{window: ackWindow(t, s)}
			v, _, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: loc.ID,
				Roll: m.roll(t, func() error { return c.change(s, loc.ID) }, func(l game.Location) game.Outcome {
					return game.Outcome{Gold: l.MaxGold, Message: game.Message(l.Name, l.MaxGold)}
				})})
			if !m.acknowledged {
				m.after(t)
				if err != nil || v.LocationName != "Mine" || v.Gold != 100 {
					t.Errorf("got visit %+v, error %v; want 100 gold at the Mine, the visit having come first", v, err)
				}
				return
			}
			c.check(t, v, err)
		})
	}

	// Likewise a change to the player's token acknowledged while a visit
	// made with that token is under way: the visit must wait for it and be
	// refused, or the change must wait for the visit. A visit recorded after
	// its token's replacement or its player's deletion was acknowledged
	// would be one the token's holder can no longer have asked for.
	replacement := tokenHash(t) // made here: the change runs off the test's goroutine
	tokenChanges := []struct {
		name    string
		change  func(s game.Store, id int64, token []byte) error
		deletes bool // the player, so nothing is left to look at
	}{
		{
			name: "a token replacement",
			change: func(s game.Store, id int64, token []byte) error {
				_, err := s.ReplaceToken(context.Background(), id, token, replacement)
				return err
			},
		},
		{
			name:    "a player's deletion",
			deletes: true,
			change: func(s game.Store, id int64, token []byte) error {
				return s.DeletePlayer(context.Background(), id, token)
			},
		},
	}
	for _, c := range tokenChanges {
		t.Run(c.name+" waits for a visit made with the token, or the visit is refused", func(t *testing.T) {
			s := open(t)
			hash := tokenHash(t)
			p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Ninja", TokenHash: hash})
			if err != nil {
				t.Fatal(err)
			}
			loc := firstLocation(t, s)
			m := midVisit{window: ackWindow(t, s)}
			v, _, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: loc.ID, TokenHash: hash,
				Roll: m.roll(t, func() error { return c.change(s, p.ID, hash) }, fixed(7))})
			if !m.acknowledged {
				m.after(t)
				if err != nil || v.Gold != 7 {
					t.Errorf("got visit %+v, error %v; want 7 gold, the visit having come first", v, err)
				}
				// And the change, coming second, took: the token is gone.
				_, _, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: loc.ID, TokenHash: hash, Roll: fixed(1)})
				if !errors.Is(err, game.ErrUnknownToken) {
					t.Errorf("a visit with the token after the change: %v, want ErrUnknownToken", err)
				}
				return
			}
			if !errors.Is(err, game.ErrUnknownToken) {
				t.Errorf("got visit %+v, error %v; want ErrUnknownToken, the token having gone first", v, err)
			}
			if !c.deletes {
				if got := len(visits(t, s, p.ID)); got != 0 {
					t.Errorf("got %d visits recorded, want none", got)
				}
				if g := playerGold(t, s, p.ID); g != 0 {
					t.Errorf("player gold: got %d, want 0", g)
				}
			}
		})
	}

	t.Run("concurrent requests with one key record one visit", func(t *testing.T) {
		const n = 32
		s := open(t)
		p := newPlayer(t, s, "Kira")
		loc := firstLocation(t, s)

		type result struct {
			v        game.Visit
			replayed bool
			err      error
		}
		results := make([]result, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				var r result
				r.v, r.replayed, r.err = s.CreateVisit(t.Context(), game.VisitRequest{
					PlayerID: p.ID, LocationID: loc.ID, IdempotencyKey: "once", RequestHash: []byte("h"),
					Roll: fixed(int32(i + 1)),
				})
				results[i] = r
			})
		}
		close(start)
		wg.Wait()

		var fresh int
		for i, r := range results {
			if r.err != nil {
				t.Fatalf("CreateVisit %d: %v", i, r.err)
			}
			if r.v.ID != results[0].v.ID {
				t.Errorf("CreateVisit %d: got visit %d, want %d like the first", i, r.v.ID, results[0].v.ID)
			}
			if !r.replayed {
				fresh++
			}
		}
		if fresh != 1 {
			t.Errorf("got %d calls not replayed, want exactly 1", fresh)
		}
		listed := visits(t, s, p.ID)
		if len(listed) != 1 {
			t.Fatalf("got %d visits, want 1", len(listed))
		}
		sameVisit(t, listed[0], results[0].v)
		if g := playerGold(t, s, p.ID); g != int64(listed[0].Gold) {
			t.Errorf("player gold: got %d, want %d, moved once", g, listed[0].Gold)
		}
	})
}

func testCancellation(t *testing.T, open Opener) {
	s := open(t)
	hash := tokenHash(t)
	p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Ninja", TokenHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	loc := firstLocation(t, s)
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()

	cases := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"ListLocations", func(ctx context.Context) error { _, err := s.ListLocations(ctx, 0, 10); return err }},
		{"GetLocation", func(ctx context.Context) error { _, err := s.GetLocation(ctx, loc.ID); return err }},
		{"GetPlayer", func(ctx context.Context) error { _, err := s.GetPlayer(ctx, p.ID); return err }},
		{"ListVisits", func(ctx context.Context) error { _, err := s.ListVisits(ctx, p.ID, 0, 10); return err }},
		{"UpdateLocation", func(ctx context.Context) error {
			_, err := s.UpdateLocation(ctx, loc.ID, func(l *game.Location) error { l.Name = "Changed"; return nil })
			return err
		}},
		{"CreateVisit", func(ctx context.Context) error {
			_, _, err := s.CreateVisit(ctx, game.VisitRequest{PlayerID: p.ID, LocationID: loc.ID, Roll: fixed(5)})
			return err
		}},
		{"GetVisit", func(ctx context.Context) error { _, err := s.GetVisit(ctx, p.ID, 1); return err }},
		{"ListPlayers", func(ctx context.Context) error {
			_, err := s.ListPlayers(ctx, game.PlayerPage{Sort: game.ByGoldDesc, Limit: 10})
			return err
		}},
		{"PlayerIDByTokenHash", func(ctx context.Context) error { _, err := s.PlayerIDByTokenHash(ctx, tokenHash(t)); return err }},
		{"CreateLocation", func(ctx context.Context) error {
			_, err := s.CreateLocation(ctx, game.LocationFields{Name: "Dojo", MinGold: 1, MaxGold: 2, Description: "Never made."})
			return err
		}},
		{"DeleteLocation", func(ctx context.Context) error {
			return s.DeleteLocation(ctx, loc.ID, func(game.Location) error { return nil })
		}},
		{"CreatePlayer", func(ctx context.Context) error {
			_, err := s.CreatePlayer(ctx, game.NewPlayer{FirstName: "Never", LastName: "Made", TokenHash: tokenHash(t)})
			return err
		}},
		{"ReplaceToken", func(ctx context.Context) error { _, err := s.ReplaceToken(ctx, p.ID, nil, tokenHash(t)); return err }},
		{"DeletePlayer", func(ctx context.Context) error { return s.DeletePlayer(ctx, p.ID, nil) }},
	}
	for _, c := range cases {
		// ctx.Err() unchanged, as game.Store promises: not wrapped, and so
		// not taken for a database that cannot serve.
		t.Run(c.name+" with a cancelled context returns context.Canceled", func(t *testing.T) {
			if err := c.call(cancelled); err != context.Canceled {
				t.Errorf("got error %v (code %q), want context.Canceled itself", err, game.ErrorCode(err))
			}
		})
	}

	t.Run("cancelled writes change nothing", func(t *testing.T) {
		if got, err := s.GetLocation(t.Context(), loc.ID); err != nil || got.Version != 1 {
			t.Errorf("GetLocation: got version %d, %v; want 1, nil", got.Version, err)
		}
		if got := playerGold(t, s, p.ID); got != 0 {
			t.Errorf("player gold: got %d, want 0", got)
		}
		if got, err := s.GetPlayer(t.Context(), p.ID); err != nil || got.ID != p.ID {
			t.Errorf("GetPlayer after a cancelled delete: %+v, %v; want the player", got, err)
		}
		if got, err := s.PlayerIDByTokenHash(t.Context(), hash); err != nil || got != p.ID {
			t.Errorf("the player's token after a cancelled replacement: %d, %v; want %d", got, err, p.ID)
		}
		locs, err := s.ListLocations(t.Context(), 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range locs {
			if l.Name == "Dojo" {
				t.Errorf("a cancelled CreateLocation made %+v", l)
			}
		}
	})
}

// midVisit makes a change from another caller while a visit is under way:
// its roll runs change, once, the first time the visit rolls, when the visit
// has read what it reads and holds whatever locks it takes, and gives the
// change window (see ackWindow) to be acknowledged. A change that waits for
// the visit is not; after then waits for it to finish.
type midVisit struct {
	window       time.Duration
	once         sync.Once
	done         chan error
	acknowledged bool
}

// ackWindow is how long a midVisit on s gives its change to be
// acknowledged: 250 ms, or 20 times what two writes nothing holds back take
// on s right now, if longer. On a loaded machine a change that a store
// wrongly lets through in the middle of a visit may take over 250 ms, and
// would pass for one held back; the window grows with the load.
func ackWindow(t *testing.T, s game.Store) time.Duration {
	t.Helper()
	start := time.Now()
	loc, err := s.CreateLocation(t.Context(), game.LocationFields{Name: "Clock", MinGold: 0, MaxGold: 0})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLocation(t.Context(), loc.ID, func(game.Location) error { return nil }); err != nil {
		t.Fatal(err)
	}
	return max(250*time.Millisecond, 20*time.Since(start))
}

func (m *midVisit) roll(t *testing.T, change func() error, roll func(game.Location) game.Outcome) func(game.Location) game.Outcome {
	return func(l game.Location) game.Outcome {
		m.once.Do(func() {
			m.done = make(chan error, 1)
			go func() { m.done <- change() }()
			select {
			case err := <-m.done:
				if err != nil {
					t.Errorf("the change: %v", err)
				}
				m.acknowledged = true
			case <-time.After(m.window):
			}
		})
		return roll(l)
	}
}

// after waits for a change the visit held back, failing t if it failed.
func (m *midVisit) after(t *testing.T) {
	t.Helper()
	if m.done == nil {
		t.Fatal("the visit never rolled, so no change was made")
	}
	select {
	case err := <-m.done:
		if err != nil {
			t.Fatalf("the change, after the visit: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the change still waits 30 s after the visit ended")
	}
}
