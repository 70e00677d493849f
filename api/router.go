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

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/generated"
)

// Defaults for the Config limits left zero.
const (
	DefaultMaxBodyBytes   = 1 << 20
	DefaultMaxHeaderBytes = 16 << 10
)

// Config tunes the handler. The zero value is usable except for AdminToken,
// without which no admin request can succeed.
type Config struct {
	// AdminToken authorizes location writes.
	AdminToken string
	// MaxBodyBytes bounds request bodies; larger ones get 413.
	MaxBodyBytes int64
	// Logger receives internal errors; nil discards them.
	Logger *slog.Logger
	// StrictMiddlewares wrap every operation handler (outermost first).
	StrictMiddlewares []generated.StrictMiddlewareFunc
	// Metrics, when set, receives the request metrics served at /metrics.
	Metrics prometheus.Registerer
	// RateLimit limits each client; the zero value turns it off.
	RateLimit RateLimit
	// TrustedProxies are the addresses (IPs or CIDRs) whose
	// X-Forwarded-For names the client for rate limiting; none by default.
	TrustedProxies []string
	// MaxHeaderBytes bounds the request's header fields; larger ones get
	// 431. Default DefaultMaxHeaderBytes.
	MaxHeaderBytes int
	// CORSOrigins are the origins whose pages may call the API from a
	// browser; none (the default) turns CORS off.
	CORSOrigins []string
	// MaxInFlight bounds the requests served at once; more get 503.
	// Zero means no bound.
	MaxInFlight int
	// ValidateResponses checks every response against the contract and
	// logs each violation (ViolationMessage) with operation, status and
	// reason. Off by default: it copies every body.
	ValidateResponses bool
}

func init() { gin.SetMode(gin.ReleaseMode) }

// NewHandler builds the engine serving ssi under the contract.
func NewHandler(ssi generated.StrictServerInterface, cfg Config) (*gin.Engine, error) {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	spec, err := ninjagold.Spec()
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	ops, err := newOperations(spec)
	if err != nil {
		return nil, err
	}
	errs := errorResponder{log: cfg.Logger}
	v := newValidator(ops, cfg.AdminToken, cfg.MaxBodyBytes)

	r := gin.New()
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("api: trusted proxies: %w", err)
	}
	// Anything Gin would answer on its own (redirects, plain-text 404/405)
	// is not in the contract: answer with problems instead.
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.HandleMethodNotAllowed = true
	if cfg.ValidateResponses {
		// Outside the recovery, so it also sees the 500 a panic turns into.
		r.Use(responseChecker{ops: ops, doc: spec, log: cfg.Logger}.handle)
	}
	var metrics *httpMetrics
	if cfg.Metrics != nil {
		metrics = newHTTPMetrics(cfg.Metrics)
	}
	r.Use(newObserver(ops, cfg.Logger, metrics).handle)
	r.Use(gin.CustomRecoveryWithWriter(io.Discard, errs.recovered))
	r.Use(headerLimit(cfg.MaxHeaderBytes))
	if len(cfg.CORSOrigins) > 0 {
		r.Use(cors(ops, cfg.CORSOrigins))
	}
	if cfg.MaxInFlight > 0 {
		r.Use(inFlightLimit(ops, cfg.MaxInFlight))
	}
	if cfg.RateLimit.Rate > 0 {
		r.Use(newRateLimiter(cfg.RateLimit, ops).handle)
	}
	r.Use(v.handle)
	r.NoRoute(func(c *gin.Context) {
		writeProblem(c, kindNotFound, "Nothing exists at "+c.Request.URL.Path+".", nil)
	})
	r.NoMethod(func(c *gin.Context) {
		allow := ops.allowed(c.Request.URL.Path)
		c.Header("Allow", allow)
		writeProblem(c, kindMethodNotAllowed,
			c.Request.Method+" is not supported here; use "+allow+".", nil)
	})

	strict := generated.NewStrictHandlerWithOptions(ssi, cfg.StrictMiddlewares, generated.StrictGinServerOptions{
		RequestErrorHandlerFunc:  errs.requestError,
		HandlerErrorFunc:         errs.handlerError,
		ResponseErrorHandlerFunc: errs.internal,
	})
	generated.RegisterHandlersWithOptions(r, strict, generated.GinServerOptions{
		// The validator has checked every parameter already; the generated
		// binder failing afterwards would be a server bug.
		ErrorHandler: func(c *gin.Context, err error, _ int) { errs.internal(c, err) },
	})
	return r, nil
}
