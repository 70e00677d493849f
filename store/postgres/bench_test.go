package postgres_test

import (
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
