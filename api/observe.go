package api

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

// newRequestID makes a 128-bit id. It only has to be unique, not
// unguessable, so it comes from math/rand/v2 (a per-thread generator seeded
// by the runtime) rather than a getrandom system call per request.
func newRequestID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	var id [32]byte
	hex.Encode(id[:], b[:])
	return string(id[:]) // one allocation; hex.EncodeToString makes two
}

// requestID returns the id of the request c is serving: the observer puts
// it on the response before anything else runs.
func requestID(c *gin.Context) string { return c.Writer.Header().Get("X-Request-ID") }

// observer gives every request an id, the security headers every response
// carries, one access-log line and its metrics. It runs outermost, so it
// sees every response, problems and recovered panics included.
type observer struct {
	log     *slog.Logger
	metrics *httpMetrics // nil: no metrics
	// logs holds, per operation, its access line's fixed fields (method,
	// route, operation) already formatted.
	logs map[*operation]opLog
	// json is the logger's handler when NewLogHandler made it for JSON:
	// the observer then writes the access line itself (accesslog.go).
	json *jsonLog
	// proxies: some proxy is trusted to name the client (clientAddr).
	proxies bool
}

// opLog is an operation's access log: a slog handler with the fixed fields
// added, and, for a jsonLog, the same fields as JSON (nil: through slog).
type opLog struct {
	handler slog.Handler
	fields  []byte
}

func newObserver(ops operations, log *slog.Logger, metrics *httpMetrics, proxies bool) observer {
	o := observer{log: log, metrics: metrics, logs: map[*operation]opLog{}, proxies: proxies}
	o.json, _ = log.Handler().(*jsonLog)
	for method, routes := range ops.byRoute {
		for route, op := range routes {
			l := opLog{handler: log.Handler().WithAttrs([]slog.Attr{
				slog.String("method", method),
				slog.String("route", route),
				slog.String("operation", op.route.Operation.OperationID),
			})}
			if o.json != nil {
				l.fields, _ = accessFields(method, route, op.route.Operation.OperationID)
			}
			o.logs[op] = l
		}
	}
	return o
}

// handle observes a request to op (nil: no operation, a 404 or 405).
func (o observer) handle(c *gin.Context, op *operation) {
	start := time.Now()
	id := header(c.Request.Header, "X-Request-Id")
	if id == "" || !validRequestID.MatchString(id) {
		id = newRequestID()
	}
	h := c.Writer.Header()
	h["X-Request-Id"] = []string{id}
	h["X-Content-Type-Options"] = nosniff
	h["Referrer-Policy"] = noReferrer
	h["Cache-Control"] = noCache // a handler with a policy of its own replaces it
	if ambiguousFraming(c.Request) {
		h["Connection"] = connectionClose
	}
	if o.metrics != nil {
		o.metrics.inFlight.Inc()
		defer o.metrics.inFlight.Dec()
	}

	c.Next()

	status := c.Writer.Status()
	now := time.Now()
	elapsed := now.Sub(start)
	if o.metrics != nil {
		o.metrics.observe(op, status, elapsed)
	}
	o.accessLog(c, op, now, id, status, elapsed)
}

// ambiguousFraming reports whether r's body may have been framed otherwise
// by a proxy in front, which would then see another request where this
// server sees body, or the reverse (request smuggling). RFC 9112, section
// 6.1, requires closing the connection after a request that has both
// Transfer-Encoding and Content-Length, and after an HTTP/1.0 request with
// Transfer-Encoding. net/http drops what would tell: the Content-Length
// sent with a chunked body, and an HTTP/1.0 request's Transfer-Encoding
// (it goes by the length, or reads no body without one). So this answers
// yes for every chunked request and every HTTP/1.0 request; a JSON client
// seldom sends the one, and an HTTP/1.0 client seldom asks to keep its
// connection.
func ambiguousFraming(r *http.Request) bool {
	return !r.ProtoAtLeast(1, 1) || r.ContentLength < 0 && len(r.TransferEncoding) > 0
}

// maxShownMethod bounds the method a request no operation matches has
// repeated in its access line and its 405: any token may be a method, as
// long as the request line's 1 MiB allows, and every line logged would copy
// it.
const maxShownMethod = 32

// shownMethod is method cut to maxShownMethod bytes, with "…" when cut (a
// method is ASCII: no character is split).
func shownMethod(method string) string {
	if len(method) <= maxShownMethod {
		return method
	}
	return method[:maxShownMethod] + "…"
}

// accessLog writes the request's line: by hand for a jsonLog (the same
// bytes, see accesslog.go), else through the operation's slog handler,
// called directly, as the log/slog documentation shows for wrappers, which
// spares Logger's runtime.Callers: the line has no use for the source
// position. Never the headers or the body: they carry tokens.
func (o observer) accessLog(c *gin.Context, op *operation, now time.Time, id string, status int, elapsed time.Duration) {
	ctx := c.Request.Context()
	l, ok := o.logs[op]
	if !ok { // no operation: 404 and 405
		l.handler = o.log.Handler().WithAttrs([]slog.Attr{
			slog.String("method", shownMethod(c.Request.Method)),
			slog.String("route", c.FullPath()),
			slog.String("operation", "none"),
		})
	}
	if !l.handler.Enabled(ctx, slog.LevelInfo) {
		return
	}
	size := max(c.Writer.Size(), 0)
	client := clientAddr(c, o.proxies)
	if l.fields != nil {
		buf := lineBuffers.Get().(*[]byte)
		defer lineBuffers.Put(buf)
		var ok bool
		if *buf, ok = appendAccessLine((*buf)[:0], now, l.fields, status, elapsed, size, client, id); ok {
			_, _ = o.json.w.Write(*buf) // a log that cannot be written has nowhere to report it
			return
		}
	}
	slogAccessLine(ctx, l.handler, now, client, id, status, elapsed, size)
}

// clientAddr is the client's address as the access line gives it: the
// connection's, or, when a proxy is trusted (proxies), Gin's ClientIP, the
// one the rate limiter goes by (a trusted proxy's forwarded one), falling
// back to the connection's when Gin gives none (an IPv6 address with a
// zone); an IPv4 address mapped into IPv6 as IPv4, as the limiter takes
// it. With no proxy trusted, ClientIP is the connection's address parsed
// and formatted anew, two allocations for the same text.
func clientAddr(c *gin.Context, proxies bool) string {
	ip := ""
	if proxies {
		ip = c.ClientIP()
	}
	if ip == "" {
		ip = c.RemoteIP()
	}
	if a, err := netip.ParseAddr(ip); err == nil && a.Is4In6() {
		return a.Unmap().String()
	}
	return ip
}

// slogAccessLine writes the access line through a slog handler.
func slogAccessLine(ctx context.Context, h slog.Handler, now time.Time, client, id string, status int, elapsed time.Duration, size int) {
	r := slog.NewRecord(now, slog.LevelInfo, "request", 0)
	r.AddAttrs(
		slog.Int("status", status),
		slog.Duration("duration", elapsed), // JSON: nanoseconds; text: 1.2ms
		slog.Int("bytes", size),
		slog.String("client", client),
		slog.String("request_id", id),
	)
	_ = h.Handle(ctx, r) // a log that cannot be written has nowhere to report it
}

// Header values shared by every response that has them (net/http only
// reads them; an append to one makes a copy, since each is full).
var (
	nosniff            = []string{"nosniff"}
	noReferrer         = []string{"no-referrer"}
	noCache            = []string{"no-cache"}
	connectionClose    = []string{"close"}
	varyAccept         = []string{"Accept"}
	varyAcceptEncoding = []string{"Accept-Encoding"}
	varyOrigin         = []string{"Origin"}
)

// addVary adds shared, one of the Vary values above, to h's Vary: as it is
// when h has none yet, else joined to the lines there. One line, since
// clients that read a header's first line alone (oapi-codegen's among
// them) would miss the rest, though RFC 9110 allows several.
func addVary(h http.Header, shared []string) {
	if vary := h["Vary"]; len(vary) == 0 {
		h["Vary"] = shared
	} else {
		h["Vary"] = []string{strings.Join(vary, ", ") + ", " + shared[0]}
	}
}

// httpMetrics are the request metrics /metrics exposes.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	series   sync.Map // metricKey -> series
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ninjagold_http_requests_total",
			Help: "Requests answered, by operationId (none where no operation matches: 404, 405, OPTIONS *) and status.",
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

// metricKey names one series pair: an operation (nil: none) and a status.
type metricKey struct {
	op     *operation
	status int
}

// series are the counter and histogram of one metricKey.
type series struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// observe counts one answered request. The series of each operation and
// status are looked up once and kept, which spares formatting the status
// and hashing the labels on every request.
func (m *httpMetrics) observe(op *operation, status int, elapsed time.Duration) {
	key := metricKey{op, status}
	s, ok := m.series.Load(key)
	if !ok {
		name := "none"
		if op != nil {
			name = op.route.Operation.OperationID
		}
		code := strconv.Itoa(status)
		s, _ = m.series.LoadOrStore(key, series{
			requests: m.requests.WithLabelValues(name, code),
			duration: m.duration.WithLabelValues(name, code),
		})
	}
	ser := s.(series)
	ser.requests.Inc()
	ser.duration.Observe(elapsed.Seconds())
}
