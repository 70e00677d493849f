package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	ninjagold "github.com/ninjagold/ninjagold-api"

	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

func TestRequestID(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	t.Run("a valid id is echoed and carried in the problem", func(t *testing.T) {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: "/players/999", Header: map[string]string{"X-Request-ID": "trace-42.a_b"}})
		if got := resp.Header.Get("X-Request-ID"); got != "trace-42.a_b" {
			t.Errorf("X-Request-ID = %q, want trace-42.a_b", got)
		}
		if p := resp.Problem(t); p.Instance == nil || *p.Instance != "/players/999#trace-42.a_b" {
			t.Errorf("instance = %v, want /players/999#trace-42.a_b", p.Instance)
		}
	})
	t.Run("an invalid id is replaced", func(t *testing.T) {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: "/healthz", Header: map[string]string{"X-Request-ID": "bad id\twith spaces"}})
		if got := resp.Header.Get("X-Request-ID"); len(got) != 32 || strings.ContainsAny(got, " \t") {
			t.Errorf("X-Request-ID = %q, want a generated 32-hex id", got)
		}
	})
	t.Run("an id of up to 128 characters is kept, a longer one replaced", func(t *testing.T) {
		for _, n := range []int{128, 129} {
			id := strings.Repeat("a", n)
			got := s.Do(t, apitest.Request{Method: "GET", Path: "/healthz", Header: map[string]string{"X-Request-ID": id}}).Header.Get("X-Request-ID")
			if kept := got == id; kept != (n <= 128) || len(got) != 32 && !kept {
				t.Errorf("%d characters: X-Request-ID %q; want it kept up to 128, a generated one past", n, got)
			}
		}
	})
	t.Run("every response has one, and the security headers", func(t *testing.T) {
		for _, path := range []string{"/locations", "/nowhere", "/docs"} {
			resp := s.Do(t, apitest.Request{Method: "GET", Path: path})
			if resp.Header.Get("X-Request-ID") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
				resp.Header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("%s: headers %v", path, resp.Header)
			}
		}
	})
}

// TestAccessLog reads a request's access line. Its client is the address
// the rate limiter goes by: the connection's, or with the connection from
// a trusted proxy, the address that proxy forwarded.
func TestAccessLog(t *testing.T) {
	tests := []struct {
		name       string
		trusted    []string
		forwarded  string
		wantClient string
	}{
		{"direct", nil, "", "127.0.0.1"},
		{"forwarded by a proxy not trusted", nil, "203.0.113.9", "127.0.0.1"},
		{"forwarded by a trusted proxy", []string{"127.0.0.1", "::1"}, "203.0.113.9", "203.0.113.9"},
		{"forwarded by a trusted proxy, IPv6", []string{"127.0.0.1", "::1"}, "2001:db8::7", "2001:db8::7"},
		{"forwarded by a trusted proxy, IPv4 mapped into IPv6", []string{"127.0.0.1", "::1"}, "::ffff:203.0.113.9", "203.0.113.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := apitest.NewServer(t, apitest.Options{Config: api.Config{TrustedProxies: tt.trusted}})
			req := apitest.Request{Method: "GET", Path: "/locations/1", Token: "secret-token-value"}
			if tt.forwarded != "" {
				req.Header = map[string]string{"X-Forwarded-For": tt.forwarded}
			}
			resp := s.Do(t, req)
			id := resp.Header.Get("X-Request-ID")
			var line *slog.Record
			for i, r := range *s.Log {
				if r.Message == "request" {
					line = &(*s.Log)[i]
				}
			}
			if line == nil {
				t.Fatal("no access log line")
			}
			got := map[string]string{}
			line.Attrs(func(a slog.Attr) bool { got[a.Key] = a.Value.String(); return true })
			want := map[string]string{"method": "GET", "route": "/locations/:id", "operation": "getLocation", "status": "200",
				"client": tt.wantClient, "request_id": id}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("log %s = %q, want %q", k, got[k], v)
				}
			}
			if got["bytes"] == "0" || got["duration"] == "" || got["duration"] == "0s" {
				t.Errorf("log line = %v, want bytes and duration", got)
			}
			if strings.Contains(fmt.Sprint(got), "secret-token-value") {
				t.Error("the access log contains the bearer token")
			}
		})
	}
}

// A request no operation matches may have any token for its method, up to
// the request line's 1 MiB: its access line and its 405 repeat 32 bytes of
// it, or one client could write the log a megabyte a request.
func TestLongMethodIsCutShort(t *testing.T) {
	tests := []struct {
		name, method, shown string
	}{
		{"far past the bound", strings.Repeat("A", 100_000), strings.Repeat("A", 32) + "…"},
		{"one past the bound", strings.Repeat("B", 33), strings.Repeat("B", 32) + "…"},
		{"at the bound, shown whole", strings.Repeat("C", 32), strings.Repeat("C", 32)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := apitest.NewServer(t, apitest.Options{})
			resp := s.Do(t, apitest.Request{Method: tt.method, Path: "/locations"})
			if resp.Status != http.StatusMethodNotAllowed {
				t.Fatalf("status %d, want 405", resp.Status)
			}
			if p := resp.Problem(t); !strings.HasPrefix(p.Detail, tt.shown+" is not supported here") {
				t.Errorf("405 detail %.80q…, want it to start %q", p.Detail, tt.shown+" is not supported here")
			}
			var logged []string
			for _, r := range *s.Log {
				r.Attrs(func(a slog.Attr) bool {
					if a.Key == "method" {
						logged = append(logged, a.Value.String())
					}
					return true
				})
			}
			if len(logged) != 1 || logged[0] != tt.shown {
				t.Errorf("logged methods %.80q, want [%q]", logged, tt.shown)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	s.Do(t, apitest.Request{Method: "GET", Path: "/locations"})
	s.Do(t, apitest.Request{Method: "GET", Path: "/players/999"})
	resp := s.Do(t, apitest.Request{Method: "GET", Path: "/metrics"})
	if resp.Status != 200 || resp.Header.Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
		t.Fatalf("got %d %q, want 200 in the Prometheus text format 0.0.4", resp.Status, resp.Header.Get("Content-Type"))
	}
	body := string(resp.Body)
	// What scrapers ask for: prom2json names the text format's version and
	// no */*; a version this server does not write is a 406.
	for accept, want := range map[string]int{
		"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3": 200,
		"text/plain;version=0.0.4":  200,
		"text/plain":                200,
		"text/plain; version=1.0.0": http.StatusNotAcceptable,
	} {
		if got := s.Do(t, apitest.Request{Method: "GET", Path: "/metrics", Header: map[string]string{"Accept": accept}}); got.Status != want {
			t.Errorf("Accept %s: status %d, want %d", accept, got.Status, want)
		}
	}
	for _, want := range []string{
		`ninjagold_http_requests_total{operation="listLocations",status="200"} 1`,
		`ninjagold_http_requests_total{operation="getPlayer",status="404"} 1`,
		`ninjagold_http_request_duration_seconds_bucket{operation="listLocations",status="200",le="+Inf"} 1`,
		`ninjagold_http_requests_in_flight 1`,
		`ninjagold_db_pool_max_connections{pool="write"} 1`,
		`ninjagold_idempotency_key_purge_deletions_total 0`,
		`ninjagold_idempotency_key_purge_keys_total 0`,
		`ninjagold_idempotency_key_purge_failures_total 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestRateLimit(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{Config: api.Config{RateLimit: api.RateLimit{Rate: 0.001, Burst: 3}}})
	start := time.Now()
	for i := range 3 {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations"})
		if resp.Status != 200 {
			t.Fatalf("request %d: %d", i, resp.Status)
		}
		// A token per 1,000 s: after i+1 requests the bucket is full again
		// in (i+1)*1,000 s, less what has refilled since the first request
		// (t is rounded up, so a slow machine may see a second or so less).
		elapsed := int(time.Since(start).Seconds())
		var r, tt int
		if _, err := fmt.Sscanf(resp.Header.Get("RateLimit"), `"default";r=%d;t=%d`, &r, &tt); err != nil ||
			r != 2-i || tt > 1000*(i+1) || tt < 1000*(i+1)-elapsed {
			t.Errorf("RateLimit = %q, want r=%d and t=%d (or up to %d s less)", resp.Header.Get("RateLimit"), 2-i, 1000*(i+1), elapsed)
		}
		if got := resp.Header.Get("RateLimit-Policy"); got != `"default";q=3;w=3000` {
			t.Errorf("RateLimit-Policy = %q", got)
		}
	}
	resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations"})
	if resp.Status != http.StatusTooManyRequests || resp.Problem(t).Type != "/problems/rate-limited" {
		t.Fatalf("4th request = %d %s, want 429 rate-limited", resp.Status, resp.Body)
	}
	ra := resp.Header.Get("Retry-After")
	if ra == "" || ra == "0" || ra == "1" {
		t.Errorf("Retry-After = %q, want over a second (a token per 1,000 s)", ra)
	}
	if p := resp.Problem(t); p.Detail != "Too many requests; try again in "+ra+" seconds." {
		t.Errorf("detail = %q, want it to name Retry-After's %s seconds", p.Detail, ra)
	}
	t.Run("seconds rounded up where the rate does not divide", func(t *testing.T) {
		// 10 requests at 3 a second: 3.33 s to fill from empty, 0.33 s
		// for the one spent.
		s := apitest.NewServer(t, apitest.Options{Config: api.Config{RateLimit: api.RateLimit{Rate: 3, Burst: 10}}})
		resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations"})
		if got := resp.Header.Get("RateLimit-Policy"); got != `"default";q=10;w=4` {
			t.Errorf("RateLimit-Policy = %q, want q=10;w=4", got)
		}
		if got := resp.Header.Get("RateLimit"); got != `"default";r=9;t=1` {
			t.Errorf("RateLimit = %q, want r=9;t=1", got)
		}
	})
	t.Run("forwarding headers from a client that is no trusted proxy change nothing", func(t *testing.T) {
		s := apitest.NewServer(t, apitest.Options{Config: api.Config{RateLimit: api.RateLimit{Rate: 0.001, Burst: 1}}})
		for i, h := range []map[string]string{
			nil,
			{"X-Forwarded-For": "192.0.2.1"},
			{"X-Real-IP": "192.0.2.2"},
			{"X-Forwarded-For": "192.0.2.3, 192.0.2.4"},
		} {
			want := http.StatusTooManyRequests
			if i == 0 {
				want = http.StatusOK
			}
			if got := s.Do(t, apitest.Request{Method: "GET", Path: "/locations", Header: h}).Status; got != want {
				t.Errorf("request %d with %v: %d, want %d", i+1, h, got, want)
			}
		}
	})
	t.Run("an IPv6 /64 is one client", func(t *testing.T) {
		s := apitest.NewServer(t, apitest.Options{Config: api.Config{
			RateLimit: api.RateLimit{Rate: 0.001, Burst: 1}, TrustedProxies: []string{"127.0.0.1", "::1"}}})
		from := func(ip string) int {
			return s.Do(t, apitest.Request{Method: "GET", Path: "/locations", Header: map[string]string{"X-Forwarded-For": ip}}).Status
		}
		if got := from("2001:db8:1:2::1"); got != http.StatusOK {
			t.Fatalf("first request from the /64: %d, want 200", got)
		}
		if got := from("2001:db8:1:2::abcd"); got != http.StatusTooManyRequests {
			t.Errorf("another address of the same /64: %d, want 429", got)
		}
		if got := from("2001:db8:1:3::1"); got != http.StatusOK {
			t.Errorf("an address of another /64: %d, want 200", got)
		}
	})
	t.Run("a bearer token is a client of its own only once proven", func(t *testing.T) {
		// A made-up token is the same client at the same address: a new
		// token per request must not get round the limit.
		for _, token := range []string{"someone", "someone-else"} {
			resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations", Token: token})
			if resp.Status != http.StatusTooManyRequests {
				t.Errorf("with token %q: status %d, want 429", token, resp.Status)
			}
		}
		resp := s.Do(t, apitest.Request{Method: "POST", Path: "/players", Token: "made-up",
			Body: `{"first_name":"Hattori","last_name":"Hanzo"}`})
		if resp.Status != http.StatusTooManyRequests {
			t.Errorf("POST /players with a made-up token: status %d, want 429", resp.Status)
		}
		// The admin token has a bucket of its own, for what needs it: a
		// public operation is the address's.
		if resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations", Token: apitest.AdminToken}); resp.Status != http.StatusTooManyRequests {
			t.Errorf("GET /locations with the admin token: status %d, want 429 (the address's bucket)", resp.Status)
		}
		if resp := s.Do(t, apitest.Request{Method: "PATCH", Path: "/locations/1", Token: apitest.AdminToken,
			Header: map[string]string{"Content-Type": "application/merge-patch+json"}, Body: `{"description":"Tilled."}`}); resp.Status != http.StatusOK {
			t.Errorf("PATCH /locations/1 with the admin token: status %d %s, want 200 (a bucket of its own)", resp.Status, resp.Body)
		}

		// A player's token, once a request bearing it got through and was
		// found the player's, is its own client: past its address's limit.
		s := apitest.NewServer(t, apitest.Options{Config: api.Config{RateLimit: api.RateLimit{Rate: 0.001, Burst: 2}}})
		p := madePlayer(t, s, "")
		visits := fmt.Sprintf("/players/%d/visits", p.ID)
		if resp := s.Do(t, apitest.Request{Method: "POST", Path: visits, Token: p.Token, Body: `{"location_id":1}`}); resp.Status != http.StatusCreated {
			t.Fatalf("the visit that proves the token, on the address's last request: %d %s", resp.Status, resp.Body)
		}
		for _, c := range []struct {
			name string
			req  apitest.Request
			want int
		}{
			{"a visit with no token", apitest.Request{Method: "POST", Path: visits, Body: `{"location_id":1}`}, http.StatusTooManyRequests},
			{"a visit with a made-up token", apitest.Request{Method: "POST", Path: visits, Token: "made-up", Body: `{"location_id":1}`}, http.StatusTooManyRequests},
			{"a visit with the proven token", apitest.Request{Method: "POST", Path: visits, Token: p.Token, Body: `{"location_id":1}`}, http.StatusCreated},
			// The players an address makes are the address's to pay for,
			// whatever token comes with the request: a proven token
			// cannot pay for more players, each a bucket more.
			{"POST /players with the proven token", apitest.Request{Method: "POST", Path: "/players", Token: p.Token,
				Body: `{"first_name":"Fuma","last_name":"Kotaro"}`}, http.StatusTooManyRequests},
			{"a visit with the proven token again", apitest.Request{Method: "POST", Path: visits, Token: p.Token, Body: `{"location_id":1}`}, http.StatusCreated},
			{"a visit with the proven token past its burst", apitest.Request{Method: "POST", Path: visits, Token: p.Token, Body: `{"location_id":1}`}, http.StatusTooManyRequests},
		} {
			if resp := s.Do(t, c.req); resp.Status != c.want {
				t.Errorf("%s: status %d %s, want %d", c.name, resp.Status, resp.Body, c.want)
			}
		}
	})
	t.Run("a proven player token's answers show the allowance its address's players share", func(t *testing.T) {
		s := apitest.NewServer(t, apitest.Options{Config: api.Config{RateLimit: api.RateLimit{Rate: 0.001, Burst: 2}}})
		p := madePlayer(t, s, "")
		start := time.Now()
		visit := apitest.Request{Method: "POST", Path: fmt.Sprintf("/players/%d/visits", p.ID), Token: p.Token, Body: `{"location_id":1}`}
		for i, want := range []string{`"default";q=2;w=2000`, `"default";q=2;w=2000, "players";q=20;w=2000`} {
			resp := s.Do(t, visit)
			if resp.Status != http.StatusCreated {
				t.Fatalf("visit %d: %d %s", i+1, resp.Status, resp.Body)
			}
			if got := resp.Header.Get("RateLimit-Policy"); got != want {
				t.Errorf("visit %d: RateLimit-Policy = %q, want %q", i+1, got, want)
			}
		}
		// The second visit spent one of the token's two (refilled in
		// 1,000 s) and one of the shared twenty (in 100 s), t rounded up.
		resp := s.Do(t, visit)
		elapsed := int(time.Since(start).Seconds())
		var r, tt, sr, st int
		if _, err := fmt.Sscanf(resp.Header.Get("RateLimit"), `"default";r=%d;t=%d, "players";r=%d;t=%d`, &r, &tt, &sr, &st); err != nil ||
			resp.Status != http.StatusCreated || r != 0 || sr != 18 || tt > 2000 || tt < 2000-elapsed || st > 200 || st < 200-elapsed {
			t.Errorf("third visit: %d, RateLimit = %q (%v); want 201, r=0;t=2000 and r=18;t=200 (or up to %d s less)",
				resp.Status, resp.Header.Get("RateLimit"), err, elapsed)
		}
	})
	t.Run("the allowance an address's players share, spent, refuses even a full token", func(t *testing.T) {
		// Each player made and proven from an address of its own, then
		// all playing from one more: ten spend its shared twenty.
		s := apitest.NewServer(t, apitest.Options{Config: api.Config{
			RateLimit: api.RateLimit{Rate: 0.001, Burst: 2}, TrustedProxies: []string{"127.0.0.1", "::1"}}})
		visit := func(p limitedPlayer, from string) *apitest.Response {
			return s.Do(t, apitest.Request{Method: "POST", Path: fmt.Sprintf("/players/%d/visits", p.ID), Token: p.Token,
				Body: `{"location_id":1}`, Header: map[string]string{"X-Forwarded-For": from}})
		}
		var players []limitedPlayer
		for i := range 11 {
			from := fmt.Sprintf("192.0.2.%d", i+1)
			p := madePlayer(t, s, from)
			if resp := visit(p, from); resp.Status != http.StatusCreated {
				t.Fatalf("the visit that proves player %d: %d %s", i, resp.Status, resp.Body)
			}
			players = append(players, p)
		}
		for i, p := range players[:10] {
			for j := range 2 {
				if resp := visit(p, "198.51.100.7"); resp.Status != http.StatusCreated {
					t.Fatalf("player %d, visit %d from the shared address: %d %s", i, j, resp.Status, resp.Body)
				}
			}
		}
		resp := visit(players[10], "198.51.100.7")
		if resp.Status != http.StatusTooManyRequests {
			t.Fatalf("the eleventh player, its own two left: %d %s, want 429", resp.Status, resp.Body)
		}
		var r, tt, sr, st int
		if _, err := fmt.Sscanf(resp.Header.Get("RateLimit"), `"default";r=%d;t=%d, "players";r=%d;t=%d`, &r, &tt, &sr, &st); err != nil ||
			r != 2 || tt != 0 || sr != 0 || st < 1990 || st > 2000 {
			t.Errorf("RateLimit = %q (%v), want its own r=2;t=0 and the shared r=0;t=2000 (or a few seconds less)", resp.Header.Get("RateLimit"), err)
		}
		if ra := resp.Header.Get("Retry-After"); ra != "100" && ra != "99" {
			t.Errorf("Retry-After = %q, want 100 s for a shared token, at ten times the rate", ra)
		}
		if resp := visit(players[10], "198.51.100.8"); resp.Status != http.StatusCreated {
			t.Errorf("the eleventh player from another address: %d %s, want that address's shared allowance", resp.Status, resp.Body)
		}
	})
	// With the bucket still empty: what is never limited, a route no
	// operation declares, which answers 404 or 405 as the contract says,
	// and headers too large, refused before the limit is consulted.
	t.Run("probes, OPTIONS, undeclared routes and a 431 are never limited and carry no quota", func(t *testing.T) {
		for _, c := range []struct {
			req  apitest.Request
			want int
		}{
			{apitest.Request{Method: "GET", Path: "/healthz"}, http.StatusOK},
			{apitest.Request{Method: "GET", Path: "/readyz"}, http.StatusOK},
			{apitest.Request{Method: "GET", Path: "/metrics"}, http.StatusOK},
			{apitest.Request{Method: "OPTIONS", Path: "/locations"}, http.StatusNoContent},
			{apitest.Request{Method: "GET", Path: "/nowhere"}, http.StatusNotFound},
			{apitest.Request{Method: "DELETE", Path: "/locations"}, http.StatusMethodNotAllowed},
			{apitest.Request{Method: "GET", Path: "/locations", Header: map[string]string{"X-Padding": strings.Repeat("p", api.DefaultMaxHeaderBytes)}},
				http.StatusRequestHeaderFieldsTooLarge},
		} {
			resp := s.Do(t, c.req)
			if resp.Status != c.want {
				t.Errorf("%s %s = %d, want %d", c.req.Method, c.req.Path, resp.Status, c.want)
			}
			if q := resp.Header.Get("RateLimit") + resp.Header.Get("RateLimit-Policy"); q != "" {
				t.Errorf("%s %s carries a quota: %q", c.req.Method, c.req.Path, q)
			}
		}
	})
}

// limitedPlayer is a player the rate-limit tests made.
type limitedPlayer struct {
	ID    int64  `json:"id"`
	Token string `json:"token"`
}

// madePlayer makes a player, from the address from names in
// X-Forwarded-For unless it is "".
func madePlayer(t *testing.T, s *apitest.Server, from string) limitedPlayer {
	t.Helper()
	req := apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo"}`}
	if from != "" {
		req.Header = map[string]string{"X-Forwarded-For": from}
	}
	created := s.Do(t, req)
	var p limitedPlayer
	if err := json.Unmarshal(created.Body, &p); err != nil || created.Status != http.StatusCreated {
		t.Fatalf("POST /players from %q: %d %s", from, created.Status, created.Body)
	}
	return p
}

func TestHeaderLimit(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{Config: api.Config{MaxHeaderBytes: 1024}})
	resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations", Header: map[string]string{"X-Padding": strings.Repeat("p", 2000)}})
	if resp.Status != http.StatusRequestHeaderFieldsTooLarge || resp.Problem(t).Type != "/problems/request-header-fields-too-large" {
		t.Errorf("got %d %s, want 431", resp.Status, resp.Body)
	}
	if resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations"}); resp.Status != 200 {
		t.Errorf("small headers: %d, want 200", resp.Status)
	}
	// The target counts too, and the answer says so: a long query with
	// small headers is refused for the two together.
	resp = s.Do(t, apitest.Request{Method: "GET", Path: "/locations?x=" + strings.Repeat("q", 2000)})
	if want := "The request target and headers must be at most 1024 bytes together."; resp.Status != http.StatusRequestHeaderFieldsTooLarge ||
		resp.Problem(t).Detail != want {
		t.Errorf("a long target: %d %s, want 431 saying %q", resp.Status, resp.Body, want)
	}
	// An undeclared route answers its 404, the only answer the contract
	// declares for it.
	resp = s.Do(t, apitest.Request{Method: "GET", Path: "/nowhere", Header: map[string]string{"X-Padding": strings.Repeat("p", 2000)}})
	if resp.Status != http.StatusNotFound {
		t.Errorf("large headers to /nowhere: %d, want 404", resp.Status)
	}
	t.Run("at most, not fewer than, the limit", func(t *testing.T) {
		// Over a connection of its own, the header fields are exactly
		// these: the target (10 bytes), then "Host: ", "X-Padding: " and
		// "Connection: close", each line with ": " and CRLF counted: 50
		// bytes, the Host's and the padding. Host counts
		// though net/http moves it out of the request's Header: a long one
		// is refused as any long field is.
		//
		// An absolute target (http://x/locations, 18 bytes) carries the
		// host, and net/http takes it from there, dropping the Host field
		// unread: the host is counted once, in the target.
		for _, c := range []struct {
			target  string
			host    string
			padding int
			want    int
		}{
			{"/locations", "x", 1024 - 51, http.StatusOK},
			{"/locations", "x", 1024 - 51 + 1, http.StatusRequestHeaderFieldsTooLarge},
			{"/locations", strings.Repeat("h", 1024-51+1), 0, http.StatusOK},
			{"/locations", strings.Repeat("h", 1024-51+2), 0, http.StatusRequestHeaderFieldsTooLarge},
			{"http://x/locations", "x", 1024 - 50, http.StatusOK},
			{"http://x/locations", "x", 1024 - 50 + 1, http.StatusRequestHeaderFieldsTooLarge},
		} {
			conn := dial(t, s)
			fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nX-Padding: %s\r\nConnection: close\r\n\r\n", c.target, c.host, strings.Repeat("p", c.padding))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("GET %s, Host of %d bytes, %d bytes of padding: %d, want %d", c.target, len(c.host), c.padding, resp.StatusCode, c.want)
			}
		}
	})
}

// With every slot taken, one more request is refused at once with a 503.
func TestInFlightLimit(t *testing.T) {
	s, hold, release := newSlotHolder(t, "GetPlayer", "/players/1")
	hold()
	resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations"})
	if resp.Status != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("got %d (Retry-After %q), want 503 with Retry-After", resp.Status, resp.Header.Get("Retry-After"))
	}
	if resp := s.Do(t, apitest.Request{Method: "GET", Path: "/healthz"}); resp.Status != 200 {
		t.Errorf("/healthz while full = %d, want 200", resp.Status)
	}
	release()
	if resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations"}); resp.Status != 200 {
		t.Errorf("after release = %d, want 200", resp.Status)
	}
}

// newSlotHolder starts a server with one request slot (MaxInFlight: 1).
// hold sends GET path and returns once that request holds the slot inside
// op's handler; release lets it finish, and runs at the test's end if the
// test has not called it. Only the first request to reach op at path is
// held: a later one goes on, so that a limit gone wrong fails the test
// rather than hanging it.
func newSlotHolder(t *testing.T, op, path string) (s *apitest.Server, hold, release func()) {
	t.Helper()
	var held atomic.Bool
	entered, released := make(chan struct{}), make(chan struct{})
	holdOp := func(f generated.StrictHandlerFunc, name string) generated.StrictHandlerFunc {
		return func(c *gin.Context, req any) (any, error) {
			if name == op && c.Request.URL.Path == path && held.CompareAndSwap(false, true) {
				close(entered)
				<-released
			}
			return f(c, req)
		}
	}
	s = apitest.NewServer(t, apitest.Options{Config: api.Config{MaxInFlight: 1, StrictMiddlewares: []generated.StrictMiddlewareFunc{holdOp}}})
	var wg sync.WaitGroup
	release = sync.OnceFunc(func() {
		close(released)
		wg.Wait()
	})
	t.Cleanup(release)
	hold = func() {
		wg.Go(func() { s.Do(t, apitest.Request{Method: "GET", Path: path}) })
		<-entered
	}
	return s, hold, release
}

// newServerLosingItsStore starts a server over a fresh SQLite file and
// returns with it the closing of that file under the server: a database
// that cannot be used any more.
func newServerLosingItsStore(t *testing.T) (s *apitest.Server, lose func()) {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "gone.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s = apitest.NewServer(t, apitest.Options{Store: store})
	return s, func() { store.Close() }
}

// A request takes its slot once it has arrived whole: clients sending their
// bodies slowly, each as long as the read timeout lets it, cannot take every
// slot and turn everyone else away.
func TestInFlightSlotIsTakenOnceTheBodyHasArrived(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{Config: api.Config{MaxInFlight: 1}})
	// No deadline: the wait below for the request to arrive is longer.
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"first_name":"Hattori","last_name":"Hanzo"}`
	if _, err := fmt.Fprintf(conn, "POST /players HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:1]); err != nil {
		t.Fatal(err)
	}
	// The slow request is in the server, waiting for the rest of its body,
	// once the in-flight gauge counts it beside the /metrics request asking.
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(string(s.Do(t, apitest.Request{Method: "GET", Path: "/metrics"}).Body), "\nninjagold_http_requests_in_flight 2\n") {
		if time.Now().After(deadline) {
			t.Fatal("the slow request never reached the server")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations"}); resp.Status != http.StatusOK {
		t.Errorf("GET /locations while a body trickles in = %d, want 200", resp.Status)
	}
	// The slow request itself is served once its body is complete.
	if _, err := io.WriteString(conn, body[1:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("the slow POST /players = %d, want 201", resp.StatusCode)
	}
}

// A database that cannot be used any more yields 503 problems with
// Retry-After, never a hang or a 500, and /readyz says so.
func TestDatabaseGoneIs503(t *testing.T) {
	s, lose := newServerLosingItsStore(t)
	if resp := s.Do(t, apitest.Request{Method: "GET", Path: "/readyz"}); resp.Status != 200 {
		t.Fatalf("readyz before = %d, want 200", resp.Status)
	}
	lose()
	for _, req := range []apitest.Request{
		{Method: "GET", Path: "/readyz"},
		{Method: "GET", Path: "/locations"},
		{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo"}`},
	} {
		resp := s.Do(t, req)
		if resp.Status != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || resp.Problem(t).Type != "/problems/unavailable" {
			t.Errorf("%s %s = %d %s (Retry-After %q), want 503 unavailable", req.Method, req.Path, resp.Status, resp.Body, resp.Header.Get("Retry-After"))
		}
	}
	// A HEAD gets the same answer without the problem (HeadServiceUnavailable).
	for _, path := range []string{"/locations", "/readyz"} {
		resp := s.Do(t, apitest.Request{Method: "HEAD", Path: path})
		if resp.Status != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("HEAD %s = %d %q (Retry-After %q), want 503 with Retry-After",
				path, resp.Status, resp.Header.Get("Content-Type"), resp.Header.Get("Retry-After"))
		}
	}
	if resp := s.Do(t, apitest.Request{Method: "GET", Path: "/healthz"}); resp.Status != 200 {
		t.Errorf("healthz = %d, want 200: the process is up", resp.Status)
	}
}

// From a stop signal on (impl's Drain), /readyz answers 503 so that a load
// balancer sends new requests elsewhere, while every other operation is
// served as before; it is no failure, so nothing is logged.
func TestDrainingIsUnready(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	if resp := s.Do(t, apitest.Request{Method: "GET", Path: "/readyz"}); resp.Status != http.StatusOK {
		t.Fatalf("readyz before = %d, want 200", resp.Status)
	}
	s.Service.Drain()
	resp := s.Do(t, apitest.Request{Method: "GET", Path: "/readyz"})
	if p := resp.Problem(t); resp.Status != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		p.Type != "/problems/unavailable" || p.Detail != "The server is shutting down." {
		t.Errorf("GET /readyz = %d %s (Retry-After %q), want 503 unavailable saying the server is shutting down",
			resp.Status, resp.Body, resp.Header.Get("Retry-After"))
	}
	if resp := s.Do(t, apitest.Request{Method: "HEAD", Path: "/readyz"}); resp.Status != http.StatusServiceUnavailable {
		t.Errorf("HEAD /readyz = %d, want 503", resp.Status)
	}
	for _, path := range []string{"/healthz", "/locations/1"} {
		if resp := s.Do(t, apitest.Request{Method: "GET", Path: path}); resp.Status != http.StatusOK {
			t.Errorf("GET %s while draining = %d, want 200", path, resp.Status)
		}
	}
	for _, r := range *s.Log {
		if r.Level >= slog.LevelWarn {
			t.Errorf("logged %s %q: draining is no failure", r.Level, r.Message)
		}
	}
}

// A handler whose database call ran out of time, or whose client left,
// answers 503 with Retry-After, which a client may retry, not a 500.
func TestDeadlineIs503(t *testing.T) {
	late := func(f generated.StrictHandlerFunc, op string) generated.StrictHandlerFunc {
		return func(c *gin.Context, req any) (any, error) {
			switch op {
			case "GetPlayer":
				return nil, fmt.Errorf("get player: %w", context.DeadlineExceeded)
			case "GetLocation":
				return nil, fmt.Errorf("get location: %w", context.Canceled)
			}
			return f(c, req)
		}
	}
	s := apitest.NewServer(t, apitest.Options{Config: api.Config{StrictMiddlewares: []generated.StrictMiddlewareFunc{late}}})
	for _, path := range []string{"/players/1", "/locations/1"} {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: path})
		if resp.Status != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || resp.Problem(t).Type != "/problems/unavailable" {
			t.Errorf("GET %s = %d %s (Retry-After %q), want 503 unavailable", path, resp.Status, resp.Body, resp.Header.Get("Retry-After"))
		}
	}
}

func TestOptionsAndCORS(t *testing.T) {
	const site = "https://game.example.org"
	preflight := map[string]string{"Origin": site, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"}

	t.Run("OPTIONS lists the path's methods", func(t *testing.T) {
		s := apitest.NewServer(t, apitest.Options{})
		tests := map[string]string{
			"/locations":           "GET, HEAD, OPTIONS, POST",
			"/locations/1":         "DELETE, GET, HEAD, OPTIONS, PATCH, PUT",
			"/players/1/visits":    "GET, HEAD, OPTIONS, POST",
			"/players/1/visits/2":  "GET, HEAD, OPTIONS",
			"/docs/swagger-ui.css": "GET, HEAD, OPTIONS",
			"/healthz":             "GET, HEAD, OPTIONS",
		}
		for path, want := range tests {
			resp := s.Do(t, apitest.Request{Method: "OPTIONS", Path: path})
			if resp.Status != http.StatusNoContent || resp.Header.Get("Allow") != want || len(resp.Body) != 0 {
				t.Errorf("OPTIONS %s = %d Allow %q, want 204 %q", path, resp.Status, resp.Header.Get("Allow"), want)
			}
		}
	})
	t.Run("CORS is off by default", func(t *testing.T) {
		s := apitest.NewServer(t, apitest.Options{})
		resp := s.Do(t, apitest.Request{Method: "OPTIONS", Path: "/players", Header: preflight})
		if resp.Status != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight = %d, ACAO %q; want 204 without CORS headers", resp.Status, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	})
	t.Run("an allowed origin gets the CORS headers", func(t *testing.T) {
		s := apitest.NewServer(t, apitest.Options{Config: api.Config{CORSOrigins: []string{site}}})
		resp := s.Do(t, apitest.Request{Method: "OPTIONS", Path: "/players", Header: preflight})
		want := map[string]string{
			"Access-Control-Allow-Origin":  site,
			"Access-Control-Allow-Methods": "GET, HEAD, OPTIONS, POST",
			"Access-Control-Max-Age":       "600",
			"Vary":                         "Origin",
		}
		for h, v := range want {
			if got := resp.Header.Get(h); got != v {
				t.Errorf("preflight %s = %q, want %q", h, got, v)
			}
		}
		// A browser script may send every request header the contract
		// declares, and the two it relies on without declaring them.
		doc, err := ninjagold.Spec()
		if err != nil {
			t.Fatal(err)
		}
		declared := []string{"Authorization", "Content-Type"}
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				for _, p := range append(item.Parameters, op.Parameters...) {
					if p.Value != nil && p.Value.In == "header" {
						declared = append(declared, p.Value.Name)
					}
				}
			}
		}
		allowed := strings.Split(resp.Header.Get("Access-Control-Allow-Headers"), ", ")
		for _, name := range declared {
			if !slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, name) }) {
				t.Errorf("Allow-Headers = %q, want %s among them", resp.Header.Get("Access-Control-Allow-Headers"), name)
			}
		}
		got := s.Do(t, apitest.Request{Method: "GET", Path: "/locations", Header: map[string]string{"Origin": site}})
		if got.Header.Get("Access-Control-Allow-Origin") != site || !strings.Contains(got.Header.Get("Access-Control-Expose-Headers"), "X-Request-ID") ||
			!strings.Contains(got.Header.Get("Access-Control-Expose-Headers"), "WWW-Authenticate") {
			t.Errorf("GET headers = %v, want ACAO and Expose-Headers", got.Header)
		}
		// A script reads the Allow of a 405 (and of OPTIONS) only if exposed.
		wrong := s.Do(t, apitest.Request{Method: "PUT", Path: "/locations", Header: map[string]string{"Origin": site}})
		if wrong.Status != http.StatusMethodNotAllowed || wrong.Header.Get("Allow") == "" ||
			!slices.Contains(strings.Split(wrong.Header.Get("Access-Control-Expose-Headers"), ", "), "Allow") {
			t.Errorf("PUT /locations: %d %v, want 405 with Allow among the exposed headers", wrong.Status, wrong.Header)
		}
	})
	t.Run("a preflight to an unknown path is a 404 without preflight headers", func(t *testing.T) {
		s := apitest.NewServer(t, apitest.Options{Config: api.Config{CORSOrigins: []string{site}}})
		resp := s.Do(t, apitest.Request{Method: "OPTIONS", Path: "/nowhere", Header: preflight})
		if resp.Status != http.StatusNotFound || resp.Header.Values("Access-Control-Allow-Methods") != nil {
			t.Errorf("got %d, Allow-Methods %q; want 404 without it", resp.Status, resp.Header.Values("Access-Control-Allow-Methods"))
		}
	})
	t.Run("a preflight of OPTIONS * allows nothing", func(t *testing.T) {
		// The server as a whole has no methods a script may use: its 200
		// carries no preflight headers (browsers never send one).
		s := apitest.NewServer(t, apitest.Options{Config: api.Config{CORSOrigins: []string{site}}})
		conn := dial(t, s)
		if _, err := fmt.Fprintf(conn, "OPTIONS * HTTP/1.1\r\nHost: x\r\nOrigin: %s\r\nAccess-Control-Request-Method: GET\r\n\r\n", site); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("status %d, want 200", resp.StatusCode)
		}
		for _, h := range []string{"Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age"} {
			if v := resp.Header.Values(h); v != nil {
				t.Errorf("%s = %q, want none", h, v)
			}
		}
	})
	t.Run("a plain OPTIONS from an allowed origin gets the headers its script may read", func(t *testing.T) {
		s := apitest.NewServer(t, apitest.Options{Config: api.Config{CORSOrigins: []string{site}}})
		resp := s.Do(t, apitest.Request{Method: "OPTIONS", Path: "/players/1", Header: map[string]string{"Origin": site}})
		if resp.Status != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != site ||
			!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "X-Request-ID") ||
			resp.Header.Get("Access-Control-Allow-Methods") != "" {
			t.Errorf("got %d %v, want 204 with ACAO and Expose-Headers, without Allow-Methods", resp.Status, resp.Header)
		}
	})
	t.Run("a preflight with an invalid path parameter is a 400 without preflight headers", func(t *testing.T) {
		s := apitest.NewServer(t, apitest.Options{Config: api.Config{CORSOrigins: []string{site}}})
		resp := s.Do(t, apitest.Request{Method: "OPTIONS", Path: "/players/abc", Header: preflight})
		if resp.Status != http.StatusBadRequest || resp.Header.Get("Access-Control-Allow-Origin") != site {
			t.Errorf("got %d ACAO %q, want 400 with %s", resp.Status, resp.Header.Get("Access-Control-Allow-Origin"), site)
		}
		for _, h := range []string{"Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age"} {
			if v := resp.Header.Values(h); v != nil {
				t.Errorf("%s = %q on a 400, want none", h, v)
			}
		}
	})
	t.Run("a refusal carries the CORS headers too", func(t *testing.T) {
		s := apitest.NewServer(t, apitest.Options{Config: api.Config{CORSOrigins: []string{site}, MaxHeaderBytes: 1024}})
		resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations", Header: map[string]string{"Origin": site, "X-Padding": strings.Repeat("p", 2000)}})
		if resp.Status != http.StatusRequestHeaderFieldsTooLarge || resp.Header.Get("Access-Control-Allow-Origin") != site {
			t.Errorf("got %d ACAO %q, want 431 with %s", resp.Status, resp.Header.Get("Access-Control-Allow-Origin"), site)
		}
	})
	t.Run("another origin gets none", func(t *testing.T) {
		s := apitest.NewServer(t, apitest.Options{Config: api.Config{CORSOrigins: []string{site}}})
		resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations", Header: map[string]string{"Origin": "https://evil.example"}})
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("ACAO = %q for a foreign origin", resp.Header.Get("Access-Control-Allow-Origin"))
		}
	})
}
