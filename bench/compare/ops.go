package compare

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
)

// Op is one benchmarked request.
type Op struct {
	// Name names the Go benchmark (BenchmarkName) and the load test.
	Name string
	// Method and Path; Path may depend on the Env (the visiting player).
	Method string
	Path   func(e *Env) string
	// Header is sent as is; Auth adds the visiting player's bearer token.
	Header map[string]string
	Auth   bool
	// Body is the request body, nil for none.
	Body []byte
	// Status is the status every response must have.
	Status int
	// Fields must be members of the JSON response body.
	Fields []string
	// Reset, when set, keeps the database from growing: the benchmark
	// calls it every ResetEvery requests with the timer stopped.
	Reset func(ctx context.Context, e *Env) error
}

// ResetEvery is how many requests a writing benchmark makes between two
// Resets: the database grows by at most this many players or visits.
const ResetEvery = 2048

// Ops are the benchmarked operations.
var Ops = []Op{
	{
		Name: "GetLocation", Method: http.MethodGet,
		Path:   func(*Env) string { return "/locations/1" },
		Status: http.StatusOK, Fields: []string{"id", "name", "min_gold", "max_gold", "created_at"},
	},
	{
		Name: "CreatePlayer", Method: http.MethodPost,
		Path:   func(*Env) string { return "/players" },
		Header: map[string]string{"Content-Type": "application/json"},
		Body:   []byte(`{"first_name":"Hattori","last_name":"Hanzo"}`),
		Status: http.StatusCreated, Fields: []string{"id", "first_name", "last_name", "gold", "created_at", "token"},
		// Delete the players this benchmark created.
		Reset: func(ctx context.Context, e *Env) error { return e.DeletePlayersAfter(ctx, e.Player) },
	},
	{
		Name: "CreateVisit", Method: http.MethodPost,
		Path:   func(e *Env) string { return "/players/" + strconv.FormatInt(e.Player, 10) + "/visits" },
		Header: map[string]string{"Content-Type": "application/json"},
		Auth:   true,
		Body:   []byte(`{"location_id":1}`),
		Status: http.StatusCreated, Fields: []string{"id", "player_id", "location_id", "gold", "balance", "message"},
		// Replace the visiting player, which deletes their visits.
		Reset: func(ctx context.Context, e *Env) error { return e.NewVisitor(ctx) },
	},
}

// SetHeaders puts op's headers on h, with token as the bearer token when
// op needs the visiting player's.
func (op Op) SetHeaders(h http.Header, token string) {
	for k, v := range op.Header {
		h.Set(k, v)
	}
	if op.Auth {
		h.Set("Authorization", "Bearer "+token)
	}
}

// Runner sends one Op to one handler again and again, reusing the request
// and the response writer so that only the handler is measured.
type Runner struct {
	h    http.Handler
	op   Op
	env  *Env
	req  *http.Request
	body body
	rec  Recorder
}

// NewRunner prepares op against h over env.
func NewRunner(h http.Handler, op Op, env *Env) *Runner {
	r := &Runner{h: h, op: op, env: env, rec: Recorder{header: http.Header{}}}
	r.Rebuild()
	return r
}

// Rebuild makes the request again, for after a Reset that changed what it
// depends on (the visiting player).
func (r *Runner) Rebuild() {
	req := httptest.NewRequest(r.op.Method, r.op.Path(r.env), nil)
	r.op.SetHeaders(req.Header, r.env.PlayerToken)
	req.RemoteAddr = "127.0.0.1:40000"
	r.req = req
}

// body is a reusable request body.
type body struct{ *bytes.Reader }

func (body) Close() error { return nil }

// Serve sends the request once and returns the status.
func (r *Runner) Serve() int {
	r.rec.reset()
	if r.op.Body != nil {
		if r.body.Reader == nil {
			r.body.Reader = bytes.NewReader(r.op.Body)
		}
		r.body.Reset(r.op.Body)
		r.req.Body = r.body
		r.req.ContentLength = int64(len(r.op.Body))
	}
	r.h.ServeHTTP(&r.rec, r.req)
	return r.rec.Code
}

// Check sends the request once and checks the whole response: status,
// Content-Type and the expected members of the JSON body.
func (r *Runner) Check() error {
	status := r.Serve()
	if status != r.op.Status {
		return fmt.Errorf("%s %s: status %d, want %d; body %s", r.op.Method, r.req.URL.Path, status, r.op.Status, r.rec.Body.Bytes())
	}
	// ogen adds "; charset=utf-8".
	if ct, _, _ := mime.ParseMediaType(r.rec.header.Get("Content-Type")); ct != "application/json" {
		return fmt.Errorf("%s %s: Content-Type %q, want application/json", r.op.Method, r.req.URL.Path, r.rec.header.Get("Content-Type"))
	}
	var m map[string]any
	if err := json.Unmarshal(r.rec.Body.Bytes(), &m); err != nil {
		return fmt.Errorf("%s %s: body %s: %v", r.op.Method, r.req.URL.Path, r.rec.Body.Bytes(), err)
	}
	for _, f := range r.op.Fields {
		if _, ok := m[f]; !ok {
			return fmt.Errorf("%s %s: body %s lacks %q", r.op.Method, r.req.URL.Path, r.rec.Body.Bytes(), f)
		}
	}
	return nil
}

// Body returns the last response body.
func (r *Runner) Body() []byte { return r.rec.Body.Bytes() }

// Recorder is a minimal reusable http.ResponseWriter (httptest's recorder
// allocates a new one per request and snapshots headers, which would count
// against every variant).
type Recorder struct {
	header      http.Header
	Code        int
	Body        bytes.Buffer
	wroteHeader bool
}

func (w *Recorder) Header() http.Header { return w.header }

func (w *Recorder) WriteHeader(code int) {
	if !w.wroteHeader {
		w.Code, w.wroteHeader = code, true
	}
}

func (w *Recorder) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.Body.Write(p)
}

func (w *Recorder) WriteString(s string) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.Body.WriteString(s)
}

func (w *Recorder) reset() {
	clear(w.header)
	w.Code, w.wroteHeader = 0, false
	w.Body.Reset()
}
