package api_test

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	ninjagold "github.com/ninjagold/ninjagold-api"
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
		return s.Do(t, apitest.Request{Method: "PATCH", Path: "/locations/1", Token: apitest.AdminToken,
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
			return s.Do(t, apitest.Request{Method: "GET", Path: "/locations/1", Lines: map[string][]string{"If-None-Match": {`"9"`, `"1"`}}})
		}, http.StatusNotModified, ""},
		{"If-None-Match: no line matches", func() *apitest.Response {
			return s.Do(t, apitest.Request{Method: "GET", Path: "/locations/1", Lines: map[string][]string{"If-None-Match": {`"8"`, `"9"`}}})
		}, http.StatusOK, "application/json"},
		{"Accept: the second line names what is offered", func() *apitest.Response {
			return s.Do(t, apitest.Request{Method: "GET", Path: "/locations/1", Lines: map[string][]string{"Accept": {"application/xml", "application/json"}}})
		}, http.StatusOK, "application/json"},
		{"Accept: CSV on the second line", func() *apitest.Response {
			return s.Do(t, apitest.Request{Method: "GET", Path: "/locations", Lines: map[string][]string{"Accept": {"application/xml", "text/csv"}}})
		}, http.StatusOK, "text/csv; charset=utf-8"},
		// Two Authorization lines are refused only where a token is
		// read (TestErrors); an operation that reads none ignores them.
		{"Authorization on two lines where no token is read", func() *apitest.Response {
			return s.Do(t, apitest.Request{Method: "GET", Path: "/locations/1", Lines: map[string][]string{"Authorization": {"Bearer a", "Bearer b"}}})
		}, http.StatusOK, "application/json"},
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
		{"CORS on, a docs file", withCORS, apitest.Request{Method: "GET", Path: "/docs/swagger-ui.css"}, []string{"Origin", "Accept", "Accept-Encoding"}, nil},
	}
	for _, tt := range tests {
		resp := tt.s.Do(t, tt.req)
		if lines := resp.Header.Values("Vary"); len(lines) > 1 {
			t.Errorf("%s: Vary in %d lines %q, want one: a client may read the first alone", tt.name, len(lines), lines)
		}
		vary := varyNames(resp.Header)
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
		{"/%6Cocations%2F1", http.StatusNotFound},
	}
	for _, tt := range tests {
		if resp := s.Do(t, apitest.Request{Method: "GET", Path: tt.path}); resp.Status != tt.wantStatus {
			t.Errorf("GET %s = %d, want %d; body %s", tt.path, resp.Status, tt.wantStatus, resp.Body)
		}
	}
}

// An escaped unreserved character is that character (RFC 3986, section
// 6.2.2.2): /%6Cocations is /locations, for routing, 404s and 405s alike.
func TestEscapedUnreservedCharacterIsThatCharacter(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	plain := s.Do(t, apitest.Request{Method: "GET", Path: "/locations"})
	for _, path := range []string{"/%6Cocations", "/%6c%6F%63ations"} {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: path})
		if resp.Status != http.StatusOK || string(resp.Body) != string(plain.Body) {
			t.Errorf("GET %s = %d %s, want 200 and the body of GET /locations", path, resp.Status, resp.Body)
		}
	}
	if resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations/%31"}); resp.Status != http.StatusOK {
		t.Errorf("GET /locations/%%31 = %d, want 200", resp.Status)
	}
	resp := s.Do(t, apitest.Request{Method: "PUT", Path: "/%6Cocations"})
	if resp.Status != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD, OPTIONS, POST" {
		t.Errorf("PUT /%%6Cocations = %d Allow %q, want 405 with the Allow of /locations", resp.Status, resp.Header.Get("Allow"))
	}
	resp = s.Do(t, apitest.Request{Method: "GET", Path: "/%6Cocations%2F1", NoCheck: true})
	if want := "Nothing exists at /locations%2F1."; resp.Status != http.StatusNotFound || resp.Problem(t).Detail != want {
		t.Errorf("GET /%%6Cocations%%2F1 = %d %s, want 404 with detail %q", resp.Status, resp.Body, want)
	}
}

// The 201 of POST /players is the only time the player's token is shown.
func TestNewPlayerIsNotCached(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	resp := s.Do(t, apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo"}`})
	if resp.Status != http.StatusCreated || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("got %d Cache-Control %q, want 201 no-store", resp.Status, resp.Header.Get("Cache-Control"))
	}
}

// A resource that takes PATCH names its patch formats in Accept-Patch: on
// OPTIONS (RFC 5789 §3.1) and on a 415 to a PATCH (§2.2), nowhere else. A
// 415 for a content coding names the one taken in Accept-Encoding (RFC
// 9110 §12.5.3).
func TestAcceptPatchAndEncoding(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	const mergePatch = "application/merge-patch+json"
	tests := []struct {
		name                 string
		req                  apitest.Request
		wantStatus           int
		wantPatch, wantCodes string
	}{
		{"OPTIONS on a location", apitest.Request{Method: "OPTIONS", Path: "/locations/1"}, 204, mergePatch, ""},
		{"OPTIONS on the locations", apitest.Request{Method: "OPTIONS", Path: "/locations"}, 204, "", ""},
		{"a PATCH in JSON", apitest.Request{Method: "PATCH", Path: "/locations/1", Token: apitest.AdminToken,
			Header: map[string]string{"Content-Type": "application/json"}, Body: `{"max_gold":30}`}, 415, mergePatch, ""},
		{"a compressed PATCH", apitest.Request{Method: "PATCH", Path: "/locations/1", Token: apitest.AdminToken,
			Header: map[string]string{"Content-Type": mergePatch, "Content-Encoding": "gzip"}, Body: `{"max_gold":30}`}, 415, mergePatch, "identity"},
		{"a PATCH that applies", apitest.Request{Method: "PATCH", Path: "/locations/1", Token: apitest.AdminToken,
			Header: map[string]string{"Content-Type": mergePatch}, Body: `{"max_gold":30}`}, 200, "", ""},
		{"a POST in a form", apitest.Request{Method: "POST", Path: "/players",
			Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Body: `first_name=Kira`}, 415, "", ""},
		{"a compressed POST", apitest.Request{Method: "POST", Path: "/players",
			Header: map[string]string{"Content-Encoding": "br"}, Body: `{"first_name":"Kira","last_name":"Sato"}`}, 415, "", "identity"},
		// Content-codings are case-insensitive (RFC 9110 §8.4.1), and a
		// list of identities is still no coding.
		{"an identity POST in capitals", apitest.Request{Method: "POST", Path: "/players",
			Header: map[string]string{"Content-Encoding": "Identity"}, Body: `{"first_name":"Kira","last_name":"Sato"}`}, 201, "", ""},
		{"a POST listing identity twice", apitest.Request{Method: "POST", Path: "/players",
			Header: map[string]string{"Content-Encoding": "identity, IDENTITY"}, Body: `{"first_name":"Kira","last_name":"Sato"}`}, 201, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.Do(t, tt.req)
			if resp.Status != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", resp.Status, tt.wantStatus, resp.Body)
			}
			if got := resp.Header.Get("Accept-Patch"); got != tt.wantPatch {
				t.Errorf("Accept-Patch %q, want %q", got, tt.wantPatch)
			}
			if got := resp.Header.Get("Accept-Encoding"); got != tt.wantCodes {
				t.Errorf("Accept-Encoding %q, want %q", got, tt.wantCodes)
			}
		})
	}
}

// Empty media type parameters (RFC 9110 §5.6.6: parameters = *( OWS ";"
// OWS [ parameter ] )) ask for nothing, in Content-Type and in Accept.
func TestEmptyMediaTypeParameters(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	tests := []struct {
		name, contentType, accept string
		wantStatus                int
		wantType                  string
	}{
		{"Content-Type with two empty parameters", "application/json;;", "", 201, "application/json"},
		{"Content-Type with an empty parameter before the charset", "application/json; ;charset=utf-8", "", 201, "application/json"},
		{"Content-Type with an empty parameter and another charset", "application/json;;charset=latin1", "", 415, "application/problem+json"},
		{"Content-Type with a quoted-pair in its charset", `application/json; charset="utf\-8"`, "", 201, "application/json"},
		{"Content-Type with a quoted-pair making another charset", `application/json; charset="utf\8"`, "", 415, "application/problem+json"},
		{"Accept with an empty parameter", "application/json", "application/json;;", 201, "application/json"},
		{"Accept with an empty parameter and q=0", "application/json", "application/json;;q=0", 406, "application/problem+json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{"Content-Type": tt.contentType}
			if tt.accept != "" {
				h["Accept"] = tt.accept
			}
			resp := s.Do(t, apitest.Request{Method: "POST", Path: "/players", Header: h, Body: `{"first_name":"Kira","last_name":"Sato"}`})
			if resp.Status != tt.wantStatus || resp.Header.Get("Content-Type") != tt.wantType {
				t.Errorf("got %d %q, want %d %q; body %s", resp.Status, resp.Header.Get("Content-Type"), tt.wantStatus, tt.wantType, resp.Body)
			}
		})
	}
	// The CSV form of a list, asked for with an empty parameter.
	resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations", Header: map[string]string{"Accept": "text/csv;;q=0.5, application/json;q=0.4"}})
	if got := resp.Header.Get("Content-Type"); resp.Status != 200 || got != "text/csv; charset=utf-8" {
		t.Errorf("GET /locations: got %d %q, want 200 text/csv; charset=utf-8", resp.Status, got)
	}
}

// varyNames are the header names Vary lists, in all its lines.
func varyNames(h http.Header) []string {
	var names []string
	for _, line := range h.Values("Vary") {
		for name := range strings.SplitSeq(line, ",") {
			names = append(names, strings.TrimSpace(name))
		}
	}
	return names
}

// A query parameter that takes many values (an array) may be repeated;
// one that takes one may not. The contract declares no array yet: this
// one is added to a copy of it.
func TestArrayQueryParametersMayRepeat(t *testing.T) {
	spec, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	tags := openapi3.NewArraySchema().WithItems(openapi3.NewStringSchema())
	spec.Paths.Find("/locations").Get.AddParameter(openapi3.NewQueryParameter("tag").WithSchema(tags))
	s := apitest.NewServer(t, apitest.Options{Config: api.Config{Spec: spec}})
	for _, tt := range []struct {
		query  string
		status int
		errors map[string]string
	}{
		{"tag=a&tag=b", http.StatusOK, nil},
		{"limit=1&limit=2", http.StatusBadRequest, map[string]string{"limit": "limit must be given only once"}},
	} {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations?" + tt.query})
		if resp.Status != tt.status {
			t.Errorf("?%s: status %d, want %d; body %s", tt.query, resp.Status, tt.status, resp.Body)
		} else if tt.errors != nil && !maps.Equal(resp.Problem(t).Errors, tt.errors) {
			t.Errorf("?%s: errors %s, want %v", tt.query, resp.Body, tt.errors)
		}
	}
}
