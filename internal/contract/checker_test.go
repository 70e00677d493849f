package contract_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/routers/gorillamux"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/internal/contract"
)

// A problem body that keeps the Problem schema.
const notFoundBody = `{"type":"/problems/not-found","title":"Not found.","status":404,` +
	`"detail":"Nothing exists at this URL.","instance":"/nowhere#4bf92f3577b34da6a3ce929d0e0e4736","errors":{}}`

const methodNotAllowedBody = `{"type":"/problems/method-not-allowed","title":"Method not allowed.","status":405,` +
	`"detail":"PUT is not supported here; use GET, HEAD, OPTIONS.","instance":"/locations/1#4bf92f3577b34da6a3ce929d0e0e4736","errors":{}}`

// wantCheck reports err against want: "" for no error, else a piece of
// the error's text.
func wantCheck(t *testing.T, what string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s = %v, want no error", what, err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Errorf("%s = %v, want an error containing %q", what, err, want)
	}
}

// A client generated from the contract knows only the headers a response
// declares, so Check refuses any other: only the media type and what HTTP
// itself sends (Content-Length, Date...) pass undeclared. Set-Cookie is
// declared nowhere; a server that starts sending one (a session, a load
// balancer's affinity) breaks the contract.
func TestCheckUndeclaredHeaders(t *testing.T) {
	router := contractRouter(t)
	req, route, params := findRoute(t, router, http.MethodGet, "/locations/999")
	tests := []struct {
		name    string
		header  http.Header
		wantErr string // "" when the answer keeps the contract
	}{
		{"only the media type", nil, ""},
		{"the protocol's headers", http.Header{"Content-Length": {"10"}, "Date": {"Mon, 07 Dec 2026 15:00:00 GMT"}}, ""},
		{"Vary, which the response declares", http.Header{"Vary": {"Origin"}}, ""},
		{"a declared header in lower case, as HTTP/2 sends names", http.Header{"x-request-id": {"abc"}}, ""},
		{"an undeclared header in lower case", http.Header{"set-cookie": {"session=abc"}}, "header Set-Cookie is not declared"},
		{"a Set-Cookie", http.Header{"Set-Cookie": {"session=abc; HttpOnly"}}, "header Set-Cookie is not declared"},
		{"an X-Powered-By", http.Header{"X-Powered-By": {"Go"}}, "header X-Powered-By is not declared"},
		{"a Location on a 404", http.Header{"Location": {"/locations/1"}}, "header Location is not declared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := http.Header{"Content-Type": {"application/problem+json"}}
			for name, values := range tt.header {
				header[name] = values
			}
			err := contract.Check(req, route, params, contract.Response{
				Status: http.StatusNotFound, Header: header, Body: []byte(notFoundBody),
			})
			wantCheck(t, "Check", err, tt.wantErr)
		})
	}
}

// Vary is a header the contract declares, not one HTTP sends by itself:
// every response of openapi.yaml declares it today, so this test takes one
// out of a response's declaration, and Check must then refuse it there, on
// a GET and on a HEAD alike.
func TestCheckVaryMustBeDeclared(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	notFound := doc.Components.Responses["NotFound"]
	if notFound == nil || notFound.Value == nil || notFound.Value.Headers["Vary"] == nil {
		t.Fatal("components.responses.NotFound no longer declares Vary; this test removes it")
	}
	delete(notFound.Value.Headers, "Vary")
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		t.Run(method, func(t *testing.T) {
			req, route, params := findRoute(t, router, method, "/locations/999")
			resp := contract.Response{
				Status: http.StatusNotFound,
				Header: http.Header{"Content-Type": {"application/problem+json"}, "Vary": {"Origin"}},
				Body:   []byte(notFoundBody),
			}
			if method == http.MethodHead {
				resp.Body, resp.Head = nil, true
			}
			wantCheck(t, "Check", contract.Check(req, route, params, resp), "header Vary is not declared")
		})
	}
	// And CheckUndeclared, which checks against the component itself.
	err = contract.CheckUndeclared(doc, contract.Response{
		Status: http.StatusNotFound,
		Header: http.Header{"Content-Type": {"application/problem+json"}, "Vary": {"Origin"}},
		Body:   []byte(notFoundBody),
	}, http.StatusNotFound, "NotFound")
	wantCheck(t, "CheckUndeclared", err, "header Vary is not declared")
}

// The answer to a path or method no operation declares (the router's 404
// and 405) is held to the NotFound and MethodNotAllowed components as
// fully as Check holds an operation's answer: their required headers,
// no header they do not declare, their media type, and a JSON body that
// keeps the Problem schema.
func TestCheckUndeclaredResponse(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	problem := http.Header{"Content-Type": {"application/problem+json"}}
	with := func(h http.Header, more http.Header) http.Header {
		out := http.Header{}
		for name, values := range h {
			out[name] = values
		}
		for name, values := range more {
			out[name] = values
		}
		return out
	}
	allow := http.Header{"Allow": {"GET, HEAD, OPTIONS"}}
	tests := []struct {
		name      string
		status    int
		component string
		header    http.Header
		body      string
		wantErr   string // "" when the answer keeps the contract
	}{
		{"a 404 as declared", 404, "NotFound", problem, notFoundBody, ""},
		{"a 404 with the headers it declares", 404, "NotFound",
			with(problem, http.Header{"X-Request-Id": {"abc"}, "Cache-Control": {"no-cache"}, "Vary": {"Origin"}}), notFoundBody, ""},
		{"a 405 as declared", 405, "MethodNotAllowed", with(problem, allow), methodNotAllowedBody, ""},

		// Required headers.
		{"a 405 without Allow", 405, "MethodNotAllowed", problem, methodNotAllowedBody, "required header Allow is missing"},
		{"a 405 with an empty Allow", 405, "MethodNotAllowed", with(problem, http.Header{"Allow": {""}}), methodNotAllowedBody, "required header Allow is missing"},

		// Header values.
		{"a 404 that lets the browser sniff", 404, "NotFound", with(problem, http.Header{"X-Content-Type-Options": {"sniff"}}), notFoundBody,
			`response header "X-Content-Type-Options" doesn't match`},
		{"a 404 with a request id out of its pattern", 404, "NotFound", with(problem, http.Header{"X-Request-Id": {"bad id!"}}), notFoundBody,
			`response header "X-Request-ID" doesn't match`},

		// Headers not declared.
		{"a 404 with a Set-Cookie", 404, "NotFound", with(problem, http.Header{"Set-Cookie": {"session=abc"}}), notFoundBody, "header Set-Cookie is not declared"},
		{"a 404 with an Allow", 404, "NotFound", with(problem, allow), notFoundBody, "header Allow is not declared"},
		{"a 405 with an X-Powered-By", 405, "MethodNotAllowed", with(problem, with(allow, http.Header{"X-Powered-By": {"Go"}})), methodNotAllowedBody, "header X-Powered-By is not declared"},

		// Media type.
		{"a 404 as an HTML page", 404, "NotFound", http.Header{"Content-Type": {"text/html; charset=utf-8"}}, notFoundBody, "is not declared by NotFound"},
		{"a 404 as plain JSON", 404, "NotFound", http.Header{"Content-Type": {"application/json"}}, notFoundBody, "is not declared by NotFound"},
		{"a 404 without a Content-Type", 404, "NotFound", http.Header{}, notFoundBody, "is not declared by NotFound"},
		{"a 405 as plain text", 405, "MethodNotAllowed", with(http.Header{"Content-Type": {"text/plain"}}, allow), methodNotAllowedBody, "is not declared by MethodNotAllowed"},

		// Body.
		{"a 404 with an HTML body", 404, "NotFound", problem, "<html><body>404 page not found</body></html>", "body is not JSON"},
		{"a 404 with Go's plain text", 404, "NotFound", problem, "404 page not found", "body is not JSON"},
		{"a 404 with no body", 404, "NotFound", problem, "", "body is not JSON"},
		{"a 404 with an empty object", 404, "NotFound", problem, `{}`, `property "type" is missing`},
		{"a 404 with an array", 404, "NotFound", problem, `[]`, "value must be an object"},
		{"a 404 whose type is not a problem type", 404, "NotFound", problem,
			strings.Replace(notFoundBody, "/problems/not-found", "about:blank", 1), "value is not one of the allowed values"},
		{"a 405 whose status is a string", 405, "MethodNotAllowed", with(problem, allow),
			strings.Replace(methodNotAllowedBody, `"status":405`, `"status":"405"`, 1), "value must be an integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := contract.CheckUndeclared(doc, contract.Response{
				Status: tt.status, Header: tt.header, Body: []byte(tt.body),
			}, tt.status, tt.component)
			wantCheck(t, "CheckUndeclared", err, tt.wantErr)
		})
	}
}

// A violation's message reaches logs, and a response body may carry a
// player's token: Check must say what is wrong without quoting the values
// it found, neither the one that breaks the schema nor the token beside it.
func TestCheckKeepsValuesOutOfMessages(t *testing.T) {
	router := contractRouter(t)
	created := http.Header{
		"Content-Type":  {"application/json"},
		"Location":      {"/players/1"},
		"Cache-Control": {"no-store"},
	}
	player := func(gold, token string) string {
		return `{"id":1,"first_name":"Hattori","last_name":"Hanzo","gold":` + gold +
			`,"created_at":"2026-11-26T10:00:00Z","token":"` + token + `"}`
	}
	tests := []struct {
		name, method, target string
		status               int
		header               http.Header
		body                 string
	}{
		{"a token beside a balance that is a string", http.MethodPost, "/players", 201, created,
			player(`"lots"`, "SECRET-ngp_3q2-7wEJ2lq0vQ1R9hX8bYk4uT6sZc0aN5mD7fGh1jK")},
		{"a token where the balance should be", http.MethodPost, "/players", 201, created,
			player(`"SECRET-ngp_3q2-7wEJ2lq0vQ1R9hX8bYk4uT6sZc0aN5mD7fGh1jK"`, "ngp_x")},
		{"a token beside a name too short", http.MethodPost, "/players", 201, created,
			strings.Replace(player("0", "SECRET-ngp_3q2-7wEJ2lq0vQ1R9hX8bYk4uT6sZc0aN5mD7fGh1jK"), `"Hattori"`, `"H"`, 1)},
		{"a secret as a problem's type", http.MethodGet, "/locations/999", 404,
			http.Header{"Content-Type": {"application/problem+json"}},
			strings.Replace(notFoundBody, "/problems/not-found", "SECRET-xyz", 1)},
		{"a secret where a problem's status should be", http.MethodGet, "/locations/999", 404,
			http.Header{"Content-Type": {"application/problem+json"}},
			strings.Replace(notFoundBody, `"status":404`, `"status":"SECRET-xyz"`, 1)},
		{"a secret as an error message that should be a string", http.MethodGet, "/locations/999", 404,
			http.Header{"Content-Type": {"application/problem+json"}},
			strings.Replace(notFoundBody, `"errors":{}`, `"errors":{"token":["SECRET-xyz"]}`, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, route, params := findRoute(t, router, tt.method, tt.target)
			err := contract.Check(req, route, params, contract.Response{Status: tt.status, Header: tt.header, Body: []byte(tt.body)})
			if err == nil {
				t.Fatal("Check = nil, want a violation")
			}
			if msg := err.Error(); strings.Contains(msg, "SECRET") || strings.Contains(msg, "ngp_") {
				t.Errorf("Check's message quotes a value from the body:\n%s", msg)
			}
		})
	}
	// The same of an undeclared route's answer.
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	err = contract.CheckUndeclared(doc, contract.Response{Status: 404, Header: http.Header{"Content-Type": {"application/problem+json"}},
		Body: []byte(strings.Replace(notFoundBody, "/problems/not-found", "SECRET-xyz", 1))}, 404, "NotFound")
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("CheckUndeclared = %v, want a violation that does not quote the value", err)
	}
}

// kin-openapi passes a 304 and the permanent and temporary redirects
// without looking at them; Check holds their headers to the contract
// itself, as it does every other answer's.
func TestCheckNotModifiedHeaders(t *testing.T) {
	router := contractRouter(t)
	req, route, params := findRoute(t, router, http.MethodGet, "/locations/1")
	// An empty required header is missing on every answer alike: here a
	// 200, which kin-openapi checks.
	err := contract.Check(req, route, params, contract.Response{Status: http.StatusOK,
		Header: http.Header{"Content-Type": {"application/json"}, "Etag": {""}},
		Body:   []byte(`{"id":1,"name":"Farm","min_gold":10,"max_gold":20,"created_at":"2026-11-26T10:00:00Z","updated_at":"2026-11-26T10:00:00Z"}`)})
	wantCheck(t, "Check of a 200 with an empty ETag", err, "required header ETag is missing")
	tests := []struct {
		name    string
		header  http.Header
		wantErr string
	}{
		{"as declared", http.Header{"Etag": {`"1"`}}, ""},
		{"without its ETag", http.Header{}, "required header ETag is missing"},
		{"with an empty ETag", http.Header{"Etag": {""}}, "required header ETag is missing"},
		{"letting the browser sniff", http.Header{"Etag": {`"1"`}, "X-Content-Type-Options": {"sniff"}}, `response header "X-Content-Type-Options" doesn't match`},
		{"with a header it does not declare", http.Header{"Etag": {`"1"`}, "Set-Cookie": {"a=b"}}, "header Set-Cookie is not declared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := contract.Check(req, route, params, contract.Response{Status: http.StatusNotModified, Header: tt.header})
			wantCheck(t, "Check", err, tt.wantErr)
		})
	}
}
