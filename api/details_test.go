package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// A 404's detail names what the request named, as sent: the id of the
// location, the player and their visit each in its place, the asset with
// its path.
func TestNotFoundDetailsNameTheRequest(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	p := newPlayer(t, s, "Kira", "Sato")
	merge := map[string]string{"Content-Type": "application/merge-patch+json"}
	tests := []struct {
		name string
		req  apitest.Request
		want string
	}{
		{"GET a location", apitest.Request{Method: "GET", Path: "/locations/999"}, "Location 999 does not exist."},
		{"PUT a location", apitest.Request{Method: "PUT", Path: "/locations/998", Token: admin, Body: `{"name":"Inn","min_gold":1,"max_gold":2}`}, "Location 998 does not exist."},
		{"PATCH a location", apitest.Request{Method: "PATCH", Path: "/locations/997", Token: admin, Header: merge, Body: `{"max_gold":2}`}, "Location 997 does not exist."},
		{"DELETE a location", apitest.Request{Method: "DELETE", Path: "/locations/996", Token: admin}, "Location 996 does not exist."},
		{"GET a player", apitest.Request{Method: "GET", Path: "/players/995"}, "Player 995 does not exist."},
		{"GET a visit the player has not", apitest.Request{Method: "GET", Path: p.path + "/visits/994"}, fmt.Sprintf("Player %d has no visit 994.", p.Id)},
		{"GET an asset", apitest.Request{Method: "GET", Path: "/docs/nope.js"}, "Nothing exists at /docs/nope.js."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.Do(t, tt.req)
			if resp.Status != http.StatusNotFound {
				t.Fatalf("status %d, want 404; body %s", resp.Status, resp.Body)
			}
			if got := resp.Problem(t).Detail; got != tt.want {
				t.Errorf("detail %q, want %q", got, tt.want)
			}
		})
	}
}

// The answers that hand out a token carry the player as stored, created_at
// included: what GET /players/{id} gives.
func TestTokenAnswersCarryThePlayerAsStored(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	start := time.Now()
	p := newPlayer(t, s, "Kira", "Sato")
	stored := getPlayer(t, s, p.path)
	if !p.CreatedAt.Equal(stored.CreatedAt) || p.CreatedAt.Before(start.Add(-time.Minute)) || p.CreatedAt.After(time.Now().Add(time.Minute)) {
		t.Errorf("POST /players: created_at %v, GET gives %v; want the same, about now (%v)", p.CreatedAt, stored.CreatedAt, start)
	}
	resp := s.Do(t, apitest.Request{Method: "POST", Path: p.path + "/token", Token: p.Token})
	if resp.Status != http.StatusOK {
		t.Fatalf("replace token: %d %s", resp.Status, resp.Body)
	}
	var replaced player
	resp.JSON(t, &replaced.NewPlayerResult)
	if !replaced.CreatedAt.Equal(stored.CreatedAt) || replaced.Id != p.Id || replaced.FirstName != "Kira" || replaced.LastName != "Sato" {
		t.Errorf("POST %s/token: %+v, want the player as stored (%+v)", p.path, replaced.NewPlayerResult, stored)
	}
}
