package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// deadlineRecorder is a ResponseWriter that records the read deadlines
// set through http.ResponseController.
type deadlineRecorder struct {
	*httptest.ResponseRecorder
	deadlines []time.Time
}

func (w *deadlineRecorder) SetReadDeadline(d time.Time) error {
	w.deadlines = append(w.deadlines, d)
	return nil
}

// The wait for an unread body is bounded, about a second from the answer,
// when the answer leaves the body unread or part read; a body read to its
// end leaves the connection's deadline to net/http, which keeps reading
// on it (see serveUnasked).
func TestServeUnaskedBoundsTheWaitForAnUnreadBody(t *testing.T) {
	const body = `{"first_name":"Ab","last_name":"Cd"}`
	tests := []struct {
		name  string
		read  func(io.Reader)
		bound bool
	}{
		{"not read", func(io.Reader) {}, true},
		{"part read", func(r io.Reader) { io.ReadFull(r, make([]byte, 5)) }, true},
		// net/http's body of a Content-Length gives io.EOF with its last
		// bytes (iotest.DataErrReader's way), so reading just that many
		// sees the end.
		{"read to its length", func(r io.Reader) { io.ReadFull(r, make([]byte, len(body))) }, false},
		{"read to its end", func(r io.Reader) { io.ReadAll(r) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/players", iotest.DataErrReader(strings.NewReader(body)))
			r.Header.Set("Expect", "100-continue")
			if !waitsForContinue(r) {
				t.Fatal("waitsForContinue = false for an HTTP/1.1 request with a body and Expect: 100-continue")
			}
			w := &deadlineRecorder{ResponseRecorder: httptest.NewRecorder()}
			var seen *http.Request
			start := time.Now()
			serveUnasked(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = r
				tt.read(r.Body)
			}), w, r)
			if seen == r {
				t.Error("the handler was given net/http's own request, whose body net/http judges the connection by")
			}
			switch {
			case !tt.bound && len(w.deadlines) != 0:
				t.Errorf("read deadlines %v set, want none", w.deadlines)
			case tt.bound && len(w.deadlines) != 1:
				t.Errorf("read deadlines %v set, want one", w.deadlines)
			case tt.bound:
				if d := w.deadlines[0].Sub(start); d < unaskedBodyGrace || d > unaskedBodyGrace+time.Minute {
					t.Errorf("read deadline %v after the request, want %v", d, unaskedBodyGrace)
				}
			}
		})
	}
}

// Only an HTTP/1.1 request with a body and 100-continue among its
// expectations waits, as net/http reads it.
func TestWaitsForContinue(t *testing.T) {
	tests := []struct {
		name   string
		proto  int // minor version of HTTP/1
		length int64
		expect []string
		want   bool
	}{
		{"asks", 1, 10, []string{"100-continue"}, true},
		{"chunked", 1, -1, []string{"100-continue"}, true},
		{"among others, in capitals", 1, 10, []string{"foo, 100-Continue"}, true},
		{"no body", 1, 0, []string{"100-continue"}, false},
		{"no Expect", 1, 10, nil, false},
		{"another expectation", 1, 10, []string{"bogus"}, false},
		{"HTTP/1.0", 0, 10, []string{"100-continue"}, false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/players", nil)
		r.ProtoMinor, r.ContentLength = tt.proto, tt.length
		if tt.expect != nil {
			r.Header["Expect"] = tt.expect
		}
		if got := waitsForContinue(r); got != tt.want {
			t.Errorf("%s: waitsForContinue = %v, want %v", tt.name, got, tt.want)
		}
	}
}
