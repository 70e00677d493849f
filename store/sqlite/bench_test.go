package sqlite_test

import (
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// BenchmarkCreateVisitConcurrent sends visits from many goroutines at once,
// so that the writer commits them in batches as under load. Beside ns/op and
// allocs/op it reports the writes per commit the batches reached.
//
//	go test ./store/sqlite -run '^$' -bench CreateVisitConcurrent -benchmem
func BenchmarkCreateVisitConcurrent(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		// One player at one location, as bench/compare's visit load sends;
		// 64 players over the four seeded locations, as bench/visits
		// spreads its visits: each visit's row in the visits index then
		// lands on a page of its own player's, and each visit's location
		// is not the one before's (which once made SQLite prepare the
		// visit's first statement anew: see visitStart).
		for _, spread := range []struct{ players, locations int }{{1, 1}, {64, 4}} {
			b.Run(fmt.Sprintf("%s/players=%d/locations=%d", sync, spread.players, spread.locations), func(b *testing.B) {
				benchVisits(b, sync, spread.players, spread.locations)
			})
		}
	}
}

func benchVisits(b *testing.B, sync string, players, locations int) {
	s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "ninjagold.db"), sqlite.Options{Synchronous: sync})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	type player struct {
		id   int64
		hash []byte
	}
	ps := make([]player, players)
	for i := range ps {
		hash := sha256.Sum256([]byte(fmt.Sprint("bench", i)))
		p, err := s.CreatePlayer(b.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Ninja", TokenHash: hash[:]})
		if err != nil {
			b.Fatal(err)
		}
		ps[i] = player{p.ID, hash[:]}
	}
	roll := func(l game.Location) game.Outcome { return game.Outcome{Gold: 1, Message: game.Message(l.Name, 1)} }
	var next atomic.Int64
	before := s.WriteStats()
	b.SetParallelism(32) // 64 visitors on 2 CPUs, as in make bench-visits
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := next.Add(1)
			p := ps[n%int64(players)]
			if _, _, err := s.CreateVisit(b.Context(), game.VisitRequest{
				PlayerID: p.id, LocationID: 1 + n%int64(locations), TokenHash: p.hash, Roll: roll,
			}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	after := s.WriteStats()
	b.ReportMetric(float64(after.Writes-before.Writes)/float64(max(1, after.Commits-before.Commits)), "writes/commit")
}

// BenchmarkListVisits reads pages of visits: each of the same player and
// size, or of players and sizes that change from page to page, as clients'
// pages do. The varied pages hold 15 visits on average against the same
// pages' 20, so they cost less, unless SQLite prepares their statement
// anew for each new value ("Bound values and plans" in stmts.go): then they
// cost more.
//
//	go test ./store/sqlite -run '^$' -bench ListVisits -benchmem
func BenchmarkListVisits(b *testing.B) {
	s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "ninjagold.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	roll := func(l game.Location) game.Outcome { return game.Outcome{Gold: 1, Message: game.Message(l.Name, 1)} }
	var ids []int64
	for i := range 4 {
		p, err := s.CreatePlayer(b.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Ninja", TokenHash: fmt.Append(nil, "bench", i)})
		if err != nil {
			b.Fatal(err)
		}
		for range 50 {
			if _, _, err := s.CreateVisit(b.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: roll}); err != nil {
				b.Fatal(err)
			}
		}
		ids = append(ids, p.ID)
	}
	for _, pages := range []string{"same", "varied"} {
		b.Run(pages, func(b *testing.B) {
			i := 0
			for b.Loop() {
				id, limit := ids[0], 20
				if pages == "varied" {
					id, limit = ids[i%len(ids)], 10+i%3*5
				}
				if _, err := s.ListVisits(b.Context(), id, 0, limit); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
