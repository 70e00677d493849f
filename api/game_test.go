package api_test

import (
	"encoding/csv"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
	"github.com/ninjagold/ninjagold-api/store/postgres"
	"github.com/ninjagold/ninjagold-api/store/postgres/pgtest"
)

// eachStore runs a game test through the whole HTTP stack on each store:
// SQLite, and PostgreSQL where there is one (see pgtest; in CI there must
// be), so that the game behaves the same over either.
func eachStore(t *testing.T, test func(t *testing.T, s *apitest.Server)) {
	t.Run("sqlite", func(t *testing.T) { test(t, apitest.NewServer(t, apitest.Options{})) })
	t.Run("postgres", func(t *testing.T) {
		store, err := postgres.Open(t.Context(), pgtest.TestURL(t), postgres.Options{})
		if err != nil {
			t.Fatalf("postgres.Open: %v", err)
		}
		t.Cleanup(func() { store.Close() })
		test(t, apitest.NewServer(t, apitest.Options{Store: store}))
	})
}

type player struct {
	generated.NewPlayerResult
	path string
}

func newPlayer(t *testing.T, s *apitest.Server, first, last string) player {
	t.Helper()
	resp := s.Do(t, apitest.Request{Method: "POST", Path: "/players",
		Body: fmt.Sprintf(`{"first_name":%q,"last_name":%q}`, first, last)})
	if resp.Status != http.StatusCreated {
		t.Fatalf("create player: %d %s", resp.Status, resp.Body)
	}
	var p player
	resp.JSON(t, &p.NewPlayerResult)
	p.path = fmt.Sprintf("/players/%d", p.Id)
	if got := resp.Header.Get("Location"); got != p.path {
		t.Errorf("Location = %q, want %q", got, p.path)
	}
	if p.Token == "" || p.Gold != 0 {
		t.Fatalf("new player = %+v, want a token and no gold", p.NewPlayerResult)
	}
	return p
}

func visit(t *testing.T, s *apitest.Server, p player, locationID int64, key string) (*apitest.Response, generated.Visit) {
	t.Helper()
	req := apitest.Request{Method: "POST", Path: p.path + "/visits", Token: p.Token,
		Body: fmt.Sprintf(`{"location_id":%d}`, locationID)}
	if key != "" {
		req.Header = map[string]string{"Idempotency-Key": key}
	}
	resp := s.Do(t, req)
	var v generated.Visit
	if resp.Status == http.StatusCreated {
		resp.JSON(t, &v)
	}
	return resp, v
}

func getPlayer(t *testing.T, s *apitest.Server, path string) generated.Player {
	t.Helper()
	var p generated.Player
	resp := s.Do(t, apitest.Request{Method: "GET", Path: path})
	if resp.Status != 200 {
		t.Fatalf("get %s: %d", path, resp.Status)
	}
	resp.JSON(t, &p)
	return p
}

const (
	farm   = 1
	cave   = 2
	house  = 3
	casino = 4
)

func TestVisitsMoveGold(t *testing.T) {
	eachStore(t, func(t *testing.T, s *apitest.Server) {
		p := newPlayer(t, s, "Hattori", "Hanzo")

		var sum int64
		ranges := map[int64][2]int32{farm: {10, 20}, cave: {5, 10}, house: {2, 5}, casino: {-50, 50}}
		names := map[int64]string{farm: "Farm", cave: "Cave", house: "House", casino: "Casino"}
		for i := range 40 {
			loc := int64(i%4 + 1)
			resp, v := visit(t, s, p, loc, "")
			if resp.Status != http.StatusCreated {
				t.Fatalf("visit %d: %d %s", i, resp.Status, resp.Body)
			}
			if got, want := resp.Header.Get("Location"), fmt.Sprintf("%s/visits/%d", p.path, v.Id); got != want {
				t.Errorf("Location = %q, want %q", got, want)
			}
			r := ranges[loc]
			if v.Gold < r[0] || v.Gold > r[1] {
				t.Errorf("visit to %s moved %d gold, outside [%d, %d]", names[loc], v.Gold, r[0], r[1])
			}
			sum += int64(v.Gold)
			if v.Balance != sum || v.LocationName != names[loc] || v.PlayerId != p.Id || v.LocationId != loc {
				t.Errorf("visit = %+v, want balance %d at %s", v, sum, names[loc])
			}
			var wantMsg string
			switch {
			case v.Gold > 0:
				wantMsg = fmt.Sprintf("Earned %d gold from the %s!", v.Gold, names[loc])
			case v.Gold < 0:
				wantMsg = fmt.Sprintf("Entered the %s and lost %d gold... Ouch!", names[loc], -v.Gold)
			default:
				wantMsg = fmt.Sprintf("Entered the %s and came out with nothing... Not a single coin.", names[loc])
			}
			if v.Message != wantMsg {
				t.Errorf("message = %q, want %q", v.Message, wantMsg)
			}
			got := s.Do(t, apitest.Request{Method: "GET", Path: resp.Header.Get("Location")})
			var fetched generated.Visit
			got.JSON(t, &fetched)
			if got.Status != 200 || fetched != v {
				t.Errorf("GET Location = %d %+v, want %+v", got.Status, fetched, v)
			}
		}
		if got := getPlayer(t, s, p.path).Gold; got != sum {
			t.Errorf("player gold = %d, want the sum of visits %d", got, sum)
		}
	})
}

func TestVisitErrors(t *testing.T) {
	eachStore(t, func(t *testing.T, s *apitest.Server) {
		p := newPlayer(t, s, "Hattori", "Hanzo")
		other := newPlayer(t, s, "Fuma", "Kotaro")
		body := `{"location_id":1}`
		// p's visit with a key, which another player's token must not replay.
		keyed := s.Do(t, apitest.Request{Method: "POST", Path: p.path + "/visits", Body: body, Token: p.Token,
			Header: map[string]string{"Idempotency-Key": "k1"}})
		if keyed.Status != 201 {
			t.Fatalf("p's keyed visit: status %d, want 201; body %s", keyed.Status, keyed.Body)
		}
		var first generated.Visit
		keyed.JSON(t, &first)
		// SQLite counts its write transactions (PostgreSQL's need none
		// counted: a refused visit there is no writer's time taken).
		reporter, counted := s.Store.(game.WriteReporter)
		writes := func() int64 {
			if !counted {
				return 0
			}
			return reporter.WriteStats().Writes
		}
		tests := []struct {
			name       string
			req        apitest.Request
			wantStatus int
			wantType   generated.ProblemType
			wantErrors map[string]string
		}{
			{"no token", apitest.Request{Method: "POST", Path: p.path + "/visits", Body: body},
				401, "/problems/unauthorized", map[string]string{}},
			{"unknown token", apitest.Request{Method: "POST", Path: p.path + "/visits", Body: body, Token: "ngp_forged"},
				401, "/problems/unauthorized", map[string]string{}},
			{"admin token is not a player token", apitest.Request{Method: "POST", Path: p.path + "/visits", Body: body, Token: admin},
				401, "/problems/unauthorized", map[string]string{}},
			{"another player's token", apitest.Request{Method: "POST", Path: p.path + "/visits", Body: body, Token: other.Token},
				403, "/problems/forbidden", map[string]string{}},
			{"unknown player in the path", apitest.Request{Method: "POST", Path: "/players/999/visits", Body: body, Token: p.Token},
				404, "/problems/not-found", map[string]string{}},
			{"another player's token to a location that does not exist", apitest.Request{Method: "POST", Path: p.path + "/visits", Body: `{"location_id":999}`, Token: other.Token},
				403, "/problems/forbidden", map[string]string{}},
			{"unknown token to a location that does not exist", apitest.Request{Method: "POST", Path: p.path + "/visits", Body: `{"location_id":999}`, Token: "ngp_forged"},
				401, "/problems/unauthorized", map[string]string{}},
			{"another player's token with an idempotency key", apitest.Request{Method: "POST", Path: p.path + "/visits", Body: body, Token: other.Token,
				Header: map[string]string{"Idempotency-Key": "k1"}},
				403, "/problems/forbidden", map[string]string{}},
			{"location that does not exist", apitest.Request{Method: "POST", Path: p.path + "/visits", Body: `{"location_id":999}`, Token: p.Token},
				400, "/problems/validation-error", map[string]string{"location_id": "location id must name an existing location"}},
			{"location id below range", apitest.Request{Method: "POST", Path: p.path + "/visits", Body: `{"location_id":0}`, Token: p.Token},
				400, "/problems/validation-error", map[string]string{"location_id": "location id must be at least 1"}},
			{"location id missing", apitest.Request{Method: "POST", Path: p.path + "/visits", Body: `{}`, Token: p.Token},
				400, "/problems/validation-error", map[string]string{"location_id": "location id is required"}},
			{"location id of the wrong type", apitest.Request{Method: "POST", Path: p.path + "/visits", Body: `{"location_id":"Farm"}`, Token: p.Token},
				400, "/problems/validation-error", map[string]string{"location_id": "location id must be an integer"}},
			{"idempotency key too long", apitest.Request{Method: "POST", Path: p.path + "/visits", Body: body, Token: p.Token,
				Header: map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}},
				400, "/problems/validation-error", map[string]string{"Idempotency-Key": "Idempotency-Key must be at most 255 characters long"}},
			{"log of an unknown player", apitest.Request{Method: "GET", Path: "/players/999/visits"},
				404, "/problems/not-found", map[string]string{}},
			{"visit of another player", apitest.Request{Method: "GET", Path: "/players/999/visits/1"},
				404, "/problems/not-found", map[string]string{}},
			{"delete without a token", apitest.Request{Method: "DELETE", Path: p.path},
				401, "/problems/unauthorized", map[string]string{}},
			{"delete with another player's token", apitest.Request{Method: "DELETE", Path: p.path, Token: other.Token},
				403, "/problems/forbidden", map[string]string{}},
			{"delete an unknown player", apitest.Request{Method: "DELETE", Path: "/players/999", Token: admin},
				404, "/problems/not-found", map[string]string{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := writes()
				resp := s.Do(t, tt.req)
				if resp.Status != tt.wantStatus {
					t.Fatalf("status = %d, want %d; body %s", resp.Status, tt.wantStatus, resp.Body)
				}
				pr := resp.Problem(t)
				if pr.Type != tt.wantType || fmt.Sprint(pr.Errors) != fmt.Sprint(tt.wantErrors) {
					t.Errorf("problem = %s %v, want %s %v", pr.Type, pr.Errors, tt.wantType, tt.wantErrors)
				}
				// A visit refused for its token never queues for the writer.
				if tt.req.Method == "POST" && (tt.wantStatus == 401 || tt.wantStatus == 403 || tt.wantStatus == 404) {
					if got := writes() - before; got != 0 {
						t.Errorf("the refusal ran %d write transactions, want 0", got)
					}
				}
			})
		}
		// None of the refused requests moved gold or wrote a visit.
		if got := getPlayer(t, s, p.path).Gold; got != first.Balance {
			t.Errorf("gold after refused visits = %d, want %d", got, first.Balance)
		}
		var log generated.VisitList
		s.Do(t, apitest.Request{Method: "GET", Path: p.path + "/visits"}).JSON(t, &log)
		if len(log.Items) != 1 || log.Items[0].Id != first.Id {
			t.Errorf("log after refused visits = %+v, want only the keyed visit %d", log.Items, first.Id)
		}
	})
}

func TestActivityLog(t *testing.T) {
	eachStore(t, func(t *testing.T, s *apitest.Server) {
		p := newPlayer(t, s, "Hattori", "Hanzo")
		var want []int64
		for range 5 {
			_, v := visit(t, s, p, farm, "")
			want = append([]int64{v.Id}, want...) // newest first
		}
		var got []int64
		path := p.path + "/visits?limit=2"
		for pages := 0; path != ""; pages++ {
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			resp := s.Do(t, apitest.Request{Method: "GET", Path: path})
			var page generated.VisitList
			resp.JSON(t, &page)
			for _, v := range page.Items {
				got = append(got, v.Id)
			}
			path = ""
			if next, err := page.NextCursor.Get(); err == nil {
				path = p.path + "/visits?limit=2&cursor=" + next
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("log ids = %v, want newest first %v", got, want)
		}

		t.Run("as CSV", func(t *testing.T) {
			resp := s.Do(t, apitest.Request{Method: "GET", Path: p.path + "/visits", Header: map[string]string{"Accept": "text/csv"}})
			if ct := resp.Header.Get("Content-Type"); ct != csvType {
				t.Errorf("Content-Type = %q, want %q", ct, csvType)
			}
			rows, err := csv.NewReader(strings.NewReader(string(resp.Body))).ReadAll()
			if err != nil || len(rows) != 6 {
				t.Fatalf("CSV rows = %d (%v), want header + 5", len(rows), err)
			}
			if n := strings.Count(string(resp.Body), "\r\n"); n != 6 || !strings.HasSuffix(string(resp.Body), "\r\n") {
				t.Errorf("%d CRLF line ends, want one per row (RFC 4180)", n)
			}
			if strings.Join(rows[0], ",") != "id,player_id,location_id,location_name,gold,balance,message,created_at" {
				t.Errorf("header = %v", rows[0])
			}
			// Every row says what the JSON item of the same visit says.
			var list generated.VisitList
			s.Do(t, apitest.Request{Method: "GET", Path: p.path + "/visits"}).JSON(t, &list)
			if len(list.Items) != 5 {
				t.Fatalf("JSON items = %d, want 5", len(list.Items))
			}
			for i, v := range list.Items {
				wantRow := []string{fmt.Sprint(v.Id), fmt.Sprint(v.PlayerId), fmt.Sprint(v.LocationId), v.LocationName,
					fmt.Sprint(v.Gold), fmt.Sprint(v.Balance), v.Message}
				if got := rows[i+1][:7]; strings.Join(got, "|") != strings.Join(wantRow, "|") {
					t.Errorf("row %d = %v, want %v", i+1, got, wantRow)
				}
			}
			if rows[1][0] != fmt.Sprint(want[0]) || rows[1][3] != "Farm" {
				t.Errorf("first row = %v, want visit %d at the Farm", rows[1], want[0])
			}

			// A CSV page has no next_cursor: its Link header is the way
			// on, and following it gives the whole log, newest first.
			var ids []string
			path := p.path + "/visits?limit=2"
			for pages := 0; path != ""; pages++ {
				if pages > 10 {
					t.Fatal("CSV pagination does not end")
				}
				resp := s.Do(t, apitest.Request{Method: "GET", Path: path, Header: map[string]string{"Accept": "text/csv"}})
				rows, err := csv.NewReader(strings.NewReader(string(resp.Body))).ReadAll()
				if err != nil || len(rows) < 2 {
					t.Fatalf("GET %s as CSV: %d %v %s", path, resp.Status, err, resp.Body)
				}
				for _, row := range rows[1:] {
					ids = append(ids, row[0])
				}
				path = ""
				if link := resp.Header.Get("Link"); link != "" {
					path = strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
				}
			}
			if fmt.Sprint(ids) != fmt.Sprint(want) {
				t.Errorf("CSV pages' ids = %v, want %v", ids, want)
			}
		})

		t.Run("history survives editing and deleting the location", func(t *testing.T) {
			loc, _ := createLocation(t, s, `{"name":"Dojo","min_gold":7,"max_gold":7}`)
			_, v := visit(t, s, p, loc.Id, "")
			path := fmt.Sprintf("/locations/%d", loc.Id)
			s.Do(t, apitest.Request{Method: "PATCH", Path: path, Token: admin,
				Header: map[string]string{"Content-Type": "application/merge-patch+json"}, Body: `{"name":"Renamed","max_gold":9}`})
			s.Do(t, apitest.Request{Method: "DELETE", Path: path, Token: admin})
			var after generated.Visit
			s.Do(t, apitest.Request{Method: "GET", Path: fmt.Sprintf("%s/visits/%d", p.path, v.Id)}).JSON(t, &after)
			if after.LocationName != "Dojo" || after.Gold != 7 {
				t.Errorf("visit after edit+delete = %+v, want Dojo and 7 gold", after)
			}
		})
	})
}

func TestLeaderboard(t *testing.T) {
	eachStore(t, func(t *testing.T, s *apitest.Server) {
		// Fixed-amount locations make the balances exact.
		ten, _ := createLocation(t, s, `{"name":"Ten","min_gold":10,"max_gold":10}`)
		minus, _ := createLocation(t, s, `{"name":"Minus","min_gold":-5,"max_gold":-5}`)
		a := newPlayer(t, s, "Aa", "One")   // 20
		b := newPlayer(t, s, "Bb", "Two")   // -5
		c := newPlayer(t, s, "Cc", "Three") // 10
		d := newPlayer(t, s, "Dd", "Four")  // 10 (ties with c, later id)
		visit(t, s, a, ten.Id, "")
		visit(t, s, a, ten.Id, "")
		visit(t, s, b, minus.Id, "")
		visit(t, s, c, ten.Id, "")
		visit(t, s, d, ten.Id, "")
		// Gold may go below zero: the order below would hide a floor at 0.
		for _, pg := range []struct {
			p    player
			gold int64
		}{{a, 20}, {b, -5}, {c, 10}, {d, 10}} {
			if got := getPlayer(t, s, pg.p.path).Gold; got != pg.gold {
				t.Errorf("player %d gold = %d, want %d", pg.p.Id, got, pg.gold)
			}
		}

		tests := []struct {
			query string
			want  []int64
		}{
			{"", []int64{a.Id, c.Id, d.Id, b.Id}},
			{"?sort=-gold", []int64{a.Id, c.Id, d.Id, b.Id}},
			{"?sort=gold", []int64{b.Id, c.Id, d.Id, a.Id}},
			{"?sort=created_at", []int64{a.Id, b.Id, c.Id, d.Id}},
			{"?sort=-created_at", []int64{d.Id, c.Id, b.Id, a.Id}},
		}
		for _, tt := range tests {
			t.Run("sort"+tt.query, func(t *testing.T) {
				var got []int64
				sep := "?"
				if tt.query != "" {
					sep = "&"
				}
				path := "/players" + tt.query + sep + "limit=1"
				for pages := 0; path != ""; pages++ {
					if pages > 10 {
						t.Fatal("pagination does not end")
					}
					resp := s.Do(t, apitest.Request{Method: "GET", Path: path})
					var page generated.PlayerList
					resp.JSON(t, &page)
					for _, p := range page.Items {
						got = append(got, p.Id)
					}
					path = ""
					if link := resp.Header.Get("Link"); link != "" {
						path = strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Errorf("order = %v, want %v", got, tt.want)
				}
			})
		}
		t.Run("a cursor from another sort is refused", func(t *testing.T) {
			var page generated.PlayerList
			s.Do(t, apitest.Request{Method: "GET", Path: "/players?limit=1&sort=gold"}).JSON(t, &page)
			next, _ := page.NextCursor.Get()
			resp := s.Do(t, apitest.Request{Method: "GET", Path: "/players?sort=-created_at&cursor=" + next})
			if resp.Status != 400 || resp.Problem(t).Errors["cursor"] == "" {
				t.Errorf("got %d %s, want 400 on cursor", resp.Status, resp.Body)
			}
		})
	})
}

func TestDeletePlayer(t *testing.T) {
	eachStore(t, func(t *testing.T, s *apitest.Server) {
		for _, by := range []string{"self", "admin"} {
			t.Run("by "+by, func(t *testing.T) {
				p := newPlayer(t, s, "Hattori", "Hanzo")
				_, v := visit(t, s, p, farm, "k1")
				token := p.Token
				if by == "admin" {
					token = admin
				}
				if resp := s.Do(t, apitest.Request{Method: "DELETE", Path: p.path, Token: token}); resp.Status != http.StatusNoContent {
					t.Fatalf("delete = %d %s, want 204", resp.Status, resp.Body)
				}
				for _, path := range []string{p.path, p.path + "/visits", fmt.Sprintf("%s/visits/%d", p.path, v.Id)} {
					if resp := s.Do(t, apitest.Request{Method: "GET", Path: path}); resp.Status != http.StatusNotFound {
						t.Errorf("GET %s after delete = %d, want 404", path, resp.Status)
					}
				}
				// The token died with the player.
				if resp, _ := visit(t, s, p, farm, ""); resp.Status != http.StatusUnauthorized {
					t.Errorf("visit with a deleted player's token = %d, want 401", resp.Status)
				}
			})
		}
	})
}

func TestIdempotency(t *testing.T) {
	eachStore(t, func(t *testing.T, s *apitest.Server) {
		p := newPlayer(t, s, "Hattori", "Hanzo")

		first, v1 := visit(t, s, p, casino, "key-1")
		if first.Status != http.StatusCreated || first.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("first = %d replayed=%q", first.Status, first.Header.Get("Idempotent-Replayed"))
		}
		t.Run("a retry returns the first response and changes nothing", func(t *testing.T) {
			again, v2 := visit(t, s, p, casino, "key-1")
			if again.Status != http.StatusCreated || v2 != v1 {
				t.Errorf("retry = %d %+v, want 201 %+v", again.Status, v2, v1)
			}
			if again.Header.Get("Idempotent-Replayed") != "true" || again.Header.Get("Location") != first.Header.Get("Location") {
				t.Errorf("retry headers = %v", again.Header)
			}
			if got := getPlayer(t, s, p.path).Gold; got != int64(v1.Gold) {
				t.Errorf("gold = %d, want %d (one visit)", got, v1.Gold)
			}
		})
		t.Run("the same key with another body is a 422", func(t *testing.T) {
			resp, _ := visit(t, s, p, farm, "key-1")
			if resp.Status != http.StatusUnprocessableEntity {
				t.Fatalf("got %d %s", resp.Status, resp.Body)
			}
			pr := resp.Problem(t)
			want := map[string]string{"Idempotency-Key": "Idempotency-Key was already used with a different request"}
			if pr.Type != "/problems/idempotency-key-reused" || pr.Detail != "This Idempotency-Key was used for a different request." || !maps.Equal(pr.Errors, want) {
				t.Errorf("got type %q, detail %q, errors %v; want the key named as the field", pr.Type, pr.Detail, pr.Errors)
			}
			if got := getPlayer(t, s, p.path).Gold; got != int64(v1.Gold) {
				t.Errorf("gold = %d, want %d", got, v1.Gold)
			}
		})
		t.Run("spaces around a key are not part of it", func(t *testing.T) {
			// HTTP drops them from a header's value (the contract says so).
			for _, key := range []string{" key-1", "key-1  ", "\tkey-1 "} {
				again, v := visit(t, s, p, casino, key)
				if again.Status != http.StatusCreated || v != v1 || again.Header.Get("Idempotent-Replayed") != "true" {
					t.Errorf("visit with key %q = %d %+v (replayed %q), want the replay of key-1's %+v",
						key, again.Status, v, again.Header.Get("Idempotent-Replayed"), v1)
				}
			}
			resp, _ := visit(t, s, p, casino, "   ")
			if want := "Idempotency-Key must not be empty"; resp.Status != http.StatusBadRequest || resp.Problem(t).Errors["Idempotency-Key"] != want {
				t.Errorf("visit with a key of spaces = %d %s, want 400 %q", resp.Status, resp.Body, want)
			}
			if got := getPlayer(t, s, p.path).Gold; got != int64(v1.Gold) {
				t.Errorf("gold = %d, want %d (one visit)", got, v1.Gold)
			}
		})
		t.Run("keys are scoped to the player", func(t *testing.T) {
			q := newPlayer(t, s, "Fuma", "Kotaro")
			resp, v := visit(t, s, q, casino, "key-1")
			if resp.Status != http.StatusCreated || v.Id == v1.Id || resp.Header.Get("Idempotent-Replayed") != "" {
				t.Errorf("other player's visit with the same key = %d %+v", resp.Status, v)
			}
		})
		t.Run("an operation that takes no key ignores one", func(t *testing.T) {
			// POST /players declares no Idempotency-Key: two requests with the
			// same key (even one a visit has used) are two sign-ups.
			var ids []int64
			for range 2 {
				resp := s.Do(t, apitest.Request{Method: "POST", Path: "/players",
					Body:   `{"first_name":"Fujibayashi","last_name":"Nagato"}`,
					Header: map[string]string{"Idempotency-Key": "key-1"}})
				var created generated.NewPlayerResult
				resp.JSON(t, &created)
				if resp.Status != http.StatusCreated || resp.Header.Get("Idempotent-Replayed") != "" {
					t.Fatalf("POST /players with a key = %d replayed=%q", resp.Status, resp.Header.Get("Idempotent-Replayed"))
				}
				ids = append(ids, created.Id)
			}
			if ids[0] == ids[1] {
				t.Errorf("two POST /players with one key created one player (%d)", ids[0])
			}
		})
		t.Run("concurrent duplicates create exactly one visit", func(t *testing.T) {
			q := newPlayer(t, s, "Momochi", "Sandayu")
			const n = 32
			ids := make([]int64, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					resp, v := visit(t, s, q, casino, "same-key")
					if resp.Status != http.StatusCreated {
						t.Errorf("duplicate %d: %d %s", i, resp.Status, resp.Body)
					}
					ids[i] = v.Id
				})
			}
			wg.Wait()
			for _, id := range ids {
				if id != ids[0] {
					t.Fatalf("duplicates returned different visits: %v", ids)
				}
			}
			var log generated.VisitList
			s.Do(t, apitest.Request{Method: "GET", Path: q.path + "/visits"}).JSON(t, &log)
			if len(log.Items) != 1 {
				t.Errorf("log has %d visits, want 1", len(log.Items))
			}
			if got := getPlayer(t, s, q.path).Gold; got != int64(log.Items[0].Gold) {
				t.Errorf("gold = %d, want %d", got, log.Items[0].Gold)
			}
		})
	})
}

// 64 concurrent visits to one player leave gold equal to the sum of the
// visits' amounts: no lost update, no partial write.
func TestConcurrentVisitsAreExact(t *testing.T) {
	eachStore(t, func(t *testing.T, s *apitest.Server) {
		p := newPlayer(t, s, "Hattori", "Hanzo")
		const n = 64
		golds := make([]int32, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				resp, v := visit(t, s, p, int64(i%4+1), "")
				if resp.Status != http.StatusCreated {
					t.Errorf("visit %d: %d %s", i, resp.Status, resp.Body)
				}
				golds[i] = v.Gold
			})
		}
		wg.Wait()
		var sum int64
		for _, g := range golds {
			sum += int64(g)
		}
		if got := getPlayer(t, s, p.path).Gold; got != sum {
			t.Errorf("gold = %d, want the sum of the %d visits %d", got, n, sum)
		}
		var log generated.VisitList
		s.Do(t, apitest.Request{Method: "GET", Path: p.path + "/visits?limit=100"}).JSON(t, &log)
		if len(log.Items) != n {
			t.Errorf("log has %d visits, want %d", len(log.Items), n)
		}
		// Each visit's balance is the running total in commit order.
		var running int64
		for i := len(log.Items) - 1; i >= 0; i-- {
			running += int64(log.Items[i].Gold)
			if log.Items[i].Balance != running {
				t.Fatalf("visit %d balance = %d, want running total %d", log.Items[i].Id, log.Items[i].Balance, running)
			}
		}
	})
}

// TestDefaultPageSize: without limit, each list serves the contract's
// default of 20 items a page, and its Link header leads to the rest, on the
// list's own path.
func TestDefaultPageSize(t *testing.T) {
	eachStore(t, func(t *testing.T, s *apitest.Server) {
		p := newPlayer(t, s, "Hattori", "Hanzo")
		for i := range 21 {
			createLocation(t, s, fmt.Sprintf(`{"name":"Place %d","min_gold":1,"max_gold":2}`, i))
			newPlayer(t, s, "Fuma", fmt.Sprintf("Kotaro %d", i))
			if resp, _ := visit(t, s, p, 1, ""); resp.Status != http.StatusCreated {
				t.Fatalf("visit: %d %s", resp.Status, resp.Body)
			}
		}
		for _, c := range []struct {
			path string
			all  int
		}{
			{"/locations", 4 + 21},
			{"/players", 1 + 21},
			{p.path + "/visits", 21},
		} {
			t.Run(c.path, func(t *testing.T) {
				seen := map[int64]bool{}
				path := c.path
				for pages := 0; path != ""; pages++ {
					resp := s.Do(t, apitest.Request{Method: "GET", Path: path})
					if resp.Status != 200 {
						t.Fatalf("GET %s: %d %s", path, resp.Status, resp.Body)
					}
					var page struct {
						Items []struct {
							Id int64 `json:"id"`
						} `json:"items"`
						NextCursor *string `json:"next_cursor"`
					}
					resp.JSON(t, &page)
					if want := min(20, c.all-20*pages); len(page.Items) != want {
						t.Fatalf("page %d of %s holds %d items, want %d", pages+1, c.path, len(page.Items), want)
					}
					for _, it := range page.Items {
						if seen[it.Id] {
							t.Fatalf("item %d twice", it.Id)
						}
						seen[it.Id] = true
					}
					link := resp.Header.Get("Link")
					if page.NextCursor == nil {
						if link != "" {
							t.Errorf("last page has Link %q", link)
						}
						break
					}
					want := "<" + c.path + "?cursor=" + *page.NextCursor
					if !strings.HasPrefix(link, want) || !strings.HasSuffix(link, `>; rel="next"`) {
						t.Fatalf("Link = %q, want %s…>; rel=\"next\"", link, want)
					}
					path = strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
				}
				if len(seen) != c.all {
					t.Errorf("%d items over all pages, want %d", len(seen), c.all)
				}
			})
		}
	})
}
