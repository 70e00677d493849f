// Package lists measures how the cost of a page grows with the table: with
// keyset pagination on indexed columns (no OFFSET, no COUNT) a page out of
// a million rows should cost about what a page out of a thousand does.
//
//	go test ./bench/lists -bench . -benchtime 2000x
//
// Each benchmark asks for one page out of both tables in turn and reports
// the two medians (p50-1k-ns, p50-1m-ns) and their ratio (1m/1k); Go's
// ns/op is the two requests together.
package lists

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/impl"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// seeded opens a store whose locations, player 1's visits and the other
// players number rows. Player id n+1 has n - rows/2 gold, or none: the
// board by gold runs from the last id down to id rows/2+2, then the
// players with no gold, a tie of half the board, by id.
func seeded(b testing.TB, rows int) http.Handler {
	b.Helper()
	path := filepath.Join(b.TempDir(), "lists.db")
	// The store creates the schema; the rows go in through a connection of
	// their own, while no store holds the file.
	store, err := sqlite.Open(context.Background(), path, sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	if err := store.Close(); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UnixMicro()
	exec := func(q string, args ...any) {
		if _, err := tx.Exec(q, args...); err != nil {
			b.Fatal(err)
		}
	}
	exec(`INSERT INTO players (first_name, last_name, gold, token_hash, created_at) VALUES ('Bench', 'Ninja', 0, x'00', ?)`, now)
	loc, err := tx.Prepare(`INSERT INTO locations (name, min_gold, max_gold, description, created_at, updated_at) VALUES (?, 1, 2, '', ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	vis, err := tx.Prepare(`INSERT INTO visits (player_id, location_id, location_name, gold, balance, message, created_at) VALUES (1, 1, 'Farm', 1, ?, 'Earned 1 gold from the Farm!', ?)`)
	if err != nil {
		b.Fatal(err)
	}
	player, err := tx.Prepare(`INSERT INTO players (first_name, last_name, gold, token_hash, created_at) VALUES ('Bench', 'Ninja', ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	for i := range rows {
		if _, err := loc.Exec(fmt.Sprintf("Place %d", i), now, now); err != nil {
			b.Fatal(err)
		}
		if _, err := vis.Exec(i+1, now); err != nil {
			b.Fatal(err)
		}
		if _, err := player.Exec(max(0, i+1-rows/2), fmt.Append(nil, i), now); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	store, err = sqlite.Open(context.Background(), path, sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	spec, err := ninjagold.Spec()
	if err != nil {
		b.Fatal(err)
	}
	srv := impl.New(store, apitest.NewSeededDice(1), nil, spec)
	h, err := api.NewHandler(srv, api.Config{Spec: spec, AdminToken: "x"})
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// timed serves one GET of path on h and returns how long it took.
func timed(b *testing.B, h http.Handler, path string) time.Duration {
	start := time.Now()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	d := time.Since(start)
	if rec.Code != 200 {
		b.Fatalf("GET %s: %d", path, rec.Code)
	}
	return d
}

// median is the middle of durs, which it sorts.
func median(durs []time.Duration) float64 {
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	return float64(durs[len(durs)/2].Nanoseconds())
}

// pages are the ten pages measured out of a table of rows, each with the
// ids its 100 items run between: locations ascending, visits newest first,
// players by gold, most first (the default order) and least first.
func pages(tb testing.TB, rows int) []page {
	deepLoc := rows * 9 / 10 // locations after 90% of the ids
	deepVis := rows/10 + 101 // visits before the oldest tenth
	deepGold := rows / 4     // players a quarter down the board
	tieID := rows * 4 / 10   // players 90% down, in the tie at no gold
	return []page{
		{"locations/first", "/locations?limit=100", 1, 100},
		{"locations/deep", "/locations?limit=100&cursor=" + cursorAt(tb, "/locations", deepLoc), deepLoc + 1, deepLoc + 100},
		{"visits/first", "/players/1/visits?limit=100", rows, rows - 99},
		{"visits/deep", "/players/1/visits?limit=100&cursor=" + cursorAt(tb, "/players/1/visits", deepVis), deepVis - 1, deepVis - 100},
		{"players/first", "/players?limit=100", rows + 1, rows - 98},
		{"players/deep", "/players?limit=100&cursor=" + goldCursorAt(deepGold, deepGold+rows/2+1), deepGold + rows/2, deepGold + rows/2 - 99},
		{"players/tie", "/players?limit=100&cursor=" + goldCursorAt(0, tieID), tieID + 1, tieID + 100},
		// The last player with gold, then the tie from its first id.
		{"players/into-tie", "/players?limit=100&cursor=" + goldCursorAt(1, rows/2+2), 1, 100},
		// Least gold first: the board starts with the tie, ids 1 to
		// rows/2+1, and leaves it for ids rows/2+2 on, one gold apart.
		{"players/least-first", "/players?limit=100&sort=gold", 1, 100},
		{"players/least-out-of-tie", "/players?limit=100&sort=gold&cursor=" + leastCursorAt(0, rows/2-49), rows/2 - 48, rows/2 + 51},
	}
}

type page struct {
	name, path  string
	first, last int
}

// BenchmarkListPages asks for each page out of a thousand rows and out of
// a million in turn, one request each (the two alternating which goes
// first), and reports both medians and their
// ratio (1m/1k). Taken in turn, the two see the machine alike: measured
// one after the other, as they were until the thirty-sixth session, a
// slower stretch of the machine fell on one side alone, and the same page
// out of a thousand rows took 105 µs in one run and 203 µs in the next.
func BenchmarkListPages(b *testing.B) {
	small, large := seeded(b, 1_000), seeded(b, 1_000_000)
	largePages := pages(b, 1_000_000)
	for i, sp := range pages(b, 1_000) {
		lp := largePages[i]
		b.Run(sp.name, func(b *testing.B) {
			sp.check(b, small)
			lp.check(b, large)
			s, l := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				// Each table goes first every other time, so neither
				// always follows the other.
				if i%2 == 0 {
					s = append(s, timed(b, small, sp.path))
					l = append(l, timed(b, large, lp.path))
				} else {
					l = append(l, timed(b, large, lp.path))
					s = append(s, timed(b, small, sp.path))
				}
			}
			b.StopTimer()
			ps, pl := median(s), median(l)
			b.ReportMetric(ps, "p50-1k-ns")
			b.ReportMetric(pl, "p50-1m-ns")
			b.ReportMetric(pl/ps, "1m/1k")
		})
	}
}

// TestPagesHoldTheRowsMeasured holds the benchmark to the pages it means:
// a cursor the server did not read the same way would measure an empty or
// a first page and still answer 200.
func TestPagesHoldTheRowsMeasured(t *testing.T) {
	const rows = 1_000
	h := seeded(t, rows)
	for _, p := range pages(t, rows) {
		t.Run(p.name, func(t *testing.T) { p.check(t, h) })
	}
}

// check asks for p once and fails tb unless its items are the 100 ids from
// p.first to p.last, one step apart.
func (p page) check(tb testing.TB, h http.Handler) {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", p.path, nil))
	var body struct {
		Items []struct {
			ID int `json:"id"`
		} `json:"items"`
	}
	if rec.Code != 200 {
		tb.Fatalf("GET %s: %d %s", p.path, rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		tb.Fatalf("GET %s: %v", p.path, err)
	}
	step := 1
	if p.last < p.first {
		step = -1
	}
	if len(body.Items) != 100 {
		tb.Fatalf("GET %s: %d items, want 100", p.path, len(body.Items))
	}
	for i, it := range body.Items {
		if want := p.first + i*step; it.ID != want {
			tb.Fatalf("GET %s: item %d has id %d, want %d (ids %d to %d)", p.path, i, it.ID, want, p.first, p.last)
		}
	}
}

// cursorAt is the opaque cursor that continues list (its path) after row
// id n: impl's format (base64url JSON), which the first request of each
// benchmark checks the server accepts.
func cursorAt(b testing.TB, list string, id int) string {
	b.Helper()
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, `{"id":%d,"list":%q}`, max(id, 1), list))
}

// goldCursorAt is the cursor that continues the board by gold after the
// player id with gold: impl's format, as cursorAt.
func goldCursorAt(gold, id int) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, `{"id":%d,"gold":%d,"sort":"-gold","list":"/players"}`, id, gold))
}

// leastCursorAt is goldCursorAt for the board least gold first.
func leastCursorAt(gold, id int) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, `{"id":%d,"gold":%d,"sort":"gold","list":"/players"}`, id, gold))
}
