package contract_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/internal/contract"
)

// contractRouter finds the contract's routes.
func contractRouter(t *testing.T) routers.Router {
	t.Helper()
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return router
}

// findRoute makes a request of method to target and finds the contract's
// route for it, with its path parameters.
func findRoute(t *testing.T, router routers.Router, method, target string) (*http.Request, *routers.Route, map[string]string) {
	t.Helper()
	req := httptest.NewRequestWithContext(context.Background(), method, target, nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatal(err)
	}
	return req, route, params
}

// A HEAD answer declares no content; Check holds it to its GET twin's
// media type and headers for the status, and to having no body.
func TestCheckHead(t *testing.T) {
	router := contractRouter(t)
	tests := []struct {
		name, target string
		status       int
		contentType  string
		body         string
		wantErr      string // "" when the answer keeps the contract
		header       http.Header
	}{
		{"the GET's media type", "/locations/1", 200, "application/json", "", "", http.Header{"Etag": {`"1"`}}},
		{"a required header named in lower case", "/locations/1", 200, "application/json", "", "", http.Header{"etag": {`"1"`}}},
		{"without a header the GET requires", "/locations/1", 200, "application/json", "", "required header ETag is missing", nil},
		{"a header's value the GET does not allow", "/locations/1", 200, "application/json", "", `response header "X-Content-Type-Options" doesn't match`,
			http.Header{"Etag": {`"1"`}, "X-Content-Type-Options": {"sniff"}}},
		{"a header the GET declares", "/locations/1", 200, "application/json", "", "", http.Header{"Etag": {`"1"`}}},
		{"a header the GET does not declare", "/locations/1", 200, "application/json", "", "header X-Powered-By is not declared", http.Header{"X-Powered-By": {"Go"}}},
		{"a header the GET declares for another status", "/locations/999", 404, "application/problem+json", "", "header Etag is not declared", http.Header{"Etag": {`"1"`}}},
		{"CSV where the GET offers it", "/locations", 200, "text/csv; charset=utf-8", "", "", nil},
		{"CSV without the charset the GET declares", "/locations", 200, "text/csv", "", "not declared", nil},
		{"a problem", "/locations/999", 404, "application/problem+json", "", "", nil},
		{"not modified", "/locations/1", 304, "", "", "", http.Header{"Etag": {`"1"`}}},
		{"not modified without its ETag", "/locations/1", 304, "", "", "required header ETag is missing", nil},
		{"a body", "/locations/1", 200, "application/json", "{}", "has a body", nil},
		{"a body of one byte", "/locations/1", 200, "application/json", "x", "has a body", nil},
		{"a media type the GET does not declare", "/locations/1", 200, "text/html", "", "not declared", nil},
		{"CSV where the GET has none", "/locations/1", 200, "text/csv", "", "not declared", nil},
		{"no Content-Type where the GET has content", "/locations/1", 200, "", "", "not declared", nil},
		{"a Content-Type on a 304", "/locations/1", 304, "application/json", "", "declares no content", nil},
		{"a status the operation does not declare", "/locations/1", 418, "application/json", "", "not declared", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, route, params := findRoute(t, router, http.MethodHead, tt.target)
			header := http.Header{}
			for name, values := range tt.header {
				header[name] = values
			}
			if tt.contentType != "" {
				header.Set("Content-Type", tt.contentType)
			}
			err := contract.Check(req, route, params, contract.Response{
				Status: tt.status, Header: header, Body: []byte(tt.body), Head: true,
			})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Check = %v, want no error", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Check = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// A status that declares no content has none: no body, whether or not a
// Content-Type names it.
func TestCheckNoContent(t *testing.T) {
	router := contractRouter(t)
	req, route, params := findRoute(t, router, http.MethodDelete, "/players/1")
	tests := []struct {
		name, contentType, body string
		wantErr                 bool
	}{
		{"nothing", "", "", false},
		{"a body without a Content-Type", "", "x", true},
		{"a Content-Type without a body", "application/json", "", true},
		{"both", "application/json", "{}", true},
	}
	for _, tt := range tests {
		header := http.Header{}
		if tt.contentType != "" {
			header.Set("Content-Type", tt.contentType)
		}
		err := contract.Check(req, route, params, contract.Response{Status: http.StatusNoContent, Header: header, Body: []byte(tt.body)})
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: Check = %v, want an error %v", tt.name, err, tt.wantErr)
		}
	}
}

// The answer to a route no operation declares must have the status given.
func TestCheckUndeclaredStatus(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	err = contract.CheckUndeclared(doc, contract.Response{Status: http.StatusOK, Header: http.Header{}}, http.StatusNotFound, "NotFound")
	if err == nil || !strings.Contains(err.Error(), "must answer 404, got 200") {
		t.Errorf("CheckUndeclared of a 200 for a 404 = %v, want an error naming both", err)
	}
}

// The answer to HEAD on an undeclared route has the problem's headers and
// no body, not even one byte of it.
func TestCheckUndeclaredHead(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		body    string
		wantErr bool
	}{
		{"", false},
		{"x", true},
		{`{"status":404}`, true},
	} {
		header := http.Header{"Content-Type": {"application/problem+json"}}
		err := contract.CheckUndeclared(doc, contract.Response{Status: http.StatusNotFound, Header: header, Body: []byte(tt.body), Head: true}, http.StatusNotFound, "NotFound")
		if (err != nil) != tt.wantErr || err != nil && !strings.Contains(err.Error(), "has a body") {
			t.Errorf("CheckUndeclared of a HEAD 404 with body %q = %v, want an error saying it has a body: %v", tt.body, err, tt.wantErr)
		}
	}
}

// A gzip-compressed body is checked against the schema decompressed, and
// must decompress; only a response that declares Content-Encoding may
// have one, and only gzip.
func TestCheckGzip(t *testing.T) {
	router := contractRouter(t)
	gz := func(s string) string {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write([]byte(s)) // a bytes.Buffer does not fail
		_ = zw.Close()
		return buf.String()
	}
	tests := []struct {
		name, target, coding, body string
		wantErr                    string // "" when the answer keeps the contract
	}{
		{"the document, compressed", "/openapi.json", "gzip", gz(`{"openapi":"3.0.3"}`), ""},
		{"the document, as it is", "/openapi.json", "", `{"openapi":"3.0.3"}`, ""},
		{"no object, compressed", "/openapi.json", "gzip", gz(`[1]`), "response body doesn't match schema"},
		{"said to be compressed, and not", "/openapi.json", "gzip", `{"openapi":"3.0.3"}`, "does not decompress"},
		{"compressed, cut short", "/openapi.json", "gzip", gz(`{"openapi":"3.0.3"}`)[:20], "does not decompress"},
		{"a coding not declared", "/openapi.json", "br", `{"openapi":"3.0.3"}`, "Content-Encoding"},
		{"where no coding is declared", "/locations/1", "gzip", gz(`{}`), "header Content-Encoding is not declared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, route, params := findRoute(t, router, http.MethodGet, tt.target)
			header := http.Header{"Content-Type": {"application/json"}, "Etag": {`"1"`}}
			if tt.coding != "" {
				header.Set("Content-Encoding", tt.coding)
			}
			err := contract.Check(req, route, params, contract.Response{Status: http.StatusOK, Header: header, Body: []byte(tt.body)})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Check = %v, want no error", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Check = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
