package apitest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/ninjagold/ninjagold-api/api"
)

// recordingTB is a testing.TB whose failures are recorded instead of
// failing the test, so that a test can see the harness fail one.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingTB) failures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errors...)
}

// A response that breaks the contract fails the test that got it, by each
// of the harness's ways of seeing one: Do, the generated client, and the
// server's own response check in the log. A harness that only logged the
// breach would let every test built on it pass.
func TestHarnessFailsTheTest(t *testing.T) {
	// A server answering a status /healthz does not declare.
	teapot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	defer teapot.Close()
	server := &Server{URL: teapot.URL, contract: LoadContract(t), client: teapot.Client()}
	const want = "status 418 is not declared for getHealth"

	t.Run("Do", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		if got := server.Do(rec, Request{Method: "GET", Path: "/healthz"}); got.Status != http.StatusTeapot {
			t.Fatalf("got status %d, want the teapot's 418", got.Status)
		}
		wantFailure(t, rec, "GET /healthz -> 418 breaks the contract: "+want)
	})
	t.Run("Do with NoCheck", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		server.Do(rec, Request{Method: "GET", Path: "/healthz", NoCheck: true})
		if got := rec.failures(); len(got) != 0 {
			t.Errorf("got failures %q, want none: the request asked for no check", got)
		}
	})
	t.Run("Client", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		resp, err := server.Client(rec).GetHealthWithResponse(t.Context(), nil)
		if err != nil || resp.StatusCode() != http.StatusTeapot {
			t.Fatalf("got %v, %v; want the teapot's 418", resp, err)
		}
		wantFailure(t, rec, "GET /healthz -> 418 breaks the contract: "+want)
	})
	t.Run("the server's log", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		logger, records := newTestLogger(rec)
		logger.Info("request", "status", 200)
		if got := rec.failures(); len(got) != 0 {
			t.Errorf("an access line failed the test: %q", got)
		}
		logger.Error(api.ViolationMessage, "err", want)
		wantFailure(t, rec, "server: ERROR "+api.ViolationMessage+" err="+want)
		if len(*records) != 2 {
			t.Errorf("kept %d records, want both", len(*records))
		}
	})
}

// wantFailure fails t unless rec recorded exactly one failure, starting
// with want.
func wantFailure(t *testing.T, rec *recordingTB, want string) {
	t.Helper()
	got := rec.failures()
	if len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Errorf("got failures %q, want one starting %q", got, want)
	}
}

// fatalTB is a testing.TB whose Fatalf is recorded and ends only the
// goroutine it is called on, as testing's does.
type fatalTB struct {
	testing.TB
	fatal string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// Problem takes only a problem: a body of another media type fails the
// test, even when it decodes as one.
func TestProblemWantsProblemJSON(t *testing.T) {
	body := []byte(`{"status":400,"title":"Your request is not valid.","errors":{"x":"x is not valid"}}`)
	for _, tt := range []struct {
		contentType string
		wantFatal   bool
	}{
		{"application/problem+json", false},
		{"application/json", true},
		{"", true},
	} {
		tb := &fatalTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			r := &Response{Status: 400, Header: http.Header{"Content-Type": {tt.contentType}}, Body: body}
			if p := r.Problem(tb); p.Errors["x"] != "x is not valid" {
				tb.fatal = "decoded " + fmt.Sprint(p.Errors)
			}
		}()
		<-done
		if got := tb.fatal != ""; got != tt.wantFatal {
			t.Errorf("Content-Type %q: failed %v (%q), want %v", tt.contentType, got, tb.fatal, tt.wantFatal)
		}
	}
}
