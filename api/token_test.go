package api_test

import (
	"net/http"
	"regexp"
	"sync"
	"testing"

	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// POST /players/{id}/token replaces a player's token: the new one works at
// once and the old one no more; the player's own token or the admin token
// may ask, nobody else; a refused request changes no token.
func TestReplacePlayerToken(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	p, other := newPlayer(t, s, "Kira", "Sato"), newPlayer(t, s, "Rin", "Sato")
	if resp, _ := visit(t, s, p, 1, ""); resp.Status != http.StatusCreated {
		t.Fatalf("visit: %d %s", resp.Status, resp.Body)
	}
	replace := func(t *testing.T, path, token string, header map[string]string) (*apitest.Response, generated.NewPlayerResult) {
		t.Helper()
		resp := s.Do(t, apitest.Request{Method: "POST", Path: path + "/token", Token: token, Header: header})
		var got generated.NewPlayerResult
		if resp.Status == http.StatusOK {
			resp.JSON(t, &got)
		}
		return resp, got
	}
	// works reports whether token may visit as p.
	works := func(t *testing.T, token string) bool {
		t.Helper()
		q := p
		q.Token = token
		resp, _ := visit(t, s, q, 1, "")
		if resp.Status != http.StatusCreated && resp.Status != http.StatusUnauthorized {
			t.Fatalf("visit with a token: %d %s", resp.Status, resp.Body)
		}
		return resp.Status == http.StatusCreated
	}

	// Refusals first: each leaves p's token p's.
	for _, c := range []struct {
		name, path, token string
		header            map[string]string
		wantStatus        int
		wantAuthenticate  string
	}{
		{"no token", p.path, "", nil, 401, "Bearer"},
		{"a token of nobody", p.path, "ngp_nobody", nil, 401, `Bearer error="invalid_token"`},
		{"another player's token", p.path, other.Token, nil, 403, ""},
		{"an unknown player, by the admin", "/players/999999", apitest.AdminToken, nil, 404, ""},
		{"a false If-Match", p.path, p.Token, map[string]string{"If-Match": `"1"`}, 412, ""},
		{"If-None-Match: *", p.path, p.Token, map[string]string{"If-None-Match": "*"}, 412, ""},
		{"an Accept it cannot meet", p.path, p.Token, map[string]string{"Accept": "text/csv"}, 406, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, _ := replace(t, c.path, c.token, c.header)
			if resp.Status != c.wantStatus {
				t.Fatalf("status %d, want %d; body %s", resp.Status, c.wantStatus, resp.Body)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != c.wantAuthenticate {
				t.Errorf("WWW-Authenticate %q, want %q", got, c.wantAuthenticate)
			}
			if !works(t, p.Token) {
				t.Errorf("p's token stopped working")
			}
		})
	}

	// The player's own token.
	resp, got := replace(t, p.path, p.Token, nil)
	if resp.Status != http.StatusOK {
		t.Fatalf("replace with the player's token: %d %s", resp.Status, resp.Body)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", resp.Header.Get("Cache-Control"))
	}
	if now := getPlayer(t, s, p.path); got.Id != p.Id || got.FirstName != "Kira" || got.Gold != now.Gold || got.Token == "" || got.Token == p.Token {
		t.Errorf("got %+v, want player %+v with a new token", got, now)
	}
	if works(t, p.Token) {
		t.Errorf("the replaced token still works")
	}
	if !works(t, got.Token) {
		t.Errorf("the new token does not work")
	}

	// The admin token, for a player whose token is lost.
	resp, byAdmin := replace(t, p.path, apitest.AdminToken, nil)
	if resp.Status != http.StatusOK || byAdmin.Id != p.Id {
		t.Fatalf("replace with the admin token: %d %s", resp.Status, resp.Body)
	}
	if works(t, got.Token) || !works(t, byAdmin.Token) {
		t.Errorf("after the admin's replacement: the previous token works %v, the new one %v; want false, true",
			works(t, got.Token), works(t, byAdmin.Token))
	}
	// Every token, made with the player or anew, is ngp_ and 256 random
	// bits (43 base64url characters): the prefix lets secret scanners
	// find a leaked one, and the bits are what lets the store keep a fast
	// hash of it (impl's newToken).
	tokenForm := regexp.MustCompile(`^ngp_[A-Za-z0-9_-]{43}$`)
	for _, token := range []string{p.Token, other.Token, got.Token, byAdmin.Token} {
		if !tokenForm.MatchString(token) {
			t.Errorf("token %q, want ngp_ and 43 base64url characters", token)
		}
	}

	// Many at once with one token: exactly one gets a new token.
	const n = 8
	answers := make(chan *apitest.Response, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			answers <- s.Do(t, apitest.Request{Method: "POST", Path: p.path + "/token", Token: byAdmin.Token})
		})
	}
	wg.Wait()
	close(answers)
	count := map[int]int{}
	var winner string
	for resp := range answers {
		count[resp.Status]++
		if resp.Status == http.StatusOK {
			var r generated.NewPlayerResult
			resp.JSON(t, &r)
			winner = r.Token
		}
	}
	if count[http.StatusOK] != 1 || count[http.StatusUnauthorized] != n-1 {
		t.Fatalf("statuses %v, want one 200 and %d 401s", count, n-1)
	}
	if !works(t, winner) || works(t, byAdmin.Token) {
		t.Errorf("after the race: the winner's token works %v, the old one %v; want true, false", works(t, winner), works(t, byAdmin.Token))
	}
}

// The auth scheme is case-insensitive (RFC 9110 §11.1): "bearer" and
// "BEARER" carry a token as "Bearer" does, the admin's and a player's alike.
func TestBearerSchemeInAnyCase(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	p := newPlayer(t, s, "Kira", "Sato")
	for _, scheme := range []string{"bearer", "BEARER", "bEaReR"} {
		t.Run(scheme, func(t *testing.T) {
			resp := s.Do(t, apitest.Request{Method: "PATCH", Path: "/locations/1",
				Header: map[string]string{"Authorization": scheme + " " + apitest.AdminToken, "Content-Type": "application/merge-patch+json"},
				Body:   `{"description":"Tended by ` + scheme + `."}`})
			if resp.Status != http.StatusOK {
				t.Errorf("admin PATCH: %d %s, want 200", resp.Status, resp.Body)
			}
			resp = s.Do(t, apitest.Request{Method: "POST", Path: p.path + "/visits",
				Header: map[string]string{"Authorization": scheme + " " + p.Token}, Body: `{"location_id":1}`})
			if resp.Status != http.StatusCreated {
				t.Errorf("player's visit: %d %s, want 201", resp.Status, resp.Body)
			}
		})
	}
}

// A player's token, valid as it is, does not do what only the admin may:
// each location write answers 401 with the admin token asked for, not "a
// valid" one, whose holder would look for a fault in theirs; and changes
// nothing. An operation a player may do too still asks for a valid token.
func TestPlayerTokenWhereTheAdminsIsNeeded(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	p := newPlayer(t, s, "Kira", "Sato")
	const (
		needsAdmin = "This operation needs the admin token: send it as the bearer token in the Authorization header."
		needsOne   = "Send a valid bearer token in the Authorization header."
	)
	for _, tc := range []struct {
		method, path, token, body string
		wantWWW, wantDetail       string
	}{
		{"POST", "/locations", p.Token, `{"name":"Dojo","min_gold":1,"max_gold":2}`, `Bearer error="invalid_token"`, needsAdmin},
		{"PUT", "/locations/1", p.Token, `{"name":"Dojo","min_gold":1,"max_gold":2}`, `Bearer error="invalid_token"`, needsAdmin},
		{"PATCH", "/locations/1", p.Token, `{"name":"Dojo"}`, `Bearer error="invalid_token"`, needsAdmin},
		{"DELETE", "/locations/1", p.Token, "", `Bearer error="invalid_token"`, needsAdmin},
		{"DELETE", "/locations/1", "", "", "Bearer", needsAdmin},
		{"DELETE", p.path, "", "", "Bearer", needsOne},
		{"POST", p.path + "/token", "", "", "Bearer", needsOne},
	} {
		t.Run(tc.method+" "+tc.path+" "+map[bool]string{true: "with a player's token", false: "with none"}[tc.token != ""], func(t *testing.T) {
			req := apitest.Request{Method: tc.method, Path: tc.path, Token: tc.token, Body: tc.body}
			if tc.method == "PATCH" {
				req.Header = map[string]string{"Content-Type": "application/merge-patch+json"}
			}
			resp := s.Do(t, req)
			if resp.Status != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401; body %s", resp.Status, resp.Body)
			}
			if p := resp.Problem(t); p.Detail != tc.wantDetail || len(p.Errors) != 0 {
				t.Errorf("detail, errors = %q, %v; want %q and none", p.Detail, p.Errors, tc.wantDetail)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != tc.wantWWW {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.wantWWW)
			}
		})
	}
	resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations"})
	var list generated.LocationList
	resp.JSON(t, &list)
	if len(list.Items) != 4 || list.Items[0].Name != "Farm" {
		t.Errorf("locations after the refused writes = %+v, want the four seeded, the Farm first", list.Items)
	}
}
