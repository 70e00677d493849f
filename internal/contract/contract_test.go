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
// media type for the status, and to having no body.
func TestCheckHead(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	header := func(ct string) http.Header {
		h := http.Header{"Etag": {`"1"`}}
		if ct != "" {
			h.Set("Content-Type", ct)
		}
		return h
	}
	tests := []struct {
		name, target string
		status       int
		contentType  string
		body         string
		wantErr      string // "" when the answer keeps the contract
	}{
		{"the GET's media type", "/locations/1", 200, "application/json", "", ""},
		{"CSV where the GET offers it", "/locations", 200, "text/csv; charset=utf-8", "", ""},
		{"CSV without the charset the GET declares", "/locations", 200, "text/csv", "", "not declared"},
		{"a problem", "/locations/999", 404, "application/problem+json", "", ""},
		{"not modified", "/locations/1", 304, "", "", ""},
		{"a body", "/locations/1", 200, "application/json", "{}", "has a body"},
		{"a media type the GET does not declare", "/locations/1", 200, "text/html", "", "not declared"},
		{"CSV where the GET has none", "/locations/1", 200, "text/csv", "", "not declared"},
		{"no Content-Type where the GET has content", "/locations/1", 200, "", "", "not declared"},
		{"a Content-Type on a 304", "/locations/1", 304, "application/json", "", "declares no content"},
		{"a status the operation does not declare", "/locations/1", 418, "application/json", "", "not declared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(context.Background(), http.MethodHead, tt.target, nil)
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatal(err)
			}
			err = contract.Check(req, route, params, contract.Response{
				Status: tt.status, Header: header(tt.contentType), Body: []byte(tt.body), Head: true,
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
