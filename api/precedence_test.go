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
	if resp := s.Do(t, apitest.Request{Method: "POST", Path: p2.path + "/visits", Token: p2.Token, Body: `{"location_id":1}`,
		Header: map[string]string{"Content-Type": "application/json", "Idempotency-Key": "used-once"}}); resp.Status != http.StatusCreated {
		t.Fatalf("the first visit with the key: %d %s", resp.Status, resp.Body)
	}
	location := s.Do(t, apitest.Request{Method: "GET", Path: "/locations/1"})

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
			name:       "the method before the header block's size",
			req:        apitest.Request{Method: "PUT", Path: p1.path + "/visits", Header: map[string]string{"X-Padding": huge}},
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
			name: "two Authorization lines before the credentials",
			req: apitest.Request{Method: "POST", Path: p1.path + "/visits", Body: `{"location_id":1}`,
				Header: map[string]string{"Content-Type": "application/json"},
				Lines:  map[string][]string{"Authorization": {"Basic YTpi", "Basic Yzpk"}}},
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
			name:       "a file's 404 before Accept, for /docs/{asset}",
			req:        apitest.Request{Method: "GET", Path: "/docs/no-such-file.js", Header: map[string]string{"Accept": "application/xml"}},
			wantStatus: http.StatusNotFound,
		},
		{
			name:       "the query string before the parameters' values",
			req:        apitest.Request{Method: "GET", Path: "/players?limit=1&limit=2&sort=sideways"},
			wantStatus: http.StatusBadRequest,
			wantFields: []string{"limit"},
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
			name: "the body's coding before its media type",
			req: apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo"}`,
				Header: map[string]string{"Content-Type": "text/plain", "Content-Encoding": "gzip"}},
			wantStatus: http.StatusUnsupportedMediaType,
			wantFields: []string{"Content-Encoding"},
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
			name: "the body's media type before the parameters",
			req: apitest.Request{Method: "POST", Path: "/players/abc/visits", Token: p1.Token, Body: `{"location_id":1}`,
				Header: map[string]string{"Content-Type": "text/plain"}},
			wantStatus: http.StatusUnsupportedMediaType,
			wantFields: []string{"Content-Type"},
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
		{
			name: "a token no player holds before the precondition",
			req: apitest.Request{Method: "POST", Path: p1.path + "/visits", Token: "ngp_held-by-nobody", Body: `{"location_id":1}`,
				Header: map[string]string{"Content-Type": "application/json", "If-Match": `"v1"`}},
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "a location that does not exist before the precondition",
			req: apitest.Request{Method: "POST", Path: p1.path + "/visits", Token: p1.Token, Body: `{"location_id":999999}`,
				Header: map[string]string{"Content-Type": "application/json", "If-Match": `"v1"`}},
			wantStatus: http.StatusBadRequest,
			wantFields: []string{"location_id"},
		},
		{
			name: "a reused Idempotency-Key before the precondition",
			req: apitest.Request{Method: "POST", Path: p2.path + "/visits", Token: p2.Token, Body: `{"location_id":2}`,
				Header: map[string]string{"Content-Type": "application/json", "Idempotency-Key": "used-once", "If-Match": `"v1"`}},
			wantStatus: http.StatusUnprocessableEntity,
			wantFields: []string{"Idempotency-Key"},
		},
		{
			name: "the precondition before a PATCH's gold range against the stored one",
			req: apitest.Request{Method: "PATCH", Path: "/locations/1", Token: apitest.AdminToken, Body: `{"min_gold":1000000}`,
				Header: map[string]string{"Content-Type": "application/merge-patch+json", "If-Match": `"no-such-version"`}},
			wantStatus: http.StatusPreconditionFailed,
			wantFields: []string{"If-Match"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.Do(t, tt.req)
			if resp.Status != tt.wantStatus {
				t.Fatalf("status %d %s, want %d", resp.Status, resp.Body, tt.wantStatus)
			}
			problem := resp.Problem(t) // as application/problem+json
			got := slices.Sorted(maps.Keys(problem.Errors))
			want := slices.Sorted(slices.Values(tt.wantFields))
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("errors name %v, want %v: %v", got, want, problem.Errors)
			}
		})
	}
	visits := s.Do(t, apitest.Request{Method: "GET", Path: p1.path + "/visits"})
	if !strings.Contains(string(visits.Body), `"items":[]`) {
		t.Errorf("GET %s/visits = %s, want no visit: a refused request changed something", p1.path, visits.Body)
	}
	if after := s.Do(t, apitest.Request{Method: "GET", Path: "/locations/1"}); string(after.Body) != string(location.Body) {
		t.Errorf("GET /locations/1 = %s, was %s: a refused PATCH changed it", after.Body, location.Body)
	}
}

// The limit on requests in flight comes after the request's own checks
// and before the operation's answers.
func TestInFlightPrecedence(t *testing.T) {
	s, hold, _ := newSlotHolder(t, "GetPlayer", "/players/1")
	hold()
	for _, tt := range []struct {
		name string
		req  apitest.Request
		want int
	}{
		{"the body before the limit", apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"A","last_name":"Hanzo"}`}, http.StatusBadRequest},
		{"Accept before the limit", apitest.Request{Method: "GET", Path: "/players/1", Header: map[string]string{"Accept": "image/png"}}, http.StatusNotAcceptable},
		{"the limit before a player that does not exist", apitest.Request{Method: "GET", Path: "/players/999999"}, http.StatusServiceUnavailable},
	} {
		if got := s.Do(t, tt.req); got.Status != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, got.Status, got.Body, tt.want)
		}
	}
}

// An unusable database is the operation's answer: it comes after the
// request's own checks and before the precondition.
func TestUnusableDatabasePrecedence(t *testing.T) {
	s, lose := newServerLosingItsStore(t)
	lose()
	for _, tt := range []struct {
		name string
		req  apitest.Request
		want int
	}{
		{"the body before the database", apitest.Request{Method: "POST", Path: "/players/1/visits", Token: "ngp_any", Body: `{"location_id":"x"}`}, http.StatusBadRequest},
		{"the database before the precondition", apitest.Request{Method: "POST", Path: "/players/1/visits", Token: "ngp_any", Body: `{"location_id":1}`,
			Header: map[string]string{"If-Match": `"v1"`}}, http.StatusServiceUnavailable},
	} {
		if got := s.Do(t, tt.req); got.Status != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, got.Status, got.Body, tt.want)
		}
	}
}

// A body sent to an operation that declares none is not read: the request
// is answered as if it had none, whatever the body's size, type or coding,
// and a body too large to drain closes the connection after the answer.
func TestBodyWhereNoneIsDeclared(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	want := s.Do(t, apitest.Request{Method: "GET", Path: "/locations"})
	got := s.Do(t, apitest.Request{Method: "GET", Path: "/locations", Body: strings.Repeat("x", 2<<20),
		Header: map[string]string{"Content-Type": "text/plain", "Content-Encoding": "gzip"}})
	if got.Status != http.StatusOK || string(got.Body) != string(want.Body) {
		t.Errorf("GET /locations with a 2 MiB body = %d %.200s, want 200 and the list", got.Status, got.Body)
	}
	if !got.Close {
		t.Error("the connection stays open, want Connection: close: the body was not read, so the connection cannot carry another request")
	}
	if small := s.Do(t, apitest.Request{Method: "GET", Path: "/locations", Body: "stray"}); small.Status != http.StatusOK || small.Close {
		t.Errorf("GET /locations with a 5-byte body = %d (close %v), want 200 on a connection kept open", small.Status, small.Close)
	}
}

// The rate limit comes after the route and the header block's size, and
// before every other check of the request (TestFaultPrecedence has the
// order after it).
func TestRateLimitPrecedence(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{Config: api.Config{RateLimit: api.RateLimit{Rate: 0.001, Burst: 1}, MaxHeaderBytes: 4096}})
	if got := s.Do(t, apitest.Request{Method: "GET", Path: "/locations"}); got.Status != http.StatusOK {
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
		if got := s.Do(t, tt.req); got.Status != tt.want {
			t.Errorf("%s %s over the limit = %d %s, want %d", tt.req.Method, tt.req.Path, got.Status, got.Body, tt.want)
		}
	}
}
