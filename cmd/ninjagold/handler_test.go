package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// newHandler hands every setting of the command line to the service: each
// case's request is answered as only its flag makes it answer. (The
// process tests run with rate limiting off and the defaults otherwise.)
func TestNewHandlerTakesTheFlags(t *testing.T) {
	const admin = "an-admin-token-of-this-test"
	env := map[string]string{"NINJAGOLD_ADMIN_TOKEN": admin}
	cfg, err := parseConfig([]string{
		"--db", filepath.Join(t.TempDir(), "flags.db"),
		"--max-body-bytes", "64",
		"--max-header-bytes", "2048",
		"--rate-limit", "0.001", "--rate-burst", "1",
		"--trusted-proxy", "10.0.0.0/8",
		"--cors-origin", "https://app.example",
	}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(t.Context(), cfg.db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	h, _, err := newHandler(cfg, store, doc, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}

	// Each case is a new client (its own address), so that the rate limit,
	// a burst of one, refuses only the second request of the one case that
	// sends two.
	do := func(client, method, path, body string, header map[string]string) *http.Response {
		t.Helper()
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.RemoteAddr = client + ":40000"
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		for k, v := range header {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Result()
	}
	cases := []struct {
		flag   string
		send   func() *http.Response
		status int
		header string // a header the answer must carry, if any
	}{
		{"--max-body-bytes", func() *http.Response {
			return do("192.0.2.1", "POST", "/players", `{"first_name":"`+strings.Repeat("K", 64)+`","last_name":"Ninja"}`, nil)
		}, http.StatusRequestEntityTooLarge, ""},
		{"--max-header-bytes", func() *http.Response {
			return do("192.0.2.2", "GET", "/locations", "", map[string]string{"X-Padding": strings.Repeat("p", 2048)})
		}, http.StatusRequestHeaderFieldsTooLarge, ""},
		{"--rate-limit, --rate-burst", func() *http.Response {
			do("192.0.2.3", "GET", "/locations", "", nil)
			return do("192.0.2.3", "GET", "/locations", "", nil)
		}, http.StatusTooManyRequests, "Retry-After"},
		{"--trusted-proxy: two proxies, one client", func() *http.Response {
			do("10.0.0.1", "GET", "/locations", "", map[string]string{"X-Forwarded-For": "203.0.113.9"})
			return do("10.0.0.2", "GET", "/locations", "", map[string]string{"X-Forwarded-For": "203.0.113.9"})
		}, http.StatusTooManyRequests, ""},
		{"--cors-origin", func() *http.Response {
			return do("192.0.2.4", "GET", "/locations", "", map[string]string{"Origin": "https://app.example"})
		}, http.StatusOK, "Access-Control-Allow-Origin"},
		{"NINJAGOLD_ADMIN_TOKEN", func() *http.Response {
			return do("192.0.2.5", "DELETE", "/locations/4", "", map[string]string{"Authorization": "Bearer " + admin})
		}, http.StatusNoContent, ""},
	}
	for _, c := range cases {
		resp := c.send()
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.flag, resp.StatusCode, c.status)
		}
		if c.header != "" && resp.Header.Get(c.header) == "" {
			t.Errorf("%s: no %s in %v", c.flag, c.header, resp.Header)
		}
	}
}
