package api_test

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// TestFaultPrecedence holds the server to the order the contract gives
// ("A request with several faults"): each request has two faults, one
// checked before the other, and is answered for the first, naming only
// its fields. Together the rows walk the order from the route to the
// precondition; TestRateLimitPrecedence places the rate limit in it.
func TestFaultPrecedence(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{Config: api.Config{MaxHeaderBytes: 4096}})
	p1 := newPlayer(t, s, "Hattori", "Hanzo")
	p2 := newPlayer(t, s, "Fuma", "Kotaro")
	huge := strings.Repeat("x", 8192)
	tooLarge := `{"first_name":"` + strings.Repeat("a", api.DefaultMaxBodyBytes) + `"`
	foreign := p2.path + "/visits"
	missing := "/players/999999/visits"

	tests := []struct {
		name       string
		req        apitest.Request
		wantStatus int
		wantFields []string // the problem's errors, by name
	}{
		{
			name:       "the route before the header block's size",
			req:        apitest.Request{Method: "GET", Path: "/nothing-here", Header: map[string]string{"X-Padding": huge}},
			wantStatus: http.StatusNotFound,
		},
		{
			name:       "the route before the token",
			req:        apitest.Request{Method: "POST", Path: "/nothing-here", Body: `{}`},
			wantStatus: http.StatusNotFound,
		},
		{
			name:       "the method before the token",
			req:        apitest.Request{Method: "PUT", Path: p1.path + "/visits", Body: `{}`, Header: map[string]string{"Content-Type": "application/json"}},
			wantStatus: http.StatusMethodNotAllowed,
		},
		{
			name: "the header block's size before the token",
			req: apitest.Request{Method: "POST", Path: p1.path + "/visits", Body: `{"location_id":1}`,
				Header: map[string]string{"Content-Type": "application/json", "X-Padding": huge}},
			wantStatus: http.StatusRequestHeaderFieldsTooLarge,
		},
		{
			name: "two Authorization lines before Accept",
			req: apitest.Request{Method: "POST", Path: p1.path + "/visits", Body: `{"location_id":1}`,
				Header: map[string]string{"Content-Type": "application/json", "Accept": "text/csv"},
				Lines:  map[string][]string{"Authorization": {"Bearer " + p1.Token, "Bearer " + p2.Token}}},
			wantStatus: http.StatusBadRequest,
			wantFields: []string{"Authorization"},
		},
		{
			name: "the token before Accept",
			req: apitest.Request{Method: "POST", Path: p1.path + "/visits", Body: `{"location_id":1}`,
				Header: map[string]string{"Content-Type": "application/json", "Accept": "text/csv"}},
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "the token before the body",
			req: apitest.Request{Method: "POST", Path: p1.path + "/visits", Body: `{"location_id":"x"}`,
				Header: map[string]string{"Content-Type": "application/json"}},
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "the admin's token, where required, before Accept",
			req: apitest.Request{Method: "POST", Path: "/locations", Token: p1.Token, Body: `{"name":"Temple","min_gold":1,"max_gold":2}`,
				Header: map[string]string{"Content-Type": "application/json", "Accept": "image/png"}},
			wantStatus: http.StatusUnauthorized,
		},
		{
			name:       "Accept before the query string",
			req:        apitest.Request{Method: "GET", Path: "/players?limit=1&limit=2", Header: map[string]string{"Accept": "image/png"}},
			wantStatus: http.StatusNotAcceptable,
			wantFields: []string{"Accept"},
		},
		{
			name: "Accept before the body's media type",
			req: apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo"}`,
				Header: map[string]string{"Content-Type": "text/plain", "Accept": "image/png"}},
			wantStatus: http.StatusNotAcceptable,
			wantFields: []string{"Accept"},
		},
		{
			name: "a header given twice before the body's media type",
			req: apitest.Request{Method: "POST", Path: p1.path + "/visits", Token: p1.Token, Body: `{"location_id":1}`,
				Header: map[string]string{"Content-Type": "text/plain"},
				Lines:  map[string][]string{"Idempotency-Key": {"key-1", "key-2"}}},
			wantStatus: http.StatusBadRequest,
			wantFields: []string{"Idempotency-Key"},
		},
		{
			name: "the body's media type before its size",
			req: apitest.Request{Method: "POST", Path: "/players", Body: tooLarge,
				Header: map[string]string{"Content-Type": "text/plain"}},
			wantStatus: http.StatusUnsupportedMediaType,
			wantFields: []string{"Content-Type"},
		},
		{
			name: "the body's size before its content",
			req: apitest.Request{Method: "POST", Path: "/players", Body: tooLarge,
				Header: map[string]string{"Content-Type": "application/json"}},
			wantStatus: http.StatusRequestEntityTooLarge,
		},
		{
			name: "the parameters and the body together",
			req: apitest.Request{Method: "POST", Path: "/players/abc/visits", Token: p1.Token, Body: `{"location_id":"x"}`,
				Header: map[string]string{"Content-Type": "application/json"}},
			wantStatus: http.StatusBadRequest,
			wantFields: []string{"id", "location_id"},
		},
		{
			name: "the body before a token no player holds",
			req: apitest.Request{Method: "POST", Path: p1.path + "/visits", Token: "ngp_held-by-nobody", Body: `{"location_id":"x"}`,
				Header: map[string]string{"Content-Type": "application/json"}},
			wantStatus: http.StatusBadRequest,
			wantFields: []string{"location_id"},
		},
		{
			name: "the body before another player's token",
			req: apitest.Request{Method: "POST", Path: foreign, Token: p1.Token, Body: `{"location_id":"x"}`,
				Header: map[string]string{"Content-Type": "application/json"}},
			wantStatus: http.StatusBadRequest,
			wantFields: []string{"location_id"},
		},
		{
			name: "the body before a player that does not exist",
			req: apitest.Request{Method: "POST", Path: missing, Token: p1.Token, Body: `{"location_id":"x"}`,
				Header: map[string]string{"Content-Type": "application/json"}},
			wantStatus: http.StatusBadRequest,
			wantFields: []string{"location_id"},
		},
		{
			name: "another player's token before the precondition",
			req: apitest.Request{Method: "POST", Path: foreign, Token: p1.Token, Body: `{"location_id":1}`,
				Header: map[string]string{"Content-Type": "application/json", "If-Match": `"v1"`}},
			wantStatus: http.StatusForbidden,
		},
		{
			name: "a player that does not exist before the precondition",
			req: apitest.Request{Method: "POST", Path: missing, Token: p1.Token, Body: `{"location_id":1}`,
				Header: map[string]string{"Content-Type": "application/json", "If-Match": `"v1"`}},
			wantStatus: http.StatusNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.Do(tt.req)
			if resp.Status != tt.wantStatus {
				t.Fatalf("status %d %s, want %d", resp.Status, resp.Body, tt.wantStatus)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("Content-Type %q, want application/problem+json", ct)
			}
			problem := resp.Problem(t)
			got := slices.Sorted(maps.Keys(problem.Errors))
			want := slices.Sorted(slices.Values(tt.wantFields))
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("errors name %v, want %v: %v", got, want, problem.Errors)
			}
		})
	}
	visits := s.Do(apitest.Request{Method: "GET", Path: p1.path + "/visits"})
	if !strings.Contains(string(visits.Body), `"items":[]`) {
		t.Errorf("GET %s/visits = %s, want no visit: a refused request changed something", p1.path, visits.Body)
	}
}

// The rate limit comes after the route and the header block's size, and
// before every other check of the request (TestFaultPrecedence has the
// order after it).
func TestRateLimitPrecedence(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{Config: api.Config{RateLimit: api.RateLimit{Rate: 0.001, Burst: 1}, MaxHeaderBytes: 4096}})
	if got := s.Do(apitest.Request{Method: "GET", Path: "/locations"}); got.Status != http.StatusOK {
		t.Fatalf("the first GET /locations = %d, want 200", got.Status)
	}
	for _, tt := range []struct {
		req  apitest.Request
		want int
	}{
		{apitest.Request{Method: "GET", Path: "/nothing-here"}, http.StatusNotFound},
		{apitest.Request{Method: "PUT", Path: "/players/1/visits", Body: `{}`, Header: map[string]string{"Content-Type": "application/json"}}, http.StatusMethodNotAllowed},
		{apitest.Request{Method: "GET", Path: "/locations", Header: map[string]string{"X-Padding": strings.Repeat("x", 8192)}}, http.StatusRequestHeaderFieldsTooLarge},
		{apitest.Request{Method: "POST", Path: "/players/1/visits", Body: `{"location_id":1}`, Header: map[string]string{"Content-Type": "application/json"}}, http.StatusTooManyRequests},
		{apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"A","last_name":"B"}`, Header: map[string]string{"Content-Type": "text/plain", "Accept": "image/png"}}, http.StatusTooManyRequests},
	} {
		if got := s.Do(tt.req); got.Status != tt.want {
			t.Errorf("%s %s over the limit = %d %s, want %d", tt.req.Method, tt.req.Path, got.Status, got.Body, tt.want)
		}
	}
}
