package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// BenchmarkServeSpec serves the contract as YAML (embedded bytes) and as
// JSON (encoded once, on first request) through the whole engine, in
// process. Before the JSON was kept encoded, every /openapi.json encoded
// the decoded document again: about ten times the YAML's CPU.
//
//	go test ./api -run '^$' -bench ServeSpec -benchmem
func BenchmarkServeSpec(b *testing.B) {
	h := inProcessHandler(b, sqlite.Options{}, api.Config{})
	for _, path := range []string{"/openapi.yaml", "/openapi.json"} {
		b.Run(path[1:], func(b *testing.B) {
			req := httptest.NewRequest("GET", path, nil)
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK || w.Body.Len() < 50_000 {
					b.Fatalf("status %d, %d bytes", w.Code, w.Body.Len())
				}
			}
		})
	}
}
