package api_test

import (
	"net/http"
	"testing"

	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// TestAcceptedForms: requests written in a form the standards allow, if
// not the usual one, are served, not refused.
func TestAcceptedForms(t *testing.T) {
	player := `{"first_name":"Hattori","last_name":"Hanzo"}`
	location := `{"name":"Dojo","min_gold":1,"max_gold":2}`
	tests := []struct {
		name string
		req  apitest.Request
		want int
	}{
		// A charset's name is case-insensitive, and a parameter value may
		// be quoted (RFC 9110 §8.3.2, §5.6.6).
		{"charset in upper case", apitest.Request{Method: "POST", Path: "/players", Body: player,
			Header: map[string]string{"Content-Type": "application/json; charset=UTF-8"}}, http.StatusCreated},
		{"charset quoted", apitest.Request{Method: "POST", Path: "/players", Body: player,
			Header: map[string]string{"Content-Type": `application/json; charset="utf-8"`}}, http.StatusCreated},
		// Empty list elements count for nothing (RFC 9110 §5.6.1).
		{"Content-Encoding with an empty element", apitest.Request{Method: "POST", Path: "/players", Body: player,
			Header: map[string]string{"Content-Encoding": "identity, "}}, http.StatusCreated},
		{"Content-Encoding of an empty element alone", apitest.Request{Method: "POST", Path: "/players", Body: player,
			Header: map[string]string{"Content-Encoding": ","}}, http.StatusCreated},
		// The blanks between the scheme and the token are not the token's.
		{"two spaces after Bearer", apitest.Request{Method: "POST", Path: "/locations", Body: location,
			Header: map[string]string{"Authorization": "Bearer  " + admin}}, http.StatusCreated},
		{"a space and a tab after Bearer", apitest.Request{Method: "POST", Path: "/locations", Body: location,
			Header: map[string]string{"Authorization": "Bearer \t" + admin}}, http.StatusCreated},
		// An operation that declares no query parameter reads no query,
		// so one url.ParseQuery refuses is no fault of the request.
		{"a query no parser reads, where none is declared", apitest.Request{Method: "GET", Path: "/locations/1?a;b=%zz"},
			http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := apitest.NewServer(t, apitest.Options{})
			if resp := s.Do(t, tt.req); resp.Status != tt.want {
				t.Errorf("%s %s: %d %s, want %d", tt.req.Method, tt.req.Path, resp.Status, resp.Body, tt.want)
			}
		})
	}
}
