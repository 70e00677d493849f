package api_test

import (
	"maps"
	"net/http"
	"testing"

	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// A location body with a schema error and its range the wrong way round
// names both at once, as the seed's error object names every field; a
// range the schema already refused (or cannot read) is not judged again.
func TestCrossFieldErrorsWithSchemaErrors(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	const (
		short = "name must be at least 2 characters long"
		order = "min gold must be less than or equal to max gold"
	)
	patch := map[string]string{"Content-Type": "application/merge-patch+json"}
	tests := []struct {
		name   string
		method string
		path   string
		header map[string]string
		body   string
		want   map[string]string
	}{
		{"create", "POST", "/locations", nil, `{"name":"A","min_gold":30,"max_gold":10}`, map[string]string{"name": short, "min_gold": order}},
		{"replace", "PUT", "/locations/1", nil, `{"name":"A","min_gold":30,"max_gold":10}`, map[string]string{"name": short, "min_gold": order}},
		{"patch setting both ends", "PATCH", "/locations/1", patch, `{"name":"A","min_gold":30,"max_gold":10}`, map[string]string{"name": short, "min_gold": order}},
		{"an unknown member too", "POST", "/locations", nil, `{"name":"Inn","min_gold":30,"max_gold":10,"x":1}`, map[string]string{"x": "x is not allowed", "min_gold": order}},
		{"a member given twice is named, not judged", "POST", "/locations", nil, `{"name":"Inn","min_gold":1,"min_gold":30,"max_gold":10}`,
			map[string]string{"min_gold": "min gold must be given only once"}},
		{"another member given twice, the range judged", "POST", "/locations", nil, `{"name":"Inn","name":"Inn","min_gold":30,"max_gold":10}`,
			map[string]string{"name": "name must be given only once", "min_gold": order}},
		{"max_gold past its bound, a whole number", "POST", "/locations", nil, `{"name":"Inn","min_gold":30,"max_gold":-2000000}`,
			map[string]string{"max_gold": "max gold must be at least -1000000"}},
		{"min_gold past its bound, a whole number", "POST", "/locations", nil, `{"name":"Inn","min_gold":2000000,"max_gold":10}`,
			map[string]string{"min_gold": "min gold must be at most 1000000"}},
		{"integers written as decimals and exponents", "POST", "/locations", nil, `{"name":"A","min_gold":30.0,"max_gold":1e1}`, map[string]string{"name": short, "min_gold": order}},
		{"in order", "POST", "/locations", nil, `{"name":"A","min_gold":1,"max_gold":10}`, map[string]string{"name": short}},
		{"max_gold refused by the schema", "POST", "/locations", nil, `{"name":"A","min_gold":30,"max_gold":"10"}`,
			map[string]string{"name": short, "max_gold": "max gold must be an integer"}},
		{"MIN_GOLD is not min_gold", "POST", "/locations", nil, `{"name":"Inn","MIN_GOLD":30,"min_gold":1,"max_gold":10}`,
			map[string]string{"MIN_GOLD": `"MIN_GOLD" is not allowed`}},
		{"patch setting one end", "PATCH", "/locations/1", patch, `{"name":"A","min_gold":30}`, map[string]string{"name": short}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.Do(t, apitest.Request{Method: "GET", Path: "/locations?limit=100"})
			resp := s.Do(t, apitest.Request{Method: tt.method, Path: tt.path, Token: admin, Header: tt.header, Body: tt.body})
			if resp.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", resp.Status, resp.Body)
			}
			if p := resp.Problem(t); !maps.Equal(p.Errors, tt.want) {
				t.Errorf("errors %v, want %v", p.Errors, tt.want)
			}
			if after := s.Do(t, apitest.Request{Method: "GET", Path: "/locations?limit=100"}); string(after.Body) != string(before.Body) {
				t.Errorf("a refused request changed the locations")
			}
		})
	}
}
