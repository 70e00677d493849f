package api_test

import (
	"net/http"
	"testing"

	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// Every answer says how a cache may keep it: no-store where it carries a
// token, the documentation's files for an hour, and everything else no-cache
// (kept only to be asked about again), errors and 304s included, so that no
// cache reuses a 200 or a 404 on its own heuristics after the game changed.
func TestCacheControl(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	want := func(op string) string {
		switch op {
		case "createPlayer", "replacePlayerToken":
			return "no-store"
		case "getDocsAsset", "headDocsAsset":
			return "public, max-age=3600"
		}
		return "no-cache"
	}
	for _, r := range opRequests(t, s) {
		t.Run(r.op, func(t *testing.T) {
			resp := s.Do(t, r.req)
			if resp.Status >= 400 {
				t.Fatalf("status %d, want no error; body %s", resp.Status, resp.Body)
			}
			if got := resp.Header.Values("Cache-Control"); len(got) != 1 || got[0] != want(r.op) {
				t.Errorf("Cache-Control %q, want %q", got, want(r.op))
			}
		})
	}

	p := newPlayer(t, s, "Kira", "Sato")
	location := s.Do(t, apitest.Request{Method: "GET", Path: "/locations/1"})
	asset := s.Do(t, apitest.Request{Method: "GET", Path: "/docs/swagger-ui.css"})
	others := []struct {
		name   string
		req    apitest.Request
		status int
		want   string
	}{
		{"a 304 of a location", apitest.Request{Method: "GET", Path: "/locations/1",
			Header: map[string]string{"If-None-Match": location.Header.Get("ETag")}}, http.StatusNotModified, "no-cache"},
		{"a 304 of a documentation file", apitest.Request{Method: "GET", Path: "/docs/swagger-ui.css",
			Header: map[string]string{"If-None-Match": asset.Header.Get("ETag")}}, http.StatusNotModified, "public, max-age=3600"},
		{"an unknown location", apitest.Request{Method: "GET", Path: "/locations/999"}, http.StatusNotFound, "no-cache"},
		{"an unknown route", apitest.Request{Method: "GET", Path: "/dojo"}, http.StatusNotFound, "no-cache"},
		{"a method the route does not have", apitest.Request{Method: "PUT", Path: "/players"}, http.StatusMethodNotAllowed, "no-cache"},
		{"an invalid body", apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"A","last_name":"Hanzo"}`},
			http.StatusBadRequest, "no-cache"},
		{"a visit without a token", apitest.Request{Method: "POST", Path: p.path + "/visits", Body: `{"location_id":1}`},
			http.StatusUnauthorized, "no-cache"},
	}
	for _, tt := range others {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.Do(t, tt.req)
			if resp.Status != tt.status {
				t.Fatalf("status %d, want %d; body %s", resp.Status, tt.status, resp.Body)
			}
			if got := resp.Header.Values("Cache-Control"); len(got) != 1 || got[0] != tt.want {
				t.Errorf("Cache-Control %q, want %q", got, tt.want)
			}
		})
	}
}
