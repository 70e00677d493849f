package main

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README's "Play a game with curl" is what a new user types first: the
// script, as written there, runs with sh and curl against the built server
// (only its address and the admin token put in), every request is answered
// as the game expects, each sample answer in its comments has the members
// the real one has, in their order, and after step 5 TOKEN holds the new
// token, which works while the old one does not.
func TestREADMEGame(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is missing (make test installs Debian's curl): the README's game needs it")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Play a game with curl\n")
	_, block, ok2 := strings.Cut(section, "\n```sh\n")
	block, _, ok3 := strings.Cut(block, "\n```\n")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README: no sh block under \"## Play a game with curl\"")
	}

	p := start(t, filepath.Join(t.TempDir(), "ninjagold.db"))
	script := block
	for _, r := range []struct{ old, new string }{
		{"API=http://localhost:8080\n", "API=" + p.URL + "\n"},
		{"ADMIN=...   # the token make run printed\n", "ADMIN=" + processTestAdmin + "\n"},
	} {
		if strings.Count(script, r.old) != 1 {
			t.Fatalf("README's game: %q is not there once; this test puts the server's in its place", r.old)
		}
		script = strings.Replace(script, r.old, r.new, 1)
	}
	// Each answer on a line of its own, and on stderr each request's
	// status, method and URL, after the bearer token it sends.
	const wrap = `curl() {
	for a; do case $a in "Authorization: Bearer "*) printf 'bearer %s\n' "${a#Authorization: Bearer }" >&2;; esac; done
	command curl --write-out '\n%{stderr}%{http_code} %{method} %{url_effective}\n' "$@"
}
`
	cmd := exec.Command("sh", "-eu", "-c", wrap+script+"\n"+`printf 'TOKEN=%s\n' "$TOKEN"`+"\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the README's game: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}

	var got, bearers []string
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if b, ok := strings.CutPrefix(line, "bearer "); ok {
			bearers = append(bearers, b)
			continue
		}
		got = append(got, strings.Replace(line, p.URL, "", 1))
	}
	want := []string{
		"201 POST /players",
		"201 POST /players/1/visits",
		"201 POST /players/1/visits",
		"200 GET /players/1/visits",
		"200 GET /players/1/visits",
		"200 GET /players?limit=10",
		"200 POST /players/1/token",
		"200 PATCH /locations/2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the README's requests answered\n%s\nwant\n%s\nstdout:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), &stdout)
	}

	out := stdout.String()
	for _, s := range []string{
		`"location_name":"Farm"`, `"location_name":"Casino"`,
		"id,player_id,location_id,location_name,gold,balance,message,created_at\r\n",
		`"max_gold":12`,
	} {
		if !strings.Contains(out, s) {
			t.Errorf("the README's game printed no %q:\n%s", s, out)
		}
	}

	// A sample answer in a comment ("# {...}") has the members of an answer
	// the script printed, in the same order.
	member := regexp.MustCompile(`"(\w+)":`)
	keys := func(line string) string {
		var ks []string
		for _, m := range member.FindAllStringSubmatch(line, -1) {
			ks = append(ks, m[1])
		}
		return strings.Join(ks, ",")
	}
	printed := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "{") {
			printed[keys(line)] = true
		}
	}
	samples := 0
	for _, line := range strings.Split(block, "\n") {
		if sample, ok := strings.CutPrefix(line, "# {"); ok {
			samples++
			if !printed[keys("{"+sample)] {
				t.Errorf("the README's sample answer %s has members %s; no answer printed has them", line, keys(sample))
			}
		}
	}
	if samples == 0 {
		t.Error("the README's game shows no sample answer")
	}

	// Step 5 sent the token the visits did, which then stops working, and
	// left TOKEN holding its successor, which works.
	last := strings.TrimSpace(out[strings.LastIndex(out, "TOKEN="):])
	if len(bearers) != 4 || bearers[3] != processTestAdmin {
		t.Fatalf("the README's game sent the bearer tokens %q; want the player's three times, then the admin's", bearers)
	}
	old, token := bearers[0], strings.TrimPrefix(last, "TOKEN=")
	if bearers[1] != old || bearers[2] != old || token == old {
		t.Fatalf("the README's game sent the bearer tokens %q and ends with %s; want the player's three times, the admin's, and TOKEN a new one", bearers, last)
	}
	for _, tc := range []struct {
		token string
		want  int
	}{{old, http.StatusUnauthorized}, {token, http.StatusCreated}} {
		resp, _, err := postJSON(http.DefaultClient, p.URL+"/players/1/visits", tc.token, `{"location_id":3}`, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tc.want {
			t.Errorf("a visit with %.8s…: %d, want %d", tc.token, resp.StatusCode, tc.want)
		}
	}
}
