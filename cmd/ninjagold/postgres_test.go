package main

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/ninjagold/ninjagold-api/store/postgres/pgtest"
)

// Two server processes over one PostgreSQL keep every guarantee of the
// game: concurrent visits through both leave exact balances, and retries
// of one idempotency key through both create exactly one visit.
func TestTwoInstancesOnPostgres(t *testing.T) {
	url := pgtest.TestURL(t)
	// Both start at once: the migrations must run exactly once between them.
	var a, b *process
	var wg sync.WaitGroup
	wg.Go(func() { a = start(t, url) })
	wg.Go(func() { b = start(t, url) })
	wg.Wait()
	if t.Failed() {
		return
	}
	instances := []*process{a, b}
	players := createPlayers(t, a.URL, 3)

	t.Run("concurrent visits through both are exact", func(t *testing.T) {
		const perWorker = 12
		var mu sync.Mutex
		var acked []visitResult
		var wg sync.WaitGroup
		for w := range 16 {
			wg.Go(func() {
				p, inst := players[w%len(players)], instances[w%2]
				for i := range perWorker {
					resp, body, err := postJSON(http.DefaultClient, fmt.Sprintf("%s/players/%d/visits", inst.URL, p.ID), p.Token,
						fmt.Sprintf(`{"location_id":%d}`, (w+i)%4+1), nil)
					if err != nil || resp.StatusCode != 201 {
						t.Errorf("visit: %v %s", err, body)
						return
					}
					var v visitResult
					mustJSON(t, body, &v)
					mu.Lock()
					acked = append(acked, v)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(acked) != 16*perWorker {
			t.Fatalf("%d visits acknowledged, want %d", len(acked), 16*perWorker)
		}
		checkLedger(t, b.URL, players, acked)
	})

	t.Run("one idempotency key through both instances makes one visit", func(t *testing.T) {
		p := createPlayers(t, b.URL, 1)[0]
		ids := make(chan int64, 24)
		var wg sync.WaitGroup
		for i := range 24 {
			wg.Go(func() {
				resp, body, err := postJSON(http.DefaultClient, fmt.Sprintf("%s/players/%d/visits", instances[i%2].URL, p.ID), p.Token,
					`{"location_id":4}`, map[string]string{"Idempotency-Key": "same-everywhere"})
				if err != nil || resp.StatusCode != 201 {
					t.Errorf("retry %d: %v %d %s", i, err, resp.StatusCode, body)
					return
				}
				var v visitResult
				mustJSON(t, body, &v)
				ids <- v.ID
			})
		}
		wg.Wait()
		close(ids)
		first := int64(0)
		for id := range ids {
			if first == 0 {
				first = id
			} else if id != first {
				t.Errorf("retries returned visits %d and %d, want one", first, id)
			}
		}
		var log struct {
			Items []visitResult `json:"items"`
		}
		getJSON(t, fmt.Sprintf("%s/players/%d/visits", a.URL, p.ID), &log)
		if len(log.Items) != 1 {
			t.Errorf("log has %d visits, want 1", len(log.Items))
		}
		var got playerInfo
		getJSON(t, fmt.Sprintf("%s/players/%d", b.URL, p.ID), &got)
		if len(log.Items) == 1 && got.Gold != log.Items[0].Gold {
			t.Errorf("gold = %d, want the one visit's %d", got.Gold, log.Items[0].Gold)
		}
	})
}
