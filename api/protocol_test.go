package api_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// HTTP allows a list header on several lines; it means the lines joined by
// commas (RFC 9110, section 5.3). Every reader of these headers, the
// validator, kin-openapi, the generated binder and the handler, must see
// the whole list.
func TestListHeadersOnSeveralLines(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	patch := func(lines ...string) *apitest.Response {
		return s.Do(apitest.Request{Method: "PATCH", Path: "/locations/1", Token: apitest.AdminToken,
			Header: map[string]string{"Content-Type": "application/merge-patch+json"}, Body: `{"max_gold":30}`,
			Lines: map[string][]string{"If-Match": lines}})
	}
	tests := []struct {
		name       string
		do         func() *apitest.Response
		wantStatus int
		wantType   string
	}{
		{"If-None-Match: the second line matches", func() *apitest.Response {
			return s.Do(apitest.Request{Method: "GET", Path: "/locations/1", Lines: map[string][]string{"If-None-Match": {`"9"`, `"1"`}}})
		}, http.StatusNotModified, ""},
		{"If-None-Match: no line matches", func() *apitest.Response {
			return s.Do(apitest.Request{Method: "GET", Path: "/locations/1", Lines: map[string][]string{"If-None-Match": {`"8"`, `"9"`}}})
		}, http.StatusOK, "application/json"},
		{"Accept: the second line names what is offered", func() *apitest.Response {
			return s.Do(apitest.Request{Method: "GET", Path: "/locations/1", Lines: map[string][]string{"Accept": {"application/xml", "application/json"}}})
		}, http.StatusOK, "application/json"},
		{"Accept: CSV on the second line", func() *apitest.Response {
			return s.Do(apitest.Request{Method: "GET", Path: "/locations", Lines: map[string][]string{"Accept": {"application/xml", "text/csv"}}})
		}, http.StatusOK, "text/csv; charset=utf-8"},
		// The two If-Match cases run in this order: the second changes
		// the location (version 1 to 2).
		{"If-Match: no line matches", func() *apitest.Response { return patch(`"9"`, `"8"`) }, http.StatusPreconditionFailed, "application/problem+json"},
		{"If-Match: the second line matches", func() *apitest.Response { return patch(`"9"`, `"1"`) }, http.StatusOK, "application/json"},
	}
	for _, tt := range tests {
		resp := tt.do()
		if resp.Status != tt.wantStatus || resp.Header.Get("Content-Type") != tt.wantType {
			t.Errorf("%s: got %d %q, want %d %q; body %s", tt.name, resp.Status, resp.Header.Get("Content-Type"), tt.wantStatus, tt.wantType, resp.Body)
		}
	}
}

// A cache must know which request headers a response depends on: Accept
// where an operation offers more than one media type, Origin on every
// response once CORS is on (a response without CORS headers must not be
// served to an allowed origin either).
func TestVary(t *testing.T) {
	const site = "https://game.example.org"
	plain := apitest.NewServer(t, apitest.Options{})
	withCORS := apitest.NewServer(t, apitest.Options{Config: api.Config{CORSOrigins: []string{site}}})
	tests := []struct {
		name      string
		s         *apitest.Server
		req       apitest.Request
		want, not []string
	}{
		{"JSON or CSV", plain, apitest.Request{Method: "GET", Path: "/locations"}, []string{"Accept"}, []string{"Origin"}},
		{"JSON or CSV, refused", plain, apitest.Request{Method: "GET", Path: "/players/1/visits", Header: map[string]string{"Accept": "text/html"}}, []string{"Accept"}, nil},
		{"JSON only", plain, apitest.Request{Method: "GET", Path: "/locations/1"}, nil, []string{"Accept", "Origin"}},
		{"CORS on, no Origin sent", withCORS, apitest.Request{Method: "GET", Path: "/locations/1"}, []string{"Origin"}, []string{"Accept"}},
		{"CORS on, another origin", withCORS, apitest.Request{Method: "GET", Path: "/locations", Header: map[string]string{"Origin": "https://evil.example"}}, []string{"Origin", "Accept"}, nil},
		{"CORS on, an unknown path", withCORS, apitest.Request{Method: "GET", Path: "/nowhere"}, []string{"Origin"}, nil},
	}
	for _, tt := range tests {
		resp := tt.s.Do(tt.req)
		vary := resp.Header.Values("Vary")
		for _, h := range tt.want {
			if !slices.Contains(vary, h) {
				t.Errorf("%s: Vary = %q, want %s among them", tt.name, vary, h)
			}
		}
		for _, h := range tt.not {
			if slices.Contains(vary, h) {
				t.Errorf("%s: Vary = %q, want no %s", tt.name, vary, h)
			}
		}
	}
}

// Gin routes on the path as sent: an escaped slash is part of a segment,
// not a separator, so it cannot reach a route that a proxy rule written
// for the unescaped path would have stopped.
func TestEscapedSlashIsNoSeparator(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	tests := []struct {
		path       string
		wantStatus int
	}{
		{"/locations%2F1", http.StatusNotFound},
		{"/players%2F1%2Fvisits", http.StatusNotFound},
		{"/locations/%31", http.StatusOK}, // an escaped parameter is still unescaped
	}
	for _, tt := range tests {
		if resp := s.Do(apitest.Request{Method: "GET", Path: tt.path}); resp.Status != tt.wantStatus {
			t.Errorf("GET %s = %d, want %d; body %s", tt.path, resp.Status, tt.wantStatus, resp.Body)
		}
	}
}

// The 201 of POST /players is the only time the player's token is shown.
func TestNewPlayerIsNotCached(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	resp := s.Do(apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo"}`})
	if resp.Status != http.StatusCreated || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("got %d Cache-Control %q, want 201 no-store", resp.Status, resp.Header.Get("Cache-Control"))
	}
}
