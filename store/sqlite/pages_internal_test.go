package sqlite

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ninjagold/ninjagold-api/game"
)

// The two parts of a page read one snapshot: a player that a write moves
// from the first part's gold to the second's, while the first part reads,
// is on the page once, where the first part found it. The first part's
// statement is swapped, in the read statements' cache, for its query with
// test_hold() in it, which holds the read inside the part (see
// holdStatements) while the move commits. (PlayerPagesReadOneSnapshot, in
// storetest, races such moves instead.)
func TestPlayerPagePartsReadOneSnapshot(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	var ids []int64
	for i := range 6 {
		p, err := s.CreatePlayer(ctx, game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: fmt.Append(nil, "page", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	setGold := func(gold int64, where string, args ...any) {
		t.Helper()
		err := s.inTx(ctx, func(tx writeTx) error {
			_, err := tx.Exec(`UPDATE players SET gold = ? WHERE `+where, append([]any{gold}, args...)...)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Most gold first after the first player: the two others with 2 gold,
	// then the three with 1.
	setGold(2, `id <= ?`, ids[2])
	setGold(1, `id > ?`, ids[2])
	page := game.PlayerPage{Sort: game.ByGoldDesc, Limit: 10, After: &game.PlayerKey{Gold: 2, ID: ids[0]}}
	want := ids[1:]

	parts, err := playersPage(page)
	if err != nil || len(parts) != 2 {
		t.Fatalf("playersPage: %d parts, %v; want 2", len(parts), err)
	}
	heldQuery := strings.Replace(parts[0].query, " WHERE ", " WHERE test_hold() AND ", 1)
	if heldQuery == parts[0].query {
		t.Fatalf("the first part's query has no WHERE to hold in: %s", parts[0].query)
	}
	held, err := s.read.PrepareContext(ctx, heldQuery)
	if err != nil {
		t.Fatal(err)
	}
	s.reads.m.Store(parts[0].query, held) // closed with the store

	entered, release := holdStatements(t)
	type result struct {
		ps  []game.Player
		err error
	}
	done := make(chan result, 1)
	go func() {
		ps, err := s.ListPlayers(ctx, page)
		done <- result{ps, err}
	}()
	select {
	case <-entered:
	case r := <-done:
		t.Fatalf("ListPlayers returned %d players, %v, without reading through test_hold()", len(r.ps), r.err)
	}
	setGold(1, `id = ?`, want[0])
	release()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	got := make([]int64, len(r.ps))
	for i, p := range r.ps {
		got[i] = p.ID
	}
	if !slices.Equal(got, want) {
		t.Errorf("page with player %d moved while its first part read: players %v, want %v", want[0], got, want)
	}
}
