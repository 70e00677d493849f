package postgres

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A player's turn passes from write to write, one at a time, and stays
// while any write holds or waits for it: after the
// burst drains to one holder, a new write still waits for it. Once the
// last leaves, the turn is gone (no entry kept per player ever written),
// and another player's turn is never held up by this one's.
func TestPlayerTurns(t *testing.T) {
	var p playerTurns
	ctx := t.Context()
	first, err := p.wait(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan func(), 2)
	for range 2 {
		go func() {
			done, err := p.wait(ctx, 1)
			if err != nil {
				t.Error(err)
			}
			got <- done
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); p.count(1) < 3; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("count(1) = %d, want the holder and two waiting", p.count(1))
		}
	}
	// Another player's turn is free meanwhile.
	other, err := p.wait(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	other()

	first()
	second := <-got
	second()
	third := <-got
	if n := p.count(1); n != 1 {
		t.Errorf("count(1) with one write holding the turn = %d, want 1", n)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if done, err := p.wait(short, 1); !errors.Is(err, context.DeadlineExceeded) {
		if done != nil {
			done()
		}
		t.Errorf("a write coming while the last of the burst holds the turn: %v, want it to wait past its deadline", err)
	}
	third()
	if n := len(p.turns); n != 0 {
		t.Errorf("%d turns kept after every write left, want none", n)
	}
}
