package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	ninjagold "github.com/ninjagold/ninjagold-api"
)

// TestRoutesBindOperations checks the router the generated code registers
// on: each route's chain gets its own operation, the 404 and 405 chains
// none, and a route the contract does not declare is an error.
func TestRoutesBindOperations(t *testing.T) {
	_, ops := testOperations(t)
	var seen *operation
	r := gin.New()
	r.HandleMethodNotAllowed = true
	rs := &routes{IRouter: r, ops: ops, chain: []func(*gin.Context, *operation){
		func(c *gin.Context, op *operation) { seen = op },
	}}
	ok := func(c *gin.Context) { c.Status(http.StatusNoContent) }
	rs.GET("/locations/:id", ok)
	rs.POST("/players", ok)
	r.NoRoute(rs.bind(nil, ok)...)
	r.NoMethod(rs.bind(nil, ok)...)
	if rs.err != nil {
		t.Fatal(rs.err)
	}
	for _, c := range []struct{ method, target, want string }{
		{"GET", "/locations/7", "getLocation"},
		{"HEAD", "/locations/7", "headLocation"}, // registered with its GET twin
		{"POST", "/players", "createPlayer"},
		{"GET", "/nowhere", ""},
		{"DELETE", "/players", ""},
	} {
		seen = &operation{}
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(c.method, c.target, nil))
		got := ""
		if seen != nil {
			got = seen.route.Operation.OperationID
		}
		if got != c.want {
			t.Errorf("%s %s: the chain saw operation %q, want %q", c.method, c.target, got, c.want)
		}
	}

	rs.PUT("/players", ok)
	if rs.err == nil {
		t.Error("PUT /players, which openapi.yaml does not declare, was registered without an error")
	}
	// HEAD /players (and the others but /locations/{id}) has no GET
	// registered to serve it.
	if err := rs.checkHeads(); err == nil || !strings.Contains(err.Error(), "without a GET") {
		t.Errorf("checkHeads() = %v, want an error for a HEAD without its GET", err)
	}
}

// TestRoutesRefuseUnbound: every other way of registering on the router
// would put handlers outside the operation's middleware, so each is an
// error for NewHandler.
func TestRoutesRefuseUnbound(t *testing.T) {
	_, ops := testOperations(t)
	ok := func(c *gin.Context) { c.Status(http.StatusNoContent) }
	for name, register := range map[string]func(rs *routes){
		"Use":          func(rs *routes) { rs.Use(ok) },
		"Group":        func(rs *routes) { rs.Group("/v2") },
		"Any":          func(rs *routes) { rs.Any("/players", ok) },
		"Match":        func(rs *routes) { rs.Match([]string{"GET"}, "/players", ok) },
		"StaticFile":   func(rs *routes) { rs.StaticFile("/favicon.ico", "favicon.ico") },
		"StaticFileFS": func(rs *routes) { rs.StaticFileFS("/favicon.ico", "favicon.ico", http.Dir(".")) },
		"Static":       func(rs *routes) { rs.Static("/files", ".") },
		"StaticFS":     func(rs *routes) { rs.StaticFS("/files", http.Dir(".")) },
		"HEAD":         func(rs *routes) { rs.HEAD("/players", ok) }, // served by GET /players, never on its own
	} {
		rs := &routes{IRouter: gin.New(), ops: ops}
		register(rs)
		if rs.err == nil {
			t.Errorf("%s: registered without an error", name)
		}
	}
}

// The tables keyed by operationId must name the contract's operations: a
// contract that renames or drops one fails the start, where the rule would
// otherwise stop applying without a word.
func TestRuleTablesNameOperations(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*openapi3.T)
		want   string // in the error; "" for none
	}{
		{"as declared", func(*openapi3.T) {}, ""},
		{"an unlimited operation dropped", func(doc *openapi3.T) { doc.Paths.Delete("/healthz") }, `"getHealth"`},
		{"a cross-field rule's operation renamed", func(doc *openapi3.T) {
			doc.Paths.Value("/locations").Post.OperationID = "addLocation"
		}, `"createLocation"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, err := ninjagold.Spec()
			if err != nil {
				t.Fatal(err)
			}
			c.change(doc)
			_, err = newOperations(doc, false)
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Errorf("newOperations: %v; want an error naming %s", err, c.want)
			}
		})
	}
}

// Two path templates one request path can match would leave a 405's Allow
// to chance (allowed matches templates in no order): a contract with two
// is refused at start.
func TestOverlappingPathsAreRefused(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"/players/:id", "/players/me", true},
		{"/players/:id", "/players/:name", true},
		{"/players/:id/visits", "/:kind/:id/visits", true},
		{"/players/:id/visits", "/players/:id/token", false},
		{"/players/:id", "/players/:id/visits", false},
		{"/docs", "/docs/:asset", false},
		{"/openapi.json", "/openapi.yaml", false},
		{"/", "/docs", false},
	} {
		if got, back := overlap(tt.a, tt.b), overlap(tt.b, tt.a); got != tt.want || back != tt.want {
			t.Errorf("overlap(%s, %s) = %v, and the other way %v; want %v", tt.a, tt.b, got, back, tt.want)
		}
	}
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newOperations(doc, false); err != nil {
		t.Fatalf("the contract: %v", err)
	}
	doc.Paths.Set("/players/me", doc.Paths.Value("/players/{id}"))
	if _, err := newOperations(doc, false); err == nil || !strings.Contains(err.Error(), "/players/me") {
		t.Errorf("with /players/me beside /players/{id}: %v, want an error naming /players/me", err)
	}
}
