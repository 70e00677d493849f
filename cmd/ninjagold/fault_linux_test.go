package main

import (
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// A disk with no room for the server's writes: each write answers 503 with
// Retry-After and keeps nothing, reads are served, and /readyz answers 503
// as the writes do, until a write can commit again. The disk has no room
// for the server alone: its file size limit (RLIMIT_FSIZE, set from here
// with prlimit(2)) is 0, so each of its writes to a file fails.
func TestNoRoomForWritesFailsReadiness(t *testing.T) {
	p := start(t, filepath.Join(t.TempDir(), "full.db"))
	pid := p.cmd.Process.Pid
	var room unix.Rlimit
	if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, nil, &room); err != nil {
		t.Fatal(err)
	}
	setLimit := func(l unix.Rlimit) {
		t.Helper()
		if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, &l, nil); err != nil {
			t.Fatal(err)
		}
	}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(p.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(body)
	}
	unavailable := func(what string, resp *http.Response, body string) {
		t.Helper()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
			resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d, Retry-After %q, %s %s; want a 503 problem with Retry-After",
				what, resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), body)
		}
	}
	players := func() int {
		t.Helper()
		var page struct{ Items []struct{} }
		getJSON(t, p.URL+"/players", &page)
		return len(page.Items)
	}
	createPlayers(t, p.URL, 1)

	setLimit(unix.Rlimit{Cur: 0, Max: room.Max})
	resp, body, err := postJSON(http.DefaultClient, p.URL+"/players", "", `{"first_name":"Full","last_name":"Disk"}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	unavailable("POST /players with no room", resp, string(body))
	if resp, body := get("/locations"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /locations with no room: %d %s, want 200", resp.StatusCode, body)
	}
	resp, got := get("/readyz")
	unavailable("GET /readyz with no room", resp, got)

	setLimit(room)
	if resp, body := get("/readyz"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /readyz with room again: %d %s, want 200", resp.StatusCode, body)
	}
	createPlayers(t, p.URL, 1)
	if n := players(); n != 2 {
		t.Errorf("%d players, want 2: the one refused for no room is not kept", n)
	}
}
