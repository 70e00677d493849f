package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/gin-gonic/gin"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/impl"
)

// logLines decodes the JSON log lines in buf.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	dec := json.NewDecoder(buf)
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// Once the status line is out, a failure can no longer become a 500: the
// responder must not append a problem to the body already sent, and a
// client that hung up is logged as such, not as a server error.
func TestInternalAfterTheResponseBegan(t *testing.T) {
	tests := []struct {
		name      string
		written   bool
		canceled  bool
		err       error
		wantLevel string
		wantMsg   string
	}{
		{"nothing written yet", false, false, errors.New("encoder broke"), "ERROR", "internal error"},
		{"the client hung up", true, false, fmt.Errorf("write tcp: %w", syscall.EPIPE), "INFO", "client went away"},
		{"the connection was reset", true, false, fmt.Errorf("write tcp: %w", syscall.ECONNRESET), "INFO", "client went away"},
		{"the request was canceled", true, true, errors.New("write failed"), "INFO", "client went away"},
		{"anything else", true, false, errors.New("encoder broke"), "ERROR", "internal error after the response began"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, logs, rec, c := newResponderTest("GET", "/locations", "req-42")
			if tt.canceled {
				ctx, cancel := context.WithCancel(c.Request.Context())
				cancel()
				c.Request = c.Request.WithContext(ctx)
			}
			const partial = `{"items":[`
			if tt.written {
				c.Writer.WriteHeader(http.StatusOK)
				_, _ = c.Writer.Write([]byte(partial))
			}

			e.internal(c, tt.err)

			if !c.IsAborted() {
				t.Error("the chain goes on")
			}
			if tt.written {
				if rec.Code != http.StatusOK || rec.Body.String() != partial {
					t.Errorf("response = %d %q, want the %d %q already sent and nothing more", rec.Code, rec.Body, http.StatusOK, partial)
				}
			} else if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != problemContentType {
				t.Errorf("response = %d %q, want a 500 problem", rec.Code, rec.Header().Get("Content-Type"))
			}
			lines := logLines(t, logs)
			if len(lines) != 1 || lines[0]["level"] != tt.wantLevel || lines[0]["msg"] != tt.wantMsg || lines[0]["request_id"] != "req-42" {
				t.Errorf("log = %v, want one %s %q with request_id req-42", lines, tt.wantLevel, tt.wantMsg)
			}
		})
	}
}

// A 503 tells the client only that the database cannot be reached (or
// what else the store says: a write that may have been applied); the
// operator's log says why, and what the client was told. A 503 without a
// cause, or a request whose client hung up, logs nothing.
func TestUnavailableLogsItsCause(t *testing.T) {
	const unreachable = "The database cannot be reached right now."
	const mayHaveApplied = "The database did not confirm the write, which it may have applied: read before you repeat it."
	lost := errors.New("commit: unexpected EOF")
	readonly := errors.New("attempt to write a readonly database (8)")
	// pgx wraps the deadline of a connection attempt in its own error.
	timedOut := fmt.Errorf("failed to connect to `host=db`: dial error (%w)", context.DeadlineExceeded)
	tests := []struct {
		name       string
		err        error
		closed     bool // the request's context ended, as net/http ends it when the connection closes
		wantDetail string
		wantCause  error // logged; nil: nothing logged
	}{
		{"with a cause", &game.Error{Code: game.EUNAVAILABLE, Message: unreachable, Err: readonly}, false, unreachable, readonly},
		{"with a deadline behind the cause", &game.Error{Code: game.EUNAVAILABLE, Message: unreachable, Err: timedOut}, false, unreachable, timedOut},
		{"a write that may have been applied", &game.Error{Code: game.EUNAVAILABLE, Message: mayHaveApplied, Err: lost}, false, mayHaveApplied, lost},
		{"without one", &game.Error{Code: game.EUNAVAILABLE, Message: "The database did not answer in time."}, false, "The database did not answer in time.", nil},
		{"a bare deadline", context.DeadlineExceeded, false, "The database did not answer in time.", context.DeadlineExceeded},
		{"a cancellation, the request's context alive", context.Canceled, false, "The database did not answer in time.", context.Canceled},
		{"a cancellation of the request: its connection closed", context.Canceled, true, connectionClosed, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, logs, rec, c := newResponderTest("POST", "/players", "req-43")
			if tt.closed {
				ctx, cancel := context.WithCancel(c.Request.Context())
				cancel()
				c.Request = c.Request.WithContext(ctx)
			}

			e.handlerError(c, tt.err)

			if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), tt.wantDetail) ||
				strings.Contains(rec.Body.String(), "readonly") || strings.Contains(rec.Body.String(), "dial") {
				t.Errorf("response = %d %s, want a 503 saying %q and not the cause", rec.Code, rec.Body, tt.wantDetail)
			}
			lines := logLines(t, logs)
			if tt.wantCause == nil {
				if len(lines) != 0 {
					t.Errorf("log = %v, want nothing", lines)
				}
				return
			}
			if len(lines) != 1 || lines[0]["level"] != "WARN" || lines[0]["msg"] != "database unavailable" ||
				lines[0]["err"] != tt.wantCause.Error() || lines[0]["request_id"] != "req-43" || lines[0]["detail"] != tt.wantDetail {
				t.Errorf("log = %v, want one WARN \"database unavailable\" with %q, request_id req-43 and the detail told, %q", lines, tt.wantCause, tt.wantDetail)
			}
		})
	}
}

// An error that is no domain error, or one coded EINTERNAL, is the
// server's fault: a 500 that tells the client nothing of it, and an ERROR
// line that tells the operator everything.
func TestInternalErrorsAreLoggedNotShown(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
	}{
		{"a plain error", errors.New("boom: table visits is locked")},
		{"a wrapped one", fmt.Errorf("create visit: %w", errors.New("boom: table visits is locked"))},
		{"a domain error coded internal", &game.Error{Code: game.EINTERNAL, Message: "boom: table visits is locked"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, logs, rec, c := newResponderTest("POST", "/players", "req-44")

			e.handlerError(c, tt.err)

			if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != "application/problem+json" ||
				!strings.Contains(rec.Body.String(), `"detail":"The server could not complete the request."`) ||
				strings.Contains(rec.Body.String(), "boom") {
				t.Errorf("response = %d %q %s, want a 500 problem that does not tell the cause", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			lines := logLines(t, logs)
			if len(lines) != 1 || lines[0]["level"] != "ERROR" || lines[0]["msg"] != "internal error" ||
				!strings.Contains(fmt.Sprint(lines[0]["err"]), "boom: table visits is locked") || lines[0]["request_id"] != "req-44" {
				t.Errorf("log = %v, want one ERROR \"internal error\" with the cause and request_id req-44", lines)
			}
		})
	}
}

// newResponderTest is an errorResponder logging JSON into logs, and a Gin
// context for a request to path whose response records into rec and
// carries requestID, as the observer sets it.
func newResponderTest(method, path, requestID string) (errorResponder, *bytes.Buffer, *httptest.ResponseRecorder, *gin.Context) {
	logs := &bytes.Buffer{}
	rec := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(rec)
	c.Request = httptest.NewRequest(method, path, nil)
	c.Writer.Header().Set("X-Request-ID", requestID)
	return errorResponder{log: slog.New(slog.NewJSONHandler(logs, nil))}, logs, rec, c
}

// brokenWriter is a connection the client has closed: every write fails.
type brokenWriter struct{ *httptest.ResponseRecorder }

func (w brokenWriter) Write([]byte) (int, error)       { return 0, syscall.EPIPE }
func (w brokenWriter) WriteString(string) (int, error) { return 0, syscall.EPIPE }

// A response cut short by the client is not checked against the contract:
// what was kept of it is no response, and the check would only raise a
// false alarm.
func TestResponseCheckSkipsResponsesCutShort(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	for _, broken := range []bool{false, true} {
		var logs bytes.Buffer
		rc := responseChecker{doc: doc, log: slog.New(slog.NewJSONHandler(&logs, nil))}
		r := gin.New()
		// No operation: the contract wants a 404 problem, so the
		// handler's 200 is a violation whenever it is checked.
		r.Use(func(c *gin.Context) { rc.handle(c, nil) })
		r.GET("/x", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", []byte(`{"items":[]}`)) })
		var w http.ResponseWriter = httptest.NewRecorder()
		if broken {
			w = brokenWriter{httptest.NewRecorder()}
		}
		r.ServeHTTP(w, httptest.NewRequest("GET", "/x", nil))
		warned := len(logLines(t, &logs)) > 0
		if warned == broken {
			t.Errorf("writes failing %v: violation logged %v, want %v", broken, warned, !broken)
		}
	}
}

// A body that passed validation but could not be bound is a 400; when the
// binding's error is of no kind the messages know, the operator hears of
// it, as the contract and the generated types disagree.
func TestRequestErrorLogsWhatItCannotName(t *testing.T) {
	odd := errors.New("json: an error of a new kind")
	for _, tt := range []struct {
		name       string
		err        error
		wantFields string
		wantLog    bool
	}{
		{"out of an int64's range", &json.UnmarshalTypeError{Value: "number 1e30", Field: "location_id"},
			`{"location_id":"location id is out of range"}`, false},
		{"of no known kind", odd, `{"body":"request body must be a valid JSON document of the declared shape"}`, true},
		{"of a type, naming no field", &json.UnmarshalTypeError{Value: "number", Type: reflect.TypeFor[int32]()},
			`{"body":"request body must be a valid JSON document of the declared shape"}`, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, logs, rec, c := newResponderTest("POST", "/players/1/visits", "req-44")
			e.requestError(c, tt.err)
			var p struct{ Errors json.RawMessage }
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != http.StatusBadRequest || string(p.Errors) != tt.wantFields {
				t.Errorf("response = %d %s, want 400 with errors %s", rec.Code, rec.Body, tt.wantFields)
			}
			lines := logLines(t, logs)
			if !tt.wantLog {
				if len(lines) != 0 {
					t.Errorf("log = %v, want nothing", lines)
				}
				return
			}
			if len(lines) != 1 || lines[0]["level"] != "WARN" || lines[0]["err"] != tt.err.Error() || lines[0]["request_id"] != "req-44" {
				t.Errorf("log = %v, want one WARN with %q and request_id req-44", lines, tt.err)
			}
		})
	}
}

// TestEveryCodeHasItsStatus: each domain error code becomes its problem,
// through the one table (kindOf); an internal error is a 500.
func TestEveryCodeHasItsStatus(t *testing.T) {
	for _, tt := range []struct {
		code     game.Code
		status   int
		typeName string
	}{
		{game.EINVALID, 400, "/problems/validation-error"},
		{game.EUNAUTHORIZED, 401, "/problems/unauthorized"},
		{game.EFORBIDDEN, 403, "/problems/forbidden"},
		{game.ENOTFOUND, 404, "/problems/not-found"},
		{game.ENOTACCEPTABLE, 406, "/problems/not-acceptable"},
		{game.EPRECONDITION, 412, "/problems/precondition-failed"},
		{game.EKEYREUSED, 422, "/problems/idempotency-key-reused"},
		{game.EUNAVAILABLE, 503, "/problems/unavailable"},
		{game.EINTERNAL, 500, "/problems/internal-error"},
		{game.Code("a code added to game alone"), 500, "/problems/internal-error"},
	} {
		t.Run(string(tt.code), func(t *testing.T) {
			_, _, rec, c := newResponderTest("GET", "/locations/1", "req-45")
			e := errorResponder{log: slog.New(slog.DiscardHandler)}
			e.handlerError(c, &game.Error{Code: tt.code, Message: "A message.", Fields: map[string]string{"id": "id is wrong"}})
			var p struct{ Type string }
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != tt.status || p.Type != tt.typeName {
				t.Errorf("%s: %d %s; want %d of type %s", tt.code, rec.Code, rec.Body, tt.status, tt.typeName)
			}
		})
	}
}

// Each problem the server writes has the title and status its type's page
// gives: the page is made from the contract's examples, the problems from
// the kinds above, and the two must not drift apart.
func TestProblemKindsAgreeWithTheirPages(t *testing.T) {
	spec, _ := testOperations(t)
	h, err := NewHandler(impl.New(nil, nil, nil, spec), Config{Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []problemKind{kindInvalid, kindUnauthorized, kindForbidden, kindNotFound, kindMethodNotAllowed,
		kindNotAcceptable, kindPrecondition, kindTooLarge, kindUnsupportedType, kindKeyReused, kindRateLimited,
		kindHeaderTooLarge, kindInternal, kindUnavailable} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, string(k.typ), nil))
		page := w.Body.String()
		if w.Code != http.StatusOK || !strings.Contains(page, "<h1>"+html.EscapeString(k.title)+"</h1>") ||
			!strings.Contains(page, fmt.Sprintf("<dt>%d</dt>", k.status)) {
			t.Errorf("%s (%d, %q): its page, %d:\n%s", k.typ, k.status, k.title, w.Code, page)
		}
	}
}
