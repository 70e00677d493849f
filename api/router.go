// Package api assembles the HTTP service: the Gin engine, the generated
// routes, the middleware that enforces openapi.yaml on every request, and the
// one mapping from errors to application/problem+json responses.
//
// main and the tests both build the service with NewHandler, so the tests
// exercise exactly what runs in production.
package api

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/internal/uripath"
)

// Defaults for the Config limits left zero. No body the contract accepts
// comes near 64 KiB (the longest, a location's, is a few KiB even with
// every character escaped); a refused body costs the validator time in
// proportion to its size (a pattern is matched over a whole string past
// its maxLength), which a larger limit would hand any client.
const (
	DefaultMaxBodyBytes   = 64 << 10
	DefaultMaxHeaderBytes = 16 << 10
)

// Config tunes the handler. The zero value is usable except for AdminToken,
// without which no admin request can succeed.
type Config struct {
	// AdminToken authorizes location writes.
	AdminToken string
	// MaxBodyBytes bounds request bodies; larger ones get 413.
	MaxBodyBytes int64
	// Logger receives every request's access line, warnings (a database
	// that cannot serve, a response the contract does not allow) and
	// internal errors; nil discards them.
	Logger *slog.Logger
	// StrictMiddlewares wrap every operation handler (outermost first).
	StrictMiddlewares []generated.StrictMiddlewareFunc
	// Metrics, when set, receives the request metrics served at /metrics.
	Metrics prometheus.Registerer
	// RateLimit limits each client; the zero value turns it off.
	RateLimit RateLimit
	// TrustedProxies are the addresses (IPs or CIDRs) whose
	// X-Forwarded-For (or, without it, X-Real-IP) names the client for rate
	// limiting; none by default.
	TrustedProxies []string
	// MaxHeaderBytes bounds the request's header fields; larger ones get
	// 431. Default DefaultMaxHeaderBytes.
	MaxHeaderBytes int
	// CORSOrigins are the origins whose pages may call the API from a
	// browser; none (the default) turns CORS off.
	CORSOrigins []string
	// MaxInFlight bounds the requests served at once, each counted once it
	// has arrived whole (its body read); more get 503.
	// Zero means no bound.
	MaxInFlight int
	// ValidateResponses checks every response against the contract and
	// logs each violation (ViolationMessage) with operation, status and
	// reason. Off by default: it copies every body.
	ValidateResponses bool
	// StoreDeadline, when set, ends the context of each request to an
	// operation this long after the middleware takes it up. A database
	// call still waiting then is given up, and the request is answered
	// 503 "The database did not answer in time." (or, for a write whose
	// COMMIT went unanswered, that it may have been applied). It bounds
	// the request as a whole, however many calls it makes: cmd/ninjagold
	// sets it on PostgreSQL, to nine-tenths of --write-timeout, so that the
	// answer is written before the connection's time is up. Zero: none
	// (the SQLite store's calls wait on no network).
	StoreDeadline time.Duration
	// Spec is the contract as ninjagold.Spec returns it, which NewHandler
	// only reads, and the one the server was given (impl.New); nil:
	// NewHandler parses it. cmd/ninjagold parses it while
	// the database opens, to answer sooner after a start.
	Spec *openapi3.T
}

func init() { gin.SetMode(gin.ReleaseMode) }

// NewHandler builds the engine serving ssi under the contract. The
// http.Server serving it must set DisableGeneralOptionsHandler: the engine
// answers OPTIONS * itself, through its middleware (net/http's own answer
// would keep the connection after a chunked body).
func NewHandler(ssi generated.StrictServerInterface, cfg Config) (http.Handler, error) {
	if r := cfg.RateLimit.Rate; r != 0 && !(r >= MinRate && r <= MaxRate) { // NaN fails both
		return nil, fmt.Errorf("api: the rate limit must be 0 (off) or from %.6f to %d requests per second, not %v", MinRate, MaxRate, r)
	}
	if b := cfg.RateLimit.Burst; b > MaxBurst {
		return nil, fmt.Errorf("api: the rate burst must be at most %d requests, not %d", MaxBurst, b)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	spec := cfg.Spec
	if spec == nil {
		var err error
		if spec, err = ninjagold.Spec(); err != nil {
			return nil, fmt.Errorf("api: %w", err)
		}
	}
	ops, err := newOperations(spec, cfg.ValidateResponses)
	if err != nil {
		return nil, err
	}
	errs := errorResponder{log: cfg.Logger, deadline: cfg.StoreDeadline}
	v := newValidator(cfg.AdminToken, cfg.MaxBodyBytes)
	v.errs = errs
	v.deadline = cfg.StoreDeadline

	r := newEngine()
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("api: trusted proxies: %w", err)
	}
	// The middleware, outermost first. Those that need the request's
	// operation take it as an argument: each route's chain is bound to its
	// operation once, when the route is registered (routes below), so no
	// request looks it up.
	var chain []func(*gin.Context, *operation)
	if cfg.ValidateResponses {
		// Outside the recovery, so it also sees the 500 a panic turns into.
		chain = append(chain, responseChecker{doc: spec, log: cfg.Logger}.handle)
	}
	// Inside the response checker, which holds a HEAD answer to having no
	// body, and outside everything that may write one.
	chain = append(chain, headOnly)
	var metrics *httpMetrics
	if cfg.Metrics != nil {
		metrics = newHTTPMetrics(cfg.Metrics)
	}
	chain = append(chain, newObserver(ops, cfg.Logger, metrics, len(cfg.TrustedProxies) > 0).handle,
		anyOperation(gin.CustomRecoveryWithWriter(io.Discard, errs.recovered)))
	if len(cfg.CORSOrigins) > 0 {
		// Before any refusal, so that a browser script can read those too.
		chain = append(chain, anyOperation(cors(r, ops, cfg.CORSOrigins)))
	}
	chain = append(chain, headerLimit(cfg.MaxHeaderBytes))
	if cfg.RateLimit.Rate > 0 {
		rl := newRateLimiter(cfg.RateLimit, cfg.AdminToken)
		v.verifier = rl
		chain = append(chain, rl.handle)
	}
	chain = append(chain, v.handle)
	if cfg.MaxInFlight > 0 {
		// After the validator, which has read the body: a request holds a
		// slot once it has arrived whole, so that clients sending bodies
		// slowly (for as long as --read-timeout lets them) cannot take
		// every slot from the others.
		chain = append(chain, inFlightLimit(cfg.MaxInFlight))
	}
	rs := &routes{IRouter: r, ops: ops, chain: chain}

	r.NoRoute(rs.bind(nil, notFound)...)
	r.NoMethod(rs.bind(nil, methodNotAllowed(r, ops))...)

	strict := generated.NewStrictHandlerWithOptions(ssi, cfg.StrictMiddlewares, generated.StrictGinServerOptions{
		RequestErrorHandlerFunc:  errs.requestError,
		HandlerErrorFunc:         errs.handlerError,
		ResponseErrorHandlerFunc: errs.internal,
	})
	generated.RegisterHandlersWithOptions(rs, strict, generated.GinServerOptions{
		// The validator has checked every parameter already; the generated
		// binder failing afterwards would be a server bug.
		ErrorHandler: func(c *gin.Context, err error, _ int) { errs.internal(c, err) },
	})
	if err := rs.checkHeads(); err != nil {
		rs.fail(err)
	}
	if rs.err != nil {
		return nil, rs.err
	}
	return unreservedDecoded{r}, nil
}

// notFound answers a request no route matches: OPTIONS * with an empty 200,
// anything else with a 404 problem.
func notFound(c *gin.Context) {
	if isServerOptions(c.Request) {
		// OPTIONS * asks about the server as a whole: an empty 200,
		// as net/http would answer it. It is answered here, where
		// the middleware sees it (the server must set
		// DisableGeneralOptionsHandler), so that it gets a request id
		// and an access line, and its connection closes after a
		// chunked body like any other's.
		c.Header("Content-Length", "0")
		c.Status(http.StatusOK)
		return
	}
	// The path as sent, escaped as in the problem's instance: /locations%2F1
	// names nothing, /locations/1 does.
	detail := "Nothing exists at " + echoedPath(c.Request) + "."
	if c.Request.URL.Path == "" {
		// An absolute target without one (GET http://host) or
		// CONNECT's host:port: Gin routes no empty path.
		detail = "The request target has no path."
	}
	writeProblem(c, kindNotFound, detail, nil)
}

// methodNotAllowed answers a method the route Gin matched on r does not
// declare with a 405 problem and the route's Allow.
func methodNotAllowed(r *gin.Engine, ops operations) gin.HandlerFunc {
	return func(c *gin.Context) {
		// The methods of the route Gin matched, so on the path in the form
		// it matched: /players/1%2Fvisits is /players/{id} there, which the
		// unescaped /players/1/visits is not.
		allow := ops.allowed(routedPath(r, c.Request.URL))
		c.Header("Allow", allow)
		method := c.Request.Method
		if method == http.MethodHead {
			// HEAD answers as GET does, without the body: the problem GET
			// would get, and its Content-Length (RFC 9110 §9.3.2).
			method = http.MethodGet
		}
		writeProblem(c, kindMethodNotAllowed,
			shownMethod(method)+" is not supported here; use "+allow+".", nil)
	}
}

// unreservedDecoded serves its engine with each %XX in the request's path
// that encodes an unreserved character (a letter, a digit, "-", ".", "_"
// or "~") decoded, as RFC 3986, section 6.2.2.2 says URIs are compared:
// /%6Cocations is /locations. The engine routes on the path as sent (see
// UseRawPath), where it would be a path that names nothing. Other escapes
// stay: /locations%2F1 is still one segment. A request that waits for
// 100 Continue is served through serveUnasked.
type unreservedDecoded struct{ *gin.Engine }

func (h unreservedDecoded) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = uripath.Request(r)
	if waitsForContinue(r) {
		serveUnasked(h.Engine, w, r)
		return
	}
	h.Engine.ServeHTTP(w, r)
}

// isServerOptions reports whether r is OPTIONS *, the server as a whole
// (RFC 9110, section 9.3.7).
func isServerOptions(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.RequestURI == "*"
}

// routedPath is u's path in the form e routes on (see
// Engine.handleHTTPRequest): as sent with UseRawPath or UseEscapedPath,
// else unescaped. (NewHandler leaves RemoveExtraSlash off.)
func routedPath(e *gin.Engine, u *url.URL) string {
	switch {
	case e.UseEscapedPath:
		return u.EscapedPath()
	case e.UseRawPath && u.RawPath != "":
		return u.RawPath
	}
	return u.Path
}

// newEngine is the Gin engine the service routes on, as NewHandler and the
// validator's tests set it up, with no middleware yet.
func newEngine() *gin.Engine {
	r := gin.New()
	// Anything Gin would answer on its own (redirects, plain-text 404/405)
	// is not in the contract: NewHandler answers with problems instead.
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	// Route on the path as sent: /locations%2F1 is one segment that names
	// nothing, not /locations/1 (path parameters are still unescaped).
	r.UseRawPath = true
	r.HandleMethodNotAllowed = true
	return r
}

// routes is the router the generated code registers its handlers on: it
// puts each behind the middleware chain bound to the handler's operation.
// Handle and the verb methods bind; the rest of gin.IRouter (Use, Group,
// Any, Match, Static...) would put handlers outside the bound chains, so
// each of them is an error instead, as is a route the contract does not
// declare; the generated code calls none of them.
type routes struct {
	gin.IRouter
	ops   operations
	chain []func(*gin.Context, *operation)
	err   error // the first registration that could not be bound
	// heads are the paths whose HEAD operation a GET route serves.
	heads map[string]bool
}

// bind returns the chain for op (nil: no operation) followed by h.
func (rs *routes) bind(op *operation, h ...gin.HandlerFunc) gin.HandlersChain {
	hs := make(gin.HandlersChain, 0, len(rs.chain)+len(h))
	for _, m := range rs.chain {
		hs = append(hs, func(c *gin.Context) { m(c, op) })
	}
	return append(hs, h...)
}

func (rs *routes) Handle(method, path string, h ...gin.HandlerFunc) gin.IRoutes {
	op := rs.ops.byRoute[method][path]
	switch {
	case op == nil:
		return rs.fail(fmt.Errorf("api: the generated server has %s %s, which openapi.yaml does not declare", method, path))
	case method == http.MethodHead:
		return rs.fail(fmt.Errorf("api: the generated server has HEAD %s: HEAD operations are served by their GET twin "+
			"(head.go), so exclude %s in oapi-codegen.yaml", path, op.route.Operation.OperationID))
	}
	if head := rs.ops.byRoute[http.MethodHead][path]; method == http.MethodGet && head != nil {
		rs.IRouter.Handle(http.MethodHead, path, rs.bind(head, h...)...)
		if rs.heads == nil {
			rs.heads = map[string]bool{}
		}
		rs.heads[path] = true
	}
	return rs.IRouter.Handle(method, path, rs.bind(op, h...)...)
}

// fail records err unless a registration failed before: NewHandler reports
// the first.
func (rs *routes) fail(err error) gin.IRoutes {
	if rs.err == nil {
		rs.err = err
	}
	return rs
}

// checkHeads reports a HEAD operation that no GET twin serves.
func (rs *routes) checkHeads() error {
	var missing []string
	for path, op := range rs.ops.byRoute[http.MethodHead] {
		if !rs.heads[path] {
			missing = append(missing, op.route.Operation.OperationID+" (HEAD "+path+")")
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("api: openapi.yaml declares %s without a GET on the same path to serve it",
			strings.Join(missing, ", "))
	}
	return nil
}

// unbound records a registration routes does not bind to an operation.
func (rs *routes) unbound(call string) gin.IRoutes {
	return rs.fail(fmt.Errorf("api: the generated server called %s, which is not bound to an operation's middleware", call))
}

func (rs *routes) Use(...gin.HandlerFunc) gin.IRoutes { return rs.unbound("Use") }

func (rs *routes) Group(path string, _ ...gin.HandlerFunc) *gin.RouterGroup {
	rs.unbound("Group " + path)
	return rs.IRouter.Group(path) // never served: NewHandler fails
}

func (rs *routes) Any(path string, _ ...gin.HandlerFunc) gin.IRoutes {
	return rs.unbound("Any " + path)
}

func (rs *routes) Match(_ []string, path string, _ ...gin.HandlerFunc) gin.IRoutes {
	return rs.unbound("Match " + path)
}

func (rs *routes) StaticFile(path, _ string) gin.IRoutes {
	return rs.unbound("StaticFile " + path)
}

func (rs *routes) StaticFileFS(path, _ string, _ http.FileSystem) gin.IRoutes {
	return rs.unbound("StaticFileFS " + path)
}

func (rs *routes) Static(path, _ string) gin.IRoutes { return rs.unbound("Static " + path) }

func (rs *routes) StaticFS(path string, _ http.FileSystem) gin.IRoutes {
	return rs.unbound("StaticFS " + path)
}

func (rs *routes) GET(path string, h ...gin.HandlerFunc) gin.IRoutes {
	return rs.Handle(http.MethodGet, path, h...)
}

func (rs *routes) POST(path string, h ...gin.HandlerFunc) gin.IRoutes {
	return rs.Handle(http.MethodPost, path, h...)
}

func (rs *routes) PUT(path string, h ...gin.HandlerFunc) gin.IRoutes {
	return rs.Handle(http.MethodPut, path, h...)
}

func (rs *routes) PATCH(path string, h ...gin.HandlerFunc) gin.IRoutes {
	return rs.Handle(http.MethodPatch, path, h...)
}

func (rs *routes) DELETE(path string, h ...gin.HandlerFunc) gin.IRoutes {
	return rs.Handle(http.MethodDelete, path, h...)
}

func (rs *routes) OPTIONS(path string, h ...gin.HandlerFunc) gin.IRoutes {
	return rs.Handle(http.MethodOptions, path, h...)
}

func (rs *routes) HEAD(path string, h ...gin.HandlerFunc) gin.IRoutes {
	return rs.Handle(http.MethodHead, path, h...)
}

// anyOperation adapts a middleware that does not need the operation.
func anyOperation(h gin.HandlerFunc) func(*gin.Context, *operation) {
	return func(c *gin.Context, _ *operation) { h(c) }
}
