package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/ninjagold/ninjagold-api/generated/client"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// The generated Go client plays a game end to end, which proves the client
// generated from the contract works against the server built from it.
func TestGeneratedClientPlaysAGame(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	c := s.Client(t)
	ctx := context.Background()

	locs, err := c.ListLocationsWithResponse(ctx, &client.ListLocationsParams{})
	if err != nil || locs.JSON200 == nil {
		t.Fatalf("list locations: %v %v", err, locs.Status())
	}
	var farm client.Location
	for _, l := range locs.JSON200.Items {
		if l.Name == "Farm" {
			farm = l
		}
	}
	if farm.ID == 0 {
		t.Fatalf("no Farm in %+v", locs.JSON200.Items)
	}

	// CSV has no typed form: it is the body as sent.
	asCSV := func(_ context.Context, req *http.Request) error {
		req.Header.Set("Accept", "text/csv")
		return nil
	}
	csv, err := c.ListLocationsWithResponse(ctx, &client.ListLocationsParams{}, asCSV)
	if err != nil || csv.StatusCode() != http.StatusOK || !strings.HasPrefix(string(csv.Body), "id,name,min_gold,max_gold,") {
		t.Fatalf("list locations as CSV: %v %d %q", err, csv.StatusCode(), csv.Body)
	}

	created, err := c.CreatePlayerWithResponse(ctx, nil, client.NewPlayer{FirstName: "Hattori", LastName: "Hanzo"})
	if err != nil || created.JSON201 == nil {
		t.Fatalf("create player: %v %s", err, created.Body)
	}
	me := created.JSON201
	auth := func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+me.Token)
		return nil
	}

	var total int64
	for i := range 2 {
		v, err := c.CreateVisitWithResponse(ctx, me.ID, &client.CreateVisitParams{}, client.NewVisit{LocationID: farm.ID}, auth)
		if err != nil || v.JSON201 == nil {
			t.Fatalf("visit %d: %v %s", i, err, v.Body)
		}
		if v.JSON201.Gold < farm.MinGold || v.JSON201.Gold > farm.MaxGold {
			t.Errorf("visit moved %d, outside the Farm's [%d, %d]", v.JSON201.Gold, farm.MinGold, farm.MaxGold)
		}
		total += int64(v.JSON201.Gold)
	}
	got, err := c.GetPlayerWithResponse(ctx, me.ID, nil)
	if err != nil || got.JSON200 == nil || got.JSON200.Gold != total {
		t.Fatalf("player = %v %s, want gold %d", err, got.Body, total)
	}

	// A new token: the old one stops working at once.
	replaced, err := c.ReplacePlayerTokenWithResponse(ctx, me.ID, &client.ReplacePlayerTokenParams{}, auth)
	if err != nil || replaced.JSON200 == nil || replaced.JSON200.ID != me.ID || replaced.JSON200.Token == me.Token {
		t.Fatalf("replace token: %v %d %s", err, replaced.StatusCode(), replaced.Body)
	}
	old, err := c.CreateVisitWithResponse(ctx, me.ID, &client.CreateVisitParams{}, client.NewVisit{LocationID: farm.ID}, auth)
	if err != nil || old.ApplicationProblemJSON401 == nil {
		t.Fatalf("visit with the replaced token: %v %d %s", err, old.StatusCode(), old.Body)
	}
	me.Token = replaced.JSON200.Token

	bad, err := c.CreatePlayerWithResponse(ctx, nil, client.NewPlayer{FirstName: "A", LastName: "B"})
	if err != nil || bad.ApplicationProblemJSON400 == nil {
		t.Fatalf("bad player: %v %d %s", err, bad.StatusCode(), bad.Body)
	}
	if msg := bad.ApplicationProblemJSON400.Errors["first_name"]; msg != "first name must be at least 2 characters long" {
		t.Errorf("errors.first_name = %q", msg)
	}

	// A player has no ETag: a delete on the condition that it has one is
	// refused, and the player stays.
	tag := `"1"`
	kept, err := c.DeletePlayerWithResponse(ctx, me.ID, &client.DeletePlayerParams{IfMatch: &tag}, auth)
	if err != nil || kept.ApplicationProblemJSON412 == nil {
		t.Fatalf("conditional delete: %v %d %s", err, kept.StatusCode(), kept.Body)
	}
	if got, err := c.GetPlayerWithResponse(ctx, me.ID, nil); err != nil || got.JSON200 == nil {
		t.Fatalf("player after a refused delete: %v %d", err, got.StatusCode())
	}
	// A read's preconditions: the player exists and has no entity tag.
	star, tag := "*", `"1"`
	if got, err := c.GetPlayerWithResponse(ctx, me.ID, &client.GetPlayerParams{IfNoneMatch: &star}); err != nil ||
		got.StatusCode() != http.StatusNotModified || len(got.Body) != 0 {
		t.Fatalf("player with If-None-Match: *: %v %d %s, want 304 without a body", err, got.StatusCode(), got.Body)
	}
	if got, err := c.GetPlayerWithResponse(ctx, me.ID, &client.GetPlayerParams{IfMatch: &tag}); err != nil ||
		got.ApplicationProblemJSON412 == nil || got.ApplicationProblemJSON412.Errors["If-Match"] == "" {
		t.Fatalf("player with If-Match: %s: %v %d %s, want 412 naming If-Match", tag, err, got.StatusCode(), got.Body)
	}
}
