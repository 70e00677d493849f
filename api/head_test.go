package api_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// sameButBody compares the answer to a HEAD with the answer to the same
// request as GET (cfCheckHeadTwin, which the contract fuzzer uses too):
// RFC 9110 §9.3.2 wants the same status and header fields, and no body.
// Go's client reads no body after a HEAD, so the body is held to empty
// where the server writes it: apitest runs the server with
// --validate-responses, whose contract.Check refuses a HEAD answer with a
// body.
func sameButBody(t *testing.T, get, head *apitest.Response) {
	t.Helper()
	for _, problem := range cfCheckHeadTwin(get, head, false) {
		t.Error(problem)
	}
}

// Every GET has a HEAD twin served by the same handler (api/head.go): the
// answers agree, whatever the outcome.
func TestHead(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	tests := []struct {
		name, path string
		header     map[string]string
		wantStatus int
		wantType   string
	}{
		{"a location", "/locations/1", nil, 200, "application/json"},
		{"not modified", "/locations/1", map[string]string{"If-None-Match": `"1"`}, 304, ""},
		{"no such location", "/locations/999", nil, 404, "application/problem+json"},
		{"an invalid id", "/locations/abc", nil, 400, "application/problem+json"},
		{"a page", "/locations?limit=2", nil, 200, "application/json"},
		{"a page as CSV", "/locations", map[string]string{"Accept": "text/csv"}, 200, "text/csv; charset=utf-8"},
		{"an invalid limit", "/locations?limit=0", nil, 400, "application/problem+json"},
		{"not acceptable", "/locations", map[string]string{"Accept": "image/gif"}, 406, "application/problem+json"},
		{"the leaderboard", "/players?sort=gold", nil, 200, "application/json"},
		{"an activity log", "/players/1/visits", nil, 200, "application/json"},
		{"no such route", "/nowhere", nil, 404, "application/problem+json"},
		{"no GET here", "/players/1/token", nil, 405, "application/problem+json"},
		{"the redirect to the docs", "/", nil, 302, ""},
		{"the docs page", "/docs", nil, 200, "text/html"},
		{"a docs asset", "/docs/swagger-ui.css", nil, 200, "text/css"},
		{"liveness", "/healthz", nil, 200, "application/json"},
		{"the contract", "/openapi.yaml", nil, 200, "application/yaml"},
	}
	s.Do(t, apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo"}`})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			get := s.Do(t, apitest.Request{Method: "GET", Path: tt.path, Header: tt.header})
			head := s.Do(t, apitest.Request{Method: "HEAD", Path: tt.path, Header: tt.header})
			if head.Status != tt.wantStatus || head.Header.Get("Content-Type") != tt.wantType {
				t.Errorf("HEAD %s = %d %q, want %d %q", tt.path, head.Status, head.Header.Get("Content-Type"), tt.wantStatus, tt.wantType)
			}
			sameButBody(t, get, head)
		})
	}
}

// A HEAD whose handler panics gets the 500's headers, without the problem.
func TestHeadPanicIsA500(t *testing.T) {
	s := panicsIn(t, "GetPlayer", "boom") // a HEAD runs its GET twin's handler
	get := s.Do(t, apitest.Request{Method: "GET", Path: "/players/1"})
	head := s.Do(t, apitest.Request{Method: "HEAD", Path: "/players/1"})
	if head.Status != http.StatusInternalServerError || head.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("HEAD = %d %q, want 500 application/problem+json", head.Status, head.Header.Get("Content-Type"))
	}
	sameButBody(t, get, head)
}

// The HEAD operation is the one the metrics name and the rate limit
// counts; its 429 carries Retry-After and no body.
func TestHeadIsItsOwnOperation(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{Config: api.Config{RateLimit: api.RateLimit{Rate: 0.001, Burst: 2}}})
	if got := s.Do(t, apitest.Request{Method: "HEAD", Path: "/locations"}); got.Status != 200 {
		t.Fatalf("HEAD /locations = %d, want 200", got.Status)
	}
	s.Do(t, apitest.Request{Method: "HEAD", Path: "/locations/1"}) // the burst's last
	limited := s.Do(t, apitest.Request{Method: "HEAD", Path: "/locations/1"})
	if limited.Status != http.StatusTooManyRequests || limited.Header.Get("Retry-After") == "" || len(limited.Body) != 0 {
		t.Errorf("third HEAD = %d, Retry-After %q, %d bytes; want 429 with Retry-After and no body",
			limited.Status, limited.Header.Get("Retry-After"), len(limited.Body))
	}
	// Liveness is never limited, HEAD or GET.
	if got := s.Do(t, apitest.Request{Method: "HEAD", Path: "/healthz"}); got.Status != 200 {
		t.Errorf("HEAD /healthz when limited = %d, want 200", got.Status)
	}
	metrics := string(s.Do(t, apitest.Request{Method: "GET", Path: "/metrics"}).Body)
	for _, want := range []string{
		`ninjagold_http_requests_total{operation="headLocations",status="200"} 1`,
		`ninjagold_http_requests_total{operation="headLocation",status="429"} 1`,
		`ninjagold_http_requests_total{operation="headHealth",status="200"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// --validate-responses holds HEAD answers to their operation: headers
// declared, no body; a Content-Type (the GET's) is no violation.
func TestValidateResponsesAcceptsHead(t *testing.T) {
	var buf bytes.Buffer
	s := apitest.NewServer(t, apitest.Options{Config: api.Config{
		ValidateResponses: true, Logger: slog.New(slog.NewJSONHandler(&buf, nil)),
	}})
	for _, path := range []string{"/locations/1", "/locations/999", "/locations?limit=0", "/players", "/nowhere", "/metrics"} {
		s.Do(t, apitest.Request{Method: "HEAD", Path: path})
	}
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err == nil && rec["msg"] == api.ViolationMessage {
			t.Errorf("violation: %s", line)
		}
	}
}
