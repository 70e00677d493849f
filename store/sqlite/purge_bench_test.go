package sqlite_test

import (
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// purgeBacklog is how many expired keys BenchmarkVisitDuringPurge finds:
// about what a busy quarter of an hour at bench-visits' rate leaves, a day
// later.
const purgeBacklog = 200_000

// BenchmarkVisitDuringPurge sends keyed visits, one at a time, to a store
// holding purgeBacklog expired idempotency keys and due to purge them: the
// first visit starts the purge. It reports the slowest visit and the 99th
// percentile: what the purge costs the visits it runs beside.
//
//	go test ./store/sqlite -run '^$' -bench VisitDuringPurge -benchtime 2000x
func BenchmarkVisitDuringPurge(b *testing.B) {
	s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "ninjagold.db"), sqlite.Options{})
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
	first, _, err := s.CreateVisit(b.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: roll})
	if err != nil {
		b.Fatal(err)
	}
	// The backlog, written on the write connection while the writer is
	// idle: keys two days old, all naming the first visit.
	old := time.Now().Add(-2 * game.IdempotencyKeyTTL).UnixMicro()
	if _, err := sqlite.WriteConn(s).ExecContext(b.Context(), `
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO idempotency_keys (player_id, key, request_hash, visit_id, created_at)
		SELECT ?, 'old-' || i, x'00', ?, ? + i FROM n`, purgeBacklog, p.ID, first.ID, old); err != nil {
		b.Fatal(err)
	}
	// Two minutes on: the next keyed visit may purge.
	var passed atomic.Int64
	passed.Store(int64(2 * time.Minute))
	sqlite.SetClock(s, func() time.Time { return time.Now().Add(time.Duration(passed.Load())) })

	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		_, _, err := s.CreateVisit(b.Context(), game.VisitRequest{
			PlayerID: p.ID, LocationID: 1, TokenHash: hash[:],
			IdempotencyKey: fmt.Sprint("new-", i), RequestHash: []byte("h"), Roll: roll,
		})
		took = append(took, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}
