package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/gin-gonic/gin"
	ginmiddleware "github.com/oapi-codegen/gin-middleware"
	"github.com/oapi-codegen/runtime"
)

// BenchmarkValidator measures the validator middleware alone, in a Gin
// engine whose handlers only bind the body into its generated type as the
// generated handlers do (bindBody), so that the store and the response do
// not hide its cost: "none" is the engine without it, "quick" the
// validator as it runs, "kin" the validator with kin-openapi deciding every
// request (the quick check off), and "stock" oapi-codegen's gin-middleware
// validator (kin-openapi's router, then ValidateRequest with default
// options) in its place. Its overhead is quick minus none: the quick check
// decodes the body it accepts, and the handler then binds that instead of
// decoding the body itself.
//
//	go test ./api -run '^$' -bench Validator -benchmem
func BenchmarkValidator(b *testing.B) {
	requests := []struct {
		name, method, target, body, token string
	}{
		{"GET-location", "GET", "/locations/1", "", ""},
		{"GET-players-page", "GET", "/players?limit=50&sort=gold", "", ""},
		{"POST-player", "POST", "/players", `{"first_name":"Hattori","last_name":"Hanzo"}`, ""},
		{"POST-visit", "POST", "/players/1/visits", `{"location_id":1}`, "a-player-token"},
		{"PUT-location", "PUT", "/locations/1", `{"name":"Dojo","min_gold":15,"max_gold":30,"description":"Spar with the masters."}`, quickAdmin},
	}
	for _, variant := range []string{"none", "stock", "kin", "quick"} {
		h := validatorEngine(b, variant)
		for _, r := range requests {
			b.Run(r.name+"/"+variant, func(b *testing.B) {
				req := httptest.NewRequest(r.method, r.target, nil)
				req.Header.Set("Accept", "application/json")
				if r.body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				if r.token != "" {
					req.Header.Set("Authorization", "Bearer "+r.token)
				}
				body := strings.NewReader(r.body)
				w := &discardWriter{header: http.Header{}}
				for b.Loop() {
					if r.body == "" {
						// As net/http's server hands over a request without one.
						req.Body, req.ContentLength = http.NoBody, 0
					} else {
						body.Reset(r.body)
						req.Body, req.ContentLength = io.NopCloser(body), int64(len(r.body))
					}
					clear(w.header)
					w.status = 0
					h.ServeHTTP(w, req)
					if w.status != http.StatusNoContent {
						b.Fatalf("status %d", w.status)
					}
				}
			})
		}
	}
}

func validatorEngine(b *testing.B, variant string) *gin.Engine {
	spec, ops := testOperations(b)
	r := newEngine()
	switch variant {
	case "stock":
		spec.Servers = nil // match any host
		r.Use(ginmiddleware.OapiRequestValidatorWithOptions(spec, &ginmiddleware.Options{
			Options: openapi3filter.Options{
				AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
					if bearerToken(in.RequestValidationInput.Request) == "" {
						return errors.New("no bearer token")
					}
					return nil
				},
			},
		}))
	}
	var v *validator
	if variant == "quick" || variant == "kin" {
		v = newValidator(quickAdmin, DefaultMaxBodyBytes)
		v.kinOnly = variant == "kin"
	}
	bodies := map[string]func() any{}
	for _, tg := range quickBodyTargets {
		bodies[tg.method+" "+tg.path] = tg.newBody
	}
	// Bound to each route's operation by the router NewHandler uses.
	rs := &routes{IRouter: r, ops: ops}
	if v != nil {
		rs.chain = []func(*gin.Context, *operation){v.handle}
	}
	for method, byPath := range ops.byRoute {
		if method == http.MethodHead {
			continue // registered with its GET twin, as NewHandler does
		}
		for path := range byPath {
			newBody := bodies[method+" "+path]
			rs.Handle(method, path, func(c *gin.Context) {
				if newBody != nil && bindBody(c, newBody()) != nil {
					c.Status(http.StatusBadRequest)
					return
				}
				c.Status(http.StatusNoContent)
			})
		}
	}
	if rs.err != nil {
		b.Fatal(rs.err)
	}
	return r
}

// bindBody binds the request body into body as the generated strict
// handlers do: the value a validator kept, else a decode by Gin.
func bindBody(c *gin.Context, body any) error {
	if vb, ok := c.Request.Body.(interface{ ValidatedValue() any }); ok && runtime.BindJSONValue(vb.ValidatedValue(), body) == nil {
		return nil
	}
	return c.ShouldBindJSON(body)
}

// discardWriter is a ResponseWriter that keeps only the status.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
