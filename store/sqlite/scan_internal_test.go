package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/ninjagold/ninjagold-api/game"
)

// A read that fails after its first rows is a failure, not a short page:
// a page cut off would look like the player's last one. The query here
// fails at its second row, as a read would that meets an I/O error or
// the end of its deadline partway: SQLite's abs() of the least integer
// overflows.
func TestScanVisitsFailsOnAFailedRow(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "ninjagold.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Ninja", TokenHash: []byte("kira")})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, _, err := s.CreateVisit(t.Context(), game.VisitRequest{PlayerID: p.ID, LocationID: 1, Roll: func(l game.Location) game.Outcome {
			return game.Outcome{Gold: 1, Message: game.Message(l.Name, 1)}
		}}); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := s.readRows(t.Context(), `SELECT id, player_id, location_id, location_name, gold, balance, message,
		CASE WHEN id > 1 THEN abs(-9223372036854775808) ELSE created_at END FROM visits ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	if vs, err := scanVisits(rows, 10); err == nil {
		t.Errorf("scanVisits: got %d visits and no error, want the second row's failure", len(vs))
	}
}
