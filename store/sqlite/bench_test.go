package sqlite_test

import (
	"crypto/sha256"
	"path/filepath"
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
		b.Run(sync, func(b *testing.B) {
			s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "ninjagold.db"), sqlite.Options{Synchronous: sync})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			hash := sha256.Sum256([]byte("bench"))
			p, err := s.CreatePlayer(b.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Ninja", TokenHash: hash[:]})
			if err != nil {
				b.Fatal(err)
			}
			roll := func(l game.Location) game.Outcome { return game.Outcome{Gold: 1, Message: game.Message(l.Name, 1)} }
			before := s.WriteStats()
			b.SetParallelism(32) // 64 visitors on 2 CPUs, as in make bench-visits
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, _, err := s.CreateVisit(b.Context(), game.VisitRequest{
						PlayerID: p.ID, LocationID: 1, TokenHash: hash[:], Roll: roll,
					}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			after := s.WriteStats()
			b.ReportMetric(float64(after.Writes-before.Writes)/float64(max(1, after.Commits-before.Commits)), "writes/commit")
		})
	}
}
