package api_test

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// opRequest is one valid request to an operation of the contract.
type opRequest struct {
	op     string // its operationId
	strict string // the strict handler that serves it (a HEAD's is its GET's)
	req    apitest.Request
}

// opRequests is a valid request to every operation of the contract, on s:
// a player, one visit of theirs, and location 1 and 2 (seeded).
func opRequests(t *testing.T, s *apitest.Server) []opRequest {
	t.Helper()
	p, q := newPlayer(t, s, "Kira", "Sato"), newPlayer(t, s, "Rin", "Sato")
	if resp, _ := visit(t, s, p, 1, ""); resp.Status != http.StatusCreated {
		t.Fatalf("visit: %d %s", resp.Status, resp.Body)
	}
	admin := apitest.AdminToken
	loc := `{"name":"Dojo","min_gold":1,"max_gold":2}`
	var reqs []opRequest
	for _, r := range []struct{ name, path string }{
		{"Root", "/"}, {"Docs", "/docs"}, {"DocsAsset", "/docs/swagger-ui.css"}, {"Health", "/healthz"},
		{"Readiness", "/readyz"}, {"Metrics", "/metrics"}, {"OpenAPIJSON", "/openapi.json"},
		{"OpenAPIYAML", "/openapi.yaml"}, {"Locations", "/locations"}, {"Location", "/locations/1"},
		{"Players", "/players"}, {"Player", p.path}, {"Visits", p.path + "/visits"}, {"Visit", p.path + "/visits/1"},
		{"ProblemType", "/problems/not-found"},
	} {
		get := "Get" + r.name
		switch r.name {
		case "Locations", "Players", "Visits":
			get = "List" + r.name
		}
		reqs = append(reqs,
			opRequest{lowerFirst(get), get, apitest.Request{Method: "GET", Path: r.path}},
			opRequest{"head" + r.name, get, apitest.Request{Method: "HEAD", Path: r.path}},
			opRequest{"options" + r.name, "Options" + r.name, apitest.Request{Method: "OPTIONS", Path: r.path}})
	}
	return append(reqs,
		opRequest{"createLocation", "CreateLocation", apitest.Request{Method: "POST", Path: "/locations", Body: loc, Token: admin}},
		// Location 1 keeps a name of its own: names are unique.
		opRequest{"replaceLocation", "ReplaceLocation", apitest.Request{Method: "PUT", Path: "/locations/1", Body: `{"name":"Farm","min_gold":1,"max_gold":2}`, Token: admin}},
		opRequest{"updateLocation", "UpdateLocation", apitest.Request{Method: "PATCH", Path: "/locations/1", Body: `{"name":"Farmstead"}`,
			Token: admin, Header: map[string]string{"Content-Type": "application/merge-patch+json"}}},
		opRequest{"deleteLocation", "DeleteLocation", apitest.Request{Method: "DELETE", Path: "/locations/2", Token: admin}},
		opRequest{"createPlayer", "CreatePlayer", apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Ab","last_name":"Cd"}`}},
		opRequest{"createVisit", "CreateVisit", apitest.Request{Method: "POST", Path: p.path + "/visits", Body: `{"location_id":1}`, Token: p.Token}},
		opRequest{"deletePlayer", "DeletePlayer", apitest.Request{Method: "DELETE", Path: p.path, Token: p.Token}},
		// With the admin token, so that it can be made again, and on
		// another player, whose token no other request here uses.
		opRequest{"replacePlayerToken", "ReplacePlayerToken", apitest.Request{Method: "POST", Path: q.path + "/token", Token: admin}},
		opRequest{"optionsPlayerToken", "OptionsPlayerToken", apitest.Request{Method: "OPTIONS", Path: q.path + "/token"}},
	)
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

// declaredStatuses is, for every operationId, the statuses it declares.
func declaredStatuses(t *testing.T) map[string]map[int]bool {
	t.Helper()
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]map[int]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			declared[op.OperationID] = map[int]bool{}
			for code := range op.Responses.Map() {
				if n, err := strconv.Atoi(code); err == nil {
					declared[op.OperationID][n] = true
				}
			}
		}
	}
	return declared
}

// TestDeclaredFailuresHappen holds the contract's 406, 429, 500 and 503 to
// the server, both ways: every operation that declares one gives it, by what
// gives it in production (an Accept it cannot meet, the rate limit, a panic,
// the bound on requests in flight), and no other operation does. /readyz's 503 is the database's
// (TestDatabaseGoneIs503), not the in-flight bound's: probes are never
// turned away.
func TestDeclaredFailuresHappen(t *testing.T) {
	declared := declaredStatuses(t)
	// Every operation has its request: a new one must be added here.
	probe := apitest.NewServer(t, apitest.Options{})
	var ops []string
	for _, r := range opRequests(t, probe) {
		ops = append(ops, r.op)
	}
	if want := slices.Sorted(maps.Keys(declared)); !slices.Equal(slices.Sorted(slices.Values(ops)), want) {
		t.Fatalf("opRequests covers %v, want every operation %v", slices.Sorted(slices.Values(ops)), want)
	}

	t.Run("429 where declared, once the client's bucket is empty", func(t *testing.T) {
		// Three requests a client, the three opRequests makes its two
		// players and its visit with.
		const burst = 3
		s := apitest.NewServer(t, apitest.Options{Config: api.Config{
			RateLimit: api.RateLimit{Rate: 0.001, Burst: burst}, TrustedProxies: []string{"127.0.0.1", "::1"}}})
		for i, r := range opRequests(t, s) {
			// The client is the request's token where the operation needs
			// one and it is proven (the admin's, or a player's that
			// opRequests used), else its address: the request itself,
			// sent burst times, empties the bucket it is counted in.
			client := map[string]string{"X-Forwarded-For": fmt.Sprintf("192.0.2.%d", i+1)}
			r.req.Header = mergeHeaders(r.req.Header, client)
			for range burst {
				s.Do(t, r.req)
			}
			checkStatus(t, r, s.Do(t, r.req).Status, http.StatusTooManyRequests, declared[r.op][http.StatusTooManyRequests])
		}
	})

	t.Run("500 where declared, for a panic in the handler", func(t *testing.T) {
		var target string
		var mu sync.Mutex
		boom := func(f generated.StrictHandlerFunc, name string) generated.StrictHandlerFunc {
			return func(c *gin.Context, req any) (any, error) {
				mu.Lock()
				hit := name == target
				mu.Unlock()
				if hit {
					panic("declared-failures test")
				}
				return f(c, req)
			}
		}
		s := apitest.NewServer(t, apitest.Options{Config: api.Config{StrictMiddlewares: []generated.StrictMiddlewareFunc{boom}}})
		for _, r := range opRequests(t, s) {
			mu.Lock()
			target = r.strict
			mu.Unlock()
			status := s.Do(t, r.req).Status
			checkStatus(t, r, status, http.StatusInternalServerError, declared[r.op][http.StatusInternalServerError])
		}
	})

	t.Run("406 where declared, for an Accept nothing declared matches", func(t *testing.T) {
		s := apitest.NewServer(t, apitest.Options{})
		for _, r := range opRequests(t, s) {
			r.req.Header = mergeHeaders(r.req.Header, map[string]string{"Accept": "image/gif"})
			checkStatus(t, r, s.Do(t, r.req).Status, http.StatusNotAcceptable, declared[r.op][http.StatusNotAcceptable])
		}
	})

	t.Run("503 where declared, while the server is at capacity", func(t *testing.T) {
		s, hold, _ := newSlotHolder(t, "GetLocation", "/locations/2")
		reqs := opRequests(t, s)
		hold()
		for _, r := range reqs {
			want := declared[r.op][http.StatusServiceUnavailable] && r.strict != "GetReadiness"
			checkStatus(t, r, s.Do(t, r.req).Status, http.StatusServiceUnavailable, want)
		}
	})
}

// checkStatus fails t unless r got status exactly when want says it must.
func checkStatus(t *testing.T, r opRequest, got, status int, want bool) {
	t.Helper()
	if (got == status) != want {
		verb := "want"
		if !want {
			verb = "want anything but"
		}
		t.Errorf("%s (%s %s) = %d, %s %d", r.op, r.req.Method, r.req.Path, got, verb, status)
	}
}

// mergeHeaders returns a's headers and b's, b's winning.
func mergeHeaders(a, b map[string]string) map[string]string {
	m := maps.Clone(a)
	if m == nil {
		m = map[string]string{}
	}
	maps.Copy(m, b)
	return m
}
