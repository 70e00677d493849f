// Package apitest runs the real service for tests: the engine built by
// api.NewHandler over a real SQLite file, behind a real listener. Every
// response a test receives is checked against openapi.yaml by kin-openapi's
// ValidateResponse, loaded from the file itself rather than from the
// server's copy, so a status, header, media type or body the contract does
// not declare fails the test that provoked it.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/impl"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// AdminToken is the admin token of every test server.
const AdminToken = "test-admin-token"

// Server is one running instance of the service for one test.
type Server struct {
	URL   string
	Store game.Store
	// Dice is the deterministic randomness the server rolls visits with.
	Dice *SeededDice

	t        testing.TB
	contract *Contract
	client   *http.Client
}

// Options adjust a test server.
type Options struct {
	// Config is passed to api.NewHandler; AdminToken is always set.
	Config api.Config
	// Store, when set, is used instead of a fresh SQLite file.
	Store game.Store
}

// NewServer starts the service over a fresh SQLite file in t.TempDir().
func NewServer(t testing.TB, opts Options) *Server {
	t.Helper()
	store := opts.Store
	if store == nil {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ninjagold.db"), sqlite.Options{})
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		store = s
	}
	dice := NewSeededDice(1)
	srv, err := impl.New(store, dice)
	if err != nil {
		t.Fatalf("impl.New: %v", err)
	}
	cfg := opts.Config
	cfg.AdminToken = AdminToken
	handler, err := api.NewHandler(srv, cfg)
	if err != nil {
		t.Fatalf("api.NewHandler: %v", err)
	}
	hs := httptest.NewServer(handler)
	t.Cleanup(hs.Close)
	return &Server{URL: hs.URL, Store: store, Dice: dice, t: t, contract: LoadContract(t), client: hs.Client()}
}

// Request is one HTTP request a test sends.
type Request struct {
	Method  string
	Path    string
	Body    string // sent as is; "" sends no body
	Header  map[string]string
	Token   string // sent as a bearer token when set
	NoCheck bool   // skip the contract check (for deliberately odd requests only)
}

// Response is what came back, already checked against the contract.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it cannot.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Problem decodes the body as a problem.
func (r *Response) Problem(t testing.TB) generated.Problem {
	t.Helper()
	var p generated.Problem
	r.JSON(t, &p)
	return p
}

// Do sends req and checks the response against the contract.
func (s *Server) Do(req Request) *Response {
	s.t.Helper()
	var body io.Reader
	if req.Body != "" {
		body = strings.NewReader(req.Body)
	}
	hr, err := http.NewRequest(req.Method, s.URL+req.Path, body)
	if err != nil {
		s.t.Fatalf("new request: %v", err)
	}
	if req.Body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range req.Header {
		if v == "" {
			hr.Header.Del(k)
		} else {
			hr.Header.Set(k, v)
		}
	}
	if req.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.Token)
	}
	resp, err := s.client.Do(hr)
	if err != nil {
		s.t.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("read body: %v", err)
	}
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
	if !req.NoCheck {
		// Rebuild the request for the validator: its body was consumed.
		check, _ := http.NewRequest(req.Method, s.URL+req.Path, strings.NewReader(req.Body))
		check.Header = hr.Header.Clone()
		if err := s.contract.Check(check, out); err != nil {
			s.t.Errorf("%s %s -> %d breaks the contract: %v\nbody: %s", req.Method, req.Path, out.Status, err, data)
		}
	}
	return out
}

// Contract is openapi.yaml loaded on its own, for checking responses.
type Contract struct {
	doc    *openapi3.T
	router routers.Router
}

var (
	contractOnce sync.Once
	contract     *Contract
	contractErr  error
)

// LoadContract loads and validates openapi.yaml once per test binary.
func LoadContract(t testing.TB) *Contract {
	t.Helper()
	contractOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(ninjagold.OpenAPIYAML)
		if err != nil {
			contractErr = err
			return
		}
		if err := doc.Validate(loader.Context); err != nil {
			contractErr = fmt.Errorf("openapi.yaml is not a valid OpenAPI document: %w", err)
			return
		}
		doc.Servers = nil
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			contractErr = err
			return
		}
		contract = &Contract{doc: doc, router: router}
	})
	if contractErr != nil {
		t.Fatalf("load contract: %v", contractErr)
	}
	return contract
}

// Check validates one response to req against the contract: for a declared
// operation its status, headers, media type and body; for a path the
// contract does not have, the declared 404 or 405 problem.
func (c *Contract) Check(req *http.Request, resp *Response) error {
	route, params, err := c.router.FindRoute(req)
	switch {
	case errors.Is(err, routers.ErrPathNotFound):
		return c.checkComponent(resp, http.StatusNotFound, "NotFound")
	case errors.Is(err, routers.ErrMethodNotAllowed):
		return c.checkComponent(resp, http.StatusMethodNotAllowed, "MethodNotAllowed")
	case err != nil:
		return fmt.Errorf("find route: %w", err)
	}
	declared := route.Operation.Responses.Status(resp.Status)
	if declared == nil || declared.Value == nil {
		return fmt.Errorf("status %d is not declared for %s", resp.Status, route.Operation.OperationID)
	}
	if len(declared.Value.Content) == 0 && (len(resp.Body) > 0 || resp.Header.Get("Content-Type") != "") {
		return fmt.Errorf("status %d declares no content, got %q with %d bytes", resp.Status, resp.Header.Get("Content-Type"), len(resp.Body))
	}
	if ct := resp.Header.Get("Content-Type"); ct == "application/yaml" {
		// kin-openapi has no YAML body decoder; the schema is a plain string.
		if _, ok := declared.Value.Content["application/yaml"]; !ok {
			return fmt.Errorf("application/yaml is not declared for status %d", resp.Status)
		}
		return nil
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status:  resp.Status,
		Header:  resp.Header,
		Body:    io.NopCloser(bytes.NewReader(resp.Body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	return openapi3filter.ValidateResponse(context.Background(), input)
}

// checkComponent validates a response against a response component, for
// answers the router gives to paths and methods no operation declares.
func (c *Contract) checkComponent(resp *Response, status int, name string) error {
	if resp.Status != status {
		return fmt.Errorf("an undeclared route must answer %d, got %d", status, resp.Status)
	}
	comp := c.doc.Components.Responses[name]
	if comp == nil || comp.Value == nil {
		return fmt.Errorf("components.responses.%s is missing", name)
	}
	for h, ref := range comp.Value.Headers {
		if ref.Value.Required && resp.Header.Get(h) == "" {
			return fmt.Errorf("required header %s is missing", h)
		}
	}
	ct := resp.Header.Get("Content-Type")
	mt := comp.Value.Content.Get(ct)
	if mt == nil {
		return fmt.Errorf("Content-Type %q is not declared by %s", ct, name)
	}
	var v any
	if err := json.Unmarshal(resp.Body, &v); err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	return mt.Schema.Value.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.MultiErrors())
}

// SeededDice is a deterministic, concurrency-safe game.Dice for tests.
type SeededDice struct {
	mu  sync.Mutex
	rng *rand.Rand
}

// NewSeededDice returns dice that always roll the same sequence for seed.
func NewSeededDice(seed uint64) *SeededDice {
	return &SeededDice{rng: rand.New(rand.NewPCG(seed, seed))}
}

func (d *SeededDice) Int64N(n int64) int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rng.Int64N(n)
}
