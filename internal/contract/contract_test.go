package contract_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/routers/gorillamux"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/internal/contract"
)

// A HEAD answer declares no content; Check holds it to its GET twin's
// media type and headers for the status, and to having no body.
func TestCheckHead(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, target string
		status       int
		contentType  string
		body         string
		wantErr      string // "" when the answer keeps the contract
		header       http.Header
	}{
		{"the GET's media type", "/locations/1", 200, "application/json", "", "", nil},
		{"a header the GET declares", "/locations/1", 200, "application/json", "", "", http.Header{"Etag": {`"1"`}}},
		{"a header the GET does not declare", "/locations/1", 200, "application/json", "", "header X-Powered-By is not declared", http.Header{"X-Powered-By": {"Go"}}},
		{"a header the GET declares for another status", "/locations/999", 404, "application/problem+json", "", "header Etag is not declared", http.Header{"Etag": {`"1"`}}},
		{"CSV where the GET offers it", "/locations", 200, "text/csv; charset=utf-8", "", "", nil},
		{"CSV without the charset the GET declares", "/locations", 200, "text/csv", "", "not declared", nil},
		{"a problem", "/locations/999", 404, "application/problem+json", "", "", nil},
		{"not modified", "/locations/1", 304, "", "", "", nil},
		{"a body", "/locations/1", 200, "application/json", "{}", "has a body", nil},
		{"a media type the GET does not declare", "/locations/1", 200, "text/html", "", "not declared", nil},
		{"CSV where the GET has none", "/locations/1", 200, "text/csv", "", "not declared", nil},
		{"no Content-Type where the GET has content", "/locations/1", 200, "", "", "not declared", nil},
		{"a Content-Type on a 304", "/locations/1", 304, "application/json", "", "declares no content", nil},
		{"a status the operation does not declare", "/locations/1", 418, "application/json", "", "not declared", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(context.Background(), http.MethodHead, tt.target, nil)
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatal(err)
			}
			header := http.Header{}
			for name, values := range tt.header {
				header[name] = values
			}
			if tt.contentType != "" {
				header.Set("Content-Type", tt.contentType)
			}
			err = contract.Check(req, route, params, contract.Response{
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
