package api

import (
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// requestIDKey is where the request id lives on the Gin context.
const requestIDKey = "ninjagold.request_id"

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

// newRequestID makes a 128-bit id. It only has to be unique, not
// unguessable, so it comes from math/rand/v2 (a per-thread generator seeded
// by the runtime) rather than a getrandom system call per request.
func newRequestID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	return hex.EncodeToString(b[:])
}

// requestID returns the id of the request c is serving.
func requestID(c *gin.Context) string { return c.GetString(requestIDKey) }

// observer gives every request an id, the security headers every response
// carries, one access-log line and its metrics. It runs outermost, so it
// sees every response, problems and recovered panics included.
type observer struct {
	ops     operations
	log     *slog.Logger
	metrics *httpMetrics // nil: no metrics
}

func (o observer) handle(c *gin.Context) {
	start := time.Now()
	id := c.GetHeader("X-Request-ID")
	if !validRequestID.MatchString(id) {
		id = newRequestID()
	}
	c.Set(requestIDKey, id)
	h := c.Writer.Header()
	h.Set("X-Request-ID", id)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if o.metrics != nil {
		o.metrics.inFlight.Inc()
		defer o.metrics.inFlight.Dec()
	}

	c.Next()

	operation := "none" // no operation: 404 and 405
	if op := o.ops.of(c); op != nil {
		operation = op.route.Operation.OperationID
	}
	status := c.Writer.Status()
	elapsed := time.Since(start)
	if o.metrics != nil {
		o.metrics.requests.WithLabelValues(operation, strconv.Itoa(status)).Inc()
		o.metrics.duration.WithLabelValues(operation, strconv.Itoa(status)).Observe(elapsed.Seconds())
	}
	// Never the headers or the body: they carry tokens.
	o.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
		slog.String("method", c.Request.Method),
		slog.String("route", c.FullPath()),
		slog.String("operation", operation),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		slog.Int("bytes", max(c.Writer.Size(), 0)),
		slog.String("request_id", id),
	)
}

// httpMetrics are the request metrics /metrics exposes.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ninjagold_http_requests_total",
			Help: "Requests answered, by operationId (none for unknown routes) and status.",
		}, []string{"operation", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ninjagold_http_request_duration_seconds",
			Help:    "Time to answer a request, by operationId and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"operation", "status"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ninjagold_http_requests_in_flight",
			Help: "Requests being served right now.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.inFlight)
	return m
}
