package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// BenchmarkRefusedLongName is what the largest refused body costs: a
// POST /players whose first_name fills the body limit, the default and the
// 1 MiB it was, through the whole engine in process. kin-openapi, which
// the quick check hands it to, decodes all of it and matches the name
// pattern over the whole string after maxLength has failed, so the cost
// grows with the limit. With Go's regexp doing the match (before
// useKnownPatternsInKin), that was 70 % of the time, and with the 1 MiB
// limit a client could ask for about 50 ms of CPU per request.
//
//	go test ./api -run '^$' -bench RefusedLongName -benchmem
func BenchmarkRefusedLongName(b *testing.B) {
	for _, limit := range []struct {
		name  string
		bytes int
	}{{"default-64KiB", api.DefaultMaxBodyBytes}, {"1MiB", 1 << 20}} {
		b.Run(limit.name, func(b *testing.B) {
			h := inProcessHandler(b, sqlite.Options{}, api.Config{MaxBodyBytes: int64(limit.bytes)})
			const head, tail = `{"first_name":"`, `","last_name":"Hanzo"}`
			body := head + strings.Repeat("a", limit.bytes-len(head)-len(tail)) + tail
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				req := httptest.NewRequest("POST", "/players", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "first name must be at most 50 characters long") {
					b.Fatalf("%d %s, want 400 for the first name's length", w.Code, w.Body)
				}
			}
		})
	}
}
