package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// plainKey is what an errors key may look like: a property path, a
// parameter or header name, or "body".
var plainKey = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)

// FuzzRequestBody sends arbitrary bytes as the body of the write
// operations, through the whole engine: whatever arrives, the answer is a
// declared 2xx or a problem whose errors name fields plainly, never a 5xx.
func FuzzRequestBody(f *testing.F) {
	for _, seed := range []string{
		`{"first_name":"Hattori","last_name":"Hanzo"}`,
		`{"first_name":"A","last_name":"B"}`,
		`{"first_name":"\u0000","last_name":"\xff"}`,
		`{"first_name":"Hattori","first_name":"Hanzo","last_name":"x"}`,
		`{"name":"Dojo","min_gold":1e400,"max_gold":-99999999999999999999}`,
		`{"location_id":9223372036854775808}`,
		`{"a":{"b":{"c":[1,2,{"d":null}]}}}`,
		`[`, ``, `null`, `"str"`, `{}`,
	} {
		for _, path := range []string{"/players", "/locations", "/players/1/visits"} {
			f.Add(path, "application/json", []byte(seed))
		}
	}
	f.Add("/locations/1", "application/merge-patch+json", []byte(`{"description":null}`))

	h := inProcessHandler(f, sqlite.Options{Synchronous: "NORMAL"}, api.Config{ValidateResponses: false})

	f.Fuzz(func(t *testing.T, path, contentType string, body []byte) {
		switch path {
		case "/players", "/locations", "/players/1/visits", "/locations/1":
		default:
			return
		}
		method := "POST"
		if path == "/locations/1" {
			method = "PATCH"
		}
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", "Bearer "+apitest.AdminToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		if rec.Code >= 500 {
			t.Fatalf("%s %s %q -> %d %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code < 400 {
			return
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("%d with Content-Type %q", rec.Code, ct)
		}
		var p generated.Problem
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
			t.Fatalf("problem is not JSON: %v: %s", err, rec.Body)
		}
		if int(p.Status) != rec.Code || p.Errors == nil {
			t.Fatalf("problem %s does not match status %d", rec.Body, rec.Code)
		}
		if rec.Code == http.StatusBadRequest && len(p.Errors) == 0 {
			t.Fatalf("400 without field errors for %q", body)
		}
		for k, msg := range p.Errors {
			if !plainKey.MatchString(k) || msg == "" {
				t.Fatalf("errors key %q (message %q) is not a plain field name", k, msg)
			}
		}
	})
}
