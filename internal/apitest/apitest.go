// Package apitest runs the real service for tests: the engine built by
// api.NewHandler over a real SQLite file, behind a real listener. Every
// response a test receives is checked against openapi.yaml by
// internal/contract (kin-openapi's ValidateResponse and the rules it adds:
// no undeclared header, no body where none is declared, none for a HEAD),
// against a document of its own (ninjagold.Spec parsed apart from the one
// the server is given), so a status, header, media type or body the
// contract does not declare fails the test that provoked it.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/prometheus/client_golang/prometheus"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/generated/client"
	"github.com/ninjagold/ninjagold-api/impl"
	"github.com/ninjagold/ninjagold-api/internal/contract"
	"github.com/ninjagold/ninjagold-api/internal/uripath"
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
	// Log holds what the server logged, when the harness made its logger.
	Log *[]slog.Record
	// Service is the implementation behind the handler (to Drain it, as a
	// stop signal does).
	Service *impl.Server

	contract *Contract
	client   *http.Client
}

// Options adjust a test server.
type Options struct {
	// Config is passed to api.NewHandler; AdminToken is always set, and
	// Metrics is always the registry /metrics serves, as in cmd/ninjagold.
	Config api.Config
	// Store, when set, is used instead of a fresh SQLite file.
	Store game.Store
	// NoResponseCheck turns off the server's own --validate-responses
	// check, which the harness otherwise turns on.
	NoResponseCheck bool
	// ReadTimeout is the server's (--read-timeout); 0 is none.
	ReadTimeout time.Duration
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
	reg := prometheus.NewRegistry()
	api.RegisterStoreMetrics(reg, store)
	cfg := opts.Config
	if cfg.Spec == nil {
		spec, err := ninjagold.Spec()
		if err != nil {
			t.Fatalf("parse the contract: %v", err)
		}
		cfg.Spec = spec
	}
	srv := impl.New(store, dice, reg, cfg.Spec)
	cfg.AdminToken = AdminToken
	cfg.Metrics = reg
	if !opts.NoResponseCheck {
		cfg.ValidateResponses = true
	}
	var records *[]slog.Record
	if cfg.Logger == nil {
		cfg.Logger, records = newTestLogger(t)
	}
	handler, err := api.NewHandler(srv, cfg)
	if err != nil {
		t.Fatalf("api.NewHandler: %v", err)
	}
	hs := httptest.NewUnstartedServer(handler)
	// As cmd/ninjagold serves it: the handler answers OPTIONS * itself, and
	// the connection's header bound is net/http's default, 1 MiB, as
	// cmd/ninjagold's is. Unlike it, no timeouts (a test's slow request is
	// the test's) but a ReadTimeout asked for, and net/http's own log to
	// stderr.
	hs.Config.DisableGeneralOptionsHandler = true
	hs.Config.ReadTimeout = opts.ReadTimeout
	hs.Start()
	t.Cleanup(hs.Close)
	httpClient := hs.Client()
	// Tests see redirects as they are, to check them against the contract,
	// and bodies as they came: net/http's client would otherwise ask for
	// gzip and hand back a /docs file uncompressed, without its
	// Content-Encoding and Content-Length.
	httpClient.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	httpClient.Transport.(*http.Transport).DisableCompression = true
	return &Server{URL: hs.URL, Store: store, Dice: dice, Log: records, Service: srv, contract: LoadContract(t), client: httpClient}
}

// Request is one HTTP request a test sends.
type Request struct {
	Method  string
	Path    string
	Body    string // sent as is; "" sends no body
	Header  map[string]string
	Lines   map[string][]string // headers sent on several lines, one value each
	Token   string              // sent as a bearer token when set
	NoCheck bool                // skip the contract check (for deliberately odd requests only)
}

// Response is what came back, already checked against the contract.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	Close  bool // the server closes the connection after it (Connection: close, which net/http's client takes out of Header)
}

// JSON decodes the body into v, failing the test when it cannot.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Problem decodes the body as a problem, failing the test unless it came
// as one: every error the service answers is application/problem+json.
func (r *Response) Problem(t testing.TB) generated.Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p generated.Problem
	r.JSON(t, &p)
	return p
}

// Do sends req and checks the response against the contract, reporting a
// failure to t: the test or subtest sending it, which need not be the one
// that started the server. (What the server itself logs as a violation,
// with --validate-responses, still fails the test that started it: the
// server cannot tell which test sent a request.) A failure to send is a
// t.Fatalf, which belongs on the test's own goroutine: the few tests that
// call Do from goroutines of their own (concurrent requests) get, on such a
// failure, that goroutine ended and the test marked failed, not stopped.
func (s *Server) Do(t testing.TB, req Request) *Response {
	t.Helper()
	var body io.Reader
	if req.Body != "" {
		body = strings.NewReader(req.Body)
	}
	hr, err := http.NewRequest(req.Method, s.URL+req.Path, body)
	if err != nil {
		t.Fatalf("new request: %v", err)
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
	for k, vs := range req.Lines {
		hr.Header[http.CanonicalHeaderKey(k)] = vs
	}
	if req.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.Token)
	}
	resp, err := s.client.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: data, Close: resp.Close}
	if !req.NoCheck {
		// Rebuild the request for the validator: its body was consumed.
		check, _ := http.NewRequest(req.Method, s.URL+req.Path, strings.NewReader(req.Body))
		check.Header = hr.Header.Clone()
		if err := s.contract.Check(check, out); err != nil {
			t.Errorf("%s %s -> %d breaks the contract: %v\nbody: %s", req.Method, req.Path, out.Status, err, data)
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
	loadOnce  sync.Once
	loaded    *Contract
	loadError error
)

// LoadContract loads openapi.yaml once per test binary (TestSpecIsValid
// validates it).
func LoadContract(t testing.TB) *Contract {
	t.Helper()
	loadOnce.Do(func() {
		doc, err := ninjagold.Spec()
		if err != nil {
			loadError = err
			return
		}
		doc.Servers = nil
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			loadError = err
			return
		}
		loaded = &Contract{doc: doc, router: router}
	})
	if loadError != nil {
		t.Fatalf("load contract: %v", loadError)
	}
	return loaded
}

// Check validates one response to req against the contract: for a declared
// operation its status, headers, media type and body; for a path the
// contract does not have, the declared 404 or 405 problem.
func (c *Contract) Check(req *http.Request, resp *Response) error {
	r := contract.Response{Status: resp.Status, Header: resp.Header, Body: resp.Body, Head: req.Method == http.MethodHead}
	// The route as the server finds it: /%6Cocations is /locations.
	route, params, err := c.router.FindRoute(uripath.Request(req))
	switch {
	case errors.Is(err, routers.ErrPathNotFound):
		return contract.CheckUndeclared(c.doc, r, http.StatusNotFound, "NotFound")
	case errors.Is(err, routers.ErrMethodNotAllowed):
		return contract.CheckUndeclared(c.doc, r, http.StatusMethodNotAllowed, "MethodNotAllowed")
	case err != nil:
		return fmt.Errorf("find route: %w", err)
	}
	return contract.Check(req, route, params, r)
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

// Client returns the generated Go client talking to the server, with every
// response checked against the contract like those of Do, a failure
// reported to t.
func (s *Server) Client(t testing.TB) *client.ClientWithResponses {
	t.Helper()
	c, err := client.NewClientWithResponses(s.URL, client.WithHTTPClient(&http.Client{
		Transport: checkingTransport{t: t, contract: s.contract, next: s.client.Transport},
	}))
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	return c
}

// checkingTransport checks each response against the contract before the
// client sees it.
type checkingTransport struct {
	t        testing.TB
	contract *Contract
	next     http.RoundTripper
}

func (ct checkingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := ct.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	check := req.Clone(req.Context())
	check.Body = io.NopCloser(bytes.NewReader(reqBody))
	if err := ct.contract.Check(check, &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}); err != nil {
		ct.t.Errorf("%s %s -> %d breaks the contract: %v\nbody: %s", req.Method, req.URL.Path, resp.StatusCode, err, body)
	}
	return resp, nil
}
