package postgres_test

import (
	"crypto/sha256"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/postgres"
	"github.com/ninjagold/ninjagold-api/store/postgres/pgtest"
)

// BenchmarkListVisits reads pages of visits, as store/sqlite's benchmark of
// the same name does: a player's newest visits, and an empty page (a
// player's visits before the first), which also asks whether the player
// exists. Each page is a round trip to the server or more, which is most of
// what it costs.
//
//	NINJAGOLD_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test ./store/postgres -run '^$' -bench ListVisits -benchmem
func BenchmarkListVisits(b *testing.B) {
	s, err := postgres.Open(b.Context(), pgtest.TestURL(b), postgres.Options{MaxConns: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	p, err := s.CreatePlayer(b.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Ninja", TokenHash: []byte("bench")})
	if err != nil {
		b.Fatal(err)
	}
	roll := func(l game.Location) game.Outcome { return game.Outcome{Gold: 1, Message: game.Message(l.Name, 1)} }
	var first int64
	for i := range 50 {
		v, _, err := s.CreateVisit(b.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: roll})
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			first = v.ID
		}
	}
	for _, page := range []struct {
		name   string
		before int64
		want   int
	}{{"newest", 0, 20}, {"empty", first, 0}} {
		b.Run(page.name, func(b *testing.B) {
			for b.Loop() {
				vs, err := s.ListVisits(b.Context(), p.ID, page.before, 20)
				if err != nil {
					b.Fatal(err)
				}
				if len(vs) != page.want {
					b.Fatalf("%d visits, want %d", len(vs), page.want)
				}
			}
		})
	}
}

// BenchmarkCreateVisit records visits from 64 visitors at once (a multiple
// of GOMAXPROCS goroutines, at least 64), each visitor a player of its own
// when there are no more than 64, over the four seeded locations, as
// bench/visits sends them: without an Idempotency-Key and with a new one
// each. A visit is a few round trips to the server, each a statement
// PostgreSQL parses, plans and runs, and its commit waits for the WAL to be
// flushed. "one player" has all of them visit one player, whose visits
// apply one at a time (its row lock; in the process, its turns).
//
//	NINJAGOLD_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test ./store/postgres -run '^$' -bench CreateVisit -benchmem
func BenchmarkCreateVisit(b *testing.B) {
	for _, c := range []struct {
		name    string
		keyed   bool
		players int
	}{
		{"no key", false, 64},
		{"new key", true, 64},
		{"one player", false, 1},
	} {
		b.Run(c.name, func(b *testing.B) {
			const visitors = 64
			s, err := postgres.Open(b.Context(), pgtest.TestURL(b), postgres.Options{MaxConns: 16})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			players := make([]game.Player, c.players)
			for i := range players {
				hash := sha256.Sum256([]byte(fmt.Sprint("bench", i)))
				if players[i], err = s.CreatePlayer(b.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Ninja", TokenHash: hash[:]}); err != nil {
					b.Fatal(err)
				}
			}
			roll := func(l game.Location) game.Outcome { return game.Outcome{Gold: 1, Message: game.Message(l.Name, 1)} }
			var next, keys atomic.Int64
			procs := runtime.GOMAXPROCS(0)
			b.SetParallelism((visitors + procs - 1) / procs)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				p := players[next.Add(1)%int64(c.players)]
				for i := 0; pb.Next(); i++ {
					req := game.VisitRequest{PlayerID: p.ID, LocationID: 1 + int64(i%4), Roll: roll}
					if c.keyed {
						req.IdempotencyKey = fmt.Sprint("key-", keys.Add(1))
						req.RequestHash = []byte(req.IdempotencyKey)
					}
					if _, _, err := s.CreateVisit(b.Context(), req); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
