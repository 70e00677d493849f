package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

func createLocation(t *testing.T, s *apitest.Server, body string) (generated.Location, *apitest.Response) {
	t.Helper()
	resp := s.Do(t, apitest.Request{Method: "POST", Path: "/locations", Token: admin, Body: body})
	if resp.Status != http.StatusCreated {
		t.Fatalf("create location: status %d, body %s", resp.Status, resp.Body)
	}
	var l generated.Location
	resp.JSON(t, &l)
	return l, resp
}

func TestLocationLifecycle(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})

	l, resp := createLocation(t, s, `{"name":"Dojo","min_gold":15,"max_gold":30,"description":"Spar with the masters."}`)
	if got, want := resp.Header.Get("Location"), fmt.Sprintf("/locations/%d", l.Id); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	etag1 := resp.Header.Get("ETag")
	if etag1 == "" {
		t.Fatal("no ETag on 201")
	}
	path := fmt.Sprintf("/locations/%d", l.Id)

	t.Run("get returns the same ETag", func(t *testing.T) {
		got := s.Do(t, apitest.Request{Method: "GET", Path: path})
		if got.Status != 200 || got.Header.Get("ETag") != etag1 {
			t.Errorf("status, ETag = %d, %q; want 200, %q", got.Status, got.Header.Get("ETag"), etag1)
		}
	})
	t.Run("If-None-Match with the current tag answers 304 without a body", func(t *testing.T) {
		for _, inm := range []string{etag1, "W/" + etag1, `"nope", ` + etag1, "*"} {
			got := s.Do(t, apitest.Request{Method: "GET", Path: path, Header: map[string]string{"If-None-Match": inm}})
			if got.Status != http.StatusNotModified || len(got.Body) != 0 || got.Header.Get("ETag") != etag1 {
				t.Errorf("If-None-Match %s: status %d, %d bytes, ETag %q; want 304, 0, %q", inm, got.Status, len(got.Body), got.Header.Get("ETag"), etag1)
			}
		}
	})
	t.Run("If-None-Match with another tag answers 200", func(t *testing.T) {
		got := s.Do(t, apitest.Request{Method: "GET", Path: path, Header: map[string]string{"If-None-Match": `"999"`}})
		if got.Status != 200 {
			t.Errorf("status = %d, want 200", got.Status)
		}
	})

	var etag2 string
	t.Run("PUT with the current If-Match replaces every field", func(t *testing.T) {
		got := s.Do(t, apitest.Request{Method: "PUT", Path: path, Token: admin, Header: map[string]string{"If-Match": etag1},
			Body: `{"name":"Grand Dojo","min_gold":20,"max_gold":40}`})
		if got.Status != 200 {
			t.Fatalf("status = %d, body %s", got.Status, got.Body)
		}
		var u generated.Location
		got.JSON(t, &u)
		if u.Name != "Grand Dojo" || u.MinGold != 20 || u.MaxGold != 40 || u.Description != "" {
			t.Errorf("replaced = %+v, want Grand Dojo 20..40 with no description", u)
		}
		etag2 = got.Header.Get("ETag")
		if etag2 == etag1 || etag2 == "" {
			t.Errorf("ETag after PUT = %q, want a new tag (was %q)", etag2, etag1)
		}
	})
	t.Run("PUT with a stale If-Match is refused and changes nothing", func(t *testing.T) {
		got := s.Do(t, apitest.Request{Method: "PUT", Path: path, Token: admin, Header: map[string]string{"If-Match": etag1},
			Body: `{"name":"Lost Update","min_gold":1,"max_gold":2}`})
		if got.Status != http.StatusPreconditionFailed {
			t.Fatalf("status = %d, want 412", got.Status)
		}
		if got.Header.Get("ETag") != etag2 {
			t.Errorf("412 ETag = %q, want the current %q", got.Header.Get("ETag"), etag2)
		}
		if p := got.Problem(t); p.Errors["If-Match"] == "" {
			t.Errorf("errors = %v, want an If-Match message", p.Errors)
		}
		var cur generated.Location
		s.Do(t, apitest.Request{Method: "GET", Path: path}).JSON(t, &cur)
		if cur.Name != "Grand Dojo" {
			t.Errorf("name after refused PUT = %q, want Grand Dojo", cur.Name)
		}
	})
	t.Run("PATCH merges, and null clears the description", func(t *testing.T) {
		merge := map[string]string{"Content-Type": "application/merge-patch+json"}
		got := s.Do(t, apitest.Request{Method: "PATCH", Path: path, Token: admin, Header: merge,
			Body: `{"max_gold":50,"description":"Spar."}`})
		var u generated.Location
		got.JSON(t, &u)
		if got.Status != 200 || u.Name != "Grand Dojo" || u.MinGold != 20 || u.MaxGold != 50 || u.Description != "Spar." {
			t.Fatalf("after patch: %d %+v", got.Status, u)
		}
		// The 200 carries the new version's tag: the one a GET now gives.
		etag3 := got.Header.Get("ETag")
		if cur := s.Do(t, apitest.Request{Method: "GET", Path: path}); etag3 == etag2 || cur.Header.Get("ETag") != etag3 {
			t.Errorf("ETag after PATCH = %q (before %q), GET gives %q; want a new tag, the same as GET's", etag3, etag2, cur.Header.Get("ETag"))
		}
		got = s.Do(t, apitest.Request{Method: "PATCH", Path: path, Token: admin, Header: merge, Body: `{"description":null}`})
		got.JSON(t, &u)
		if got.Status != 200 || u.Description != "" || u.MaxGold != 50 {
			t.Errorf("after null description: %d %+v", got.Status, u)
		}
	})
	// A patch of one end that would put the range the wrong way round is
	// refused under the member it sent, naming the other end as stored
	// (20 to 50 here), and changes nothing.
	for _, tt := range []struct{ body, key, want string }{
		{`{"min_gold":51}`, "min_gold", "min gold must be at most 50, the max gold"},
		{`{"max_gold":19}`, "max_gold", "max gold must be at least 20, the min gold"},
		{`{"max_gold":19,"name":"Moved"}`, "max_gold", "max gold must be at least 20, the min gold"},
	} {
		t.Run("PATCH "+tt.body+" is refused under "+tt.key+" and changes nothing", func(t *testing.T) {
			before := s.Do(t, apitest.Request{Method: "GET", Path: path})
			got := s.Do(t, apitest.Request{Method: "PATCH", Path: path, Token: admin,
				Header: map[string]string{"Content-Type": "application/merge-patch+json"}, Body: tt.body})
			if got.Status != 400 {
				t.Fatalf("status %d, body %s", got.Status, got.Body)
			}
			if errs, want := got.Problem(t).Errors, map[string]string{tt.key: tt.want}; !maps.Equal(errs, want) {
				t.Errorf("errors %v, want %v", errs, want)
			}
			after := s.Do(t, apitest.Request{Method: "GET", Path: path})
			if string(after.Body) != string(before.Body) || after.Header.Get("ETag") != before.Header.Get("ETag") {
				t.Errorf("the refused patch changed the location: %s, then %s", before.Body, after.Body)
			}
		})
	}
	t.Run("PATCH with a null name is a field error", func(t *testing.T) {
		got := s.Do(t, apitest.Request{Method: "PATCH", Path: path, Token: admin,
			Header: map[string]string{"Content-Type": "application/merge-patch+json"}, Body: `{"name":null}`})
		if got.Status != 400 || got.Problem(t).Errors["name"] != "name must not be null" {
			t.Errorf("status %d, body %s", got.Status, got.Body)
		}
	})
	t.Run("DELETE with a stale If-Match is refused", func(t *testing.T) {
		got := s.Do(t, apitest.Request{Method: "DELETE", Path: path, Token: admin, Header: map[string]string{"If-Match": etag1}})
		if got.Status != http.StatusPreconditionFailed {
			t.Errorf("status = %d, want 412", got.Status)
		}
	})
	t.Run("DELETE answers 204 and the location is gone", func(t *testing.T) {
		if got := s.Do(t, apitest.Request{Method: "DELETE", Path: path, Token: admin}); got.Status != http.StatusNoContent {
			t.Fatalf("delete status = %d, want 204", got.Status)
		}
		if got := s.Do(t, apitest.Request{Method: "GET", Path: path}); got.Status != http.StatusNotFound {
			t.Errorf("get after delete = %d, want 404", got.Status)
		}
		if got := s.Do(t, apitest.Request{Method: "DELETE", Path: path, Token: admin}); got.Status != http.StatusNotFound {
			t.Errorf("second delete = %d, want 404", got.Status)
		}
	})
}

// A location's name is unique: a write giving it one another location has
// is a 400 under name, after the other checks, and writes nothing.
func TestLocationNamesAreUnique(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	dojo, _ := createLocation(t, s, `{"name":"Dojo","min_gold":1,"max_gold":2}`)
	temple, created := createLocation(t, s, `{"name":"Temple","min_gold":3,"max_gold":4}`)
	templePath := fmt.Sprintf("/locations/%d", temple.Id)
	etag := created.Header.Get("ETag")
	list := func() string {
		return string(s.Do(t, apitest.Request{Method: "GET", Path: "/locations?limit=100"}).Body)
	}
	before := list()

	taken := map[string]string{"name": "name must be unique: another location has it"}
	for _, tt := range []struct {
		name         string
		method, path string
		header       map[string]string
		body         string
		status       int
		errors       map[string]string
	}{
		{"create with a seeded location's name", "POST", "/locations", nil, `{"name":"Farm","min_gold":1,"max_gold":2}`, 400, taken},
		{"create with a created location's name", "POST", "/locations", nil, `{"name":"Dojo","min_gold":1,"max_gold":2}`, 400, taken},
		{"replace with another's name", "PUT", templePath, nil, `{"name":"Dojo","min_gold":3,"max_gold":4}`, 400, taken},
		{"patch to another's name", "PATCH", templePath, map[string]string{"Content-Type": "application/merge-patch+json"}, `{"name":"Farm","max_gold":9}`, 400, taken},
		// The other checks come first: each answers alone.
		{"a taken name with min above max", "POST", "/locations", nil, `{"name":"Dojo","min_gold":3,"max_gold":2}`, 400,
			map[string]string{"min_gold": "min gold must be less than or equal to max gold"}},
		{"a taken name with a stale If-Match", "PUT", templePath, map[string]string{"If-Match": `"999"`}, `{"name":"Dojo","min_gold":3,"max_gold":4}`, 412, nil},
		{"a taken name with If-None-Match: *", "PUT", templePath, map[string]string{"If-None-Match": "*"}, `{"name":"Dojo","min_gold":3,"max_gold":4}`, 412, nil},
		{"a taken name in a patch setting one end below the other", "PATCH", templePath, map[string]string{"Content-Type": "application/merge-patch+json"},
			`{"name":"Dojo","max_gold":2}`, 400, map[string]string{"max_gold": "max gold must be at least 3, the min gold"}},
		{"a taken name for a location that does not exist", "PUT", "/locations/999", nil, `{"name":"Dojo","min_gold":3,"max_gold":4}`, 404, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Do(t, apitest.Request{Method: tt.method, Path: tt.path, Token: admin, Header: tt.header, Body: tt.body})
			if got.Status != tt.status {
				t.Fatalf("status %d, want %d; body %s", got.Status, tt.status, got.Body)
			}
			if errs := got.Problem(t).Errors; tt.errors != nil && !maps.Equal(errs, tt.errors) {
				t.Errorf("errors %v, want %v", errs, tt.errors)
			}
		})
	}
	if after := list(); after != before {
		t.Errorf("the refused writes changed the locations:\nbefore %s\nafter  %s", before, after)
	}
	if got := s.Do(t, apitest.Request{Method: "GET", Path: templePath}); got.Header.Get("ETag") != etag {
		t.Errorf("Temple's ETag %q after the refused writes, want %q", got.Header.Get("ETag"), etag)
	}

	// A location keeps its name in a replace of its other fields, and a
	// name freed by a rename may be taken.
	if got := s.Do(t, apitest.Request{Method: "PUT", Path: fmt.Sprintf("/locations/%d", dojo.Id), Token: admin, Body: `{"name":"Dojo","min_gold":1,"max_gold":5}`}); got.Status != 200 {
		t.Errorf("replace keeping the name: status %d, body %s", got.Status, got.Body)
	}
	if got := s.Do(t, apitest.Request{Method: "PATCH", Path: templePath, Token: admin, Header: map[string]string{"Content-Type": "application/merge-patch+json"}, Body: `{"name":"Old Temple"}`}); got.Status != 200 {
		t.Errorf("rename: status %d, body %s", got.Status, got.Body)
	}
	createLocation(t, s, `{"name":"Temple","min_gold":3,"max_gold":4}`)
}

// A description is kept as sent, white space alone included: nothing
// trims it on the way in or out.
func TestDescriptionsAreKeptAsSent(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	for i, desc := range []string{" ", "\t", " Spar. ", "\n\n"} {
		body, _ := json.Marshal(map[string]any{"name": fmt.Sprintf("Dojo %d", i), "min_gold": 1, "max_gold": 2, "description": desc})
		l, _ := createLocation(t, s, string(body))
		var got generated.Location
		s.Do(t, apitest.Request{Method: "GET", Path: fmt.Sprintf("/locations/%d", l.Id)}).JSON(t, &got)
		if l.Description != desc || got.Description != desc {
			t.Errorf("description %q: created %q, read back %q", desc, l.Description, got.Description)
		}
	}
}

// Pages follow next_cursor (and the Link header) to the end with no
// duplicates or gaps, in JSON and in CSV.
func TestLocationPagination(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	for i := range 7 {
		createLocation(t, s, fmt.Sprintf(`{"name":"Place %d","min_gold":1,"max_gold":2}`, i))
	}
	var ids []int64
	path := "/locations?limit=3"
	for pages := 0; path != ""; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		resp := s.Do(t, apitest.Request{Method: "GET", Path: path})
		var page generated.LocationList
		resp.JSON(t, &page)
		for _, l := range page.Items {
			ids = append(ids, l.Id)
		}
		link := resp.Header.Get("Link")
		if page.NextCursor.IsNull() {
			if link != "" {
				t.Errorf("last page has Link %q", link)
			}
			path = ""
			continue
		}
		next, _ := page.NextCursor.Get()
		want := "</locations?cursor=" + next + `&limit=3>; rel="next"`
		if link != want {
			t.Errorf("Link = %q, want %q", link, want)
		}
		path = strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
	}
	if len(ids) != 11 {
		t.Fatalf("got %d locations over all pages, want 11: %v", len(ids), ids)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Errorf("ids not strictly ascending: %v", ids)
		}
	}

	t.Run("CSV pages carry the same rows", func(t *testing.T) {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations?limit=3", Header: map[string]string{"Accept": "text/csv"}})
		if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Fatalf("Content-Type = %q, want text/csv; charset=utf-8", ct)
		}
		rows, err := csv.NewReader(strings.NewReader(string(resp.Body))).ReadAll()
		if err != nil {
			t.Fatalf("parse CSV: %v", err)
		}
		if len(rows) != 4 || strings.Join(rows[0], ",") != "id,name,min_gold,max_gold,description,created_at,updated_at" {
			t.Fatalf("rows = %v, want a header and 3 rows", rows)
		}
		if rows[1][1] != "Farm" || rows[1][2] != "10" || rows[1][3] != "20" {
			t.Errorf("first row = %v, want Farm 10 20", rows[1])
		}
		if resp.Header.Get("Link") == "" {
			t.Error("CSV page without Link to the next page")
		}
	})
}

// csvType is how the contract offers CSV: text/csv alone would mean US-ASCII.
const csvType = "text/csv; charset=utf-8"

func TestNegotiation(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	tests := []struct {
		accept string
		want   string
	}{
		{"", "application/json"},
		{", ,", "application/json"}, // an empty list, as "" is (RFC 9110 §5.6.1.2)
		{"*/*", "application/json"},
		{"text/*", csvType},
		{"text/csv", csvType},
		{"application/json;q=0.5, text/csv", csvType},
		{"text/csv;q=0.1, application/*", "application/json"},
		{"text/html, application/json", "application/json"},
		// Parameters in a range must be the offer's (RFC 9110 §12.5.1).
		{"text/csv; charset=utf-8", csvType},
		{"text/csv;charset=UTF-8", csvType},
		{`text/csv; charset="utf-8"`, csvType},
		{`text/csv; charset="utf\-8"`, csvType}, // a quoted-pair: utf-8
		{"TEXT/CSV", csvType},
		{"text/csv; charset=iso-8859-1, application/json;q=0.1", "application/json"},
		{"text/csv; header=present, application/json;q=0.1", "application/json"},
		// JSON is UTF-8 whatever the charset says (RFC 8259 §11), and
		// everything else the server sends without a charset is UTF-8.
		{"application/json; charset=utf-8", "application/json"},
		{"application/json;charset=UTF-8", "application/json"},
		{"application/json; charset=iso-8859-1", "application/json"},
		{"*/*; charset=utf-8", "application/json"},
		{"*/*; charset=iso-8859-1", "application/json"},
		// The range with more parameters is the more specific one.
		{"text/csv;q=0.2, text/csv;charset=utf-8;q=0.9, application/json;q=0.5", csvType},
		{"text/csv;q=0.9, text/csv;charset=utf-8;q=0.2, application/json;q=0.5", "application/json"},
		// A weight outside RFC 9110's 0 to 1 (§12.4.2) is read, by this
		// service's choice, as no weight: the range counts as q=1, neither
		// winning over the others nor dropping out.
		{"text/csv;q=2, application/json", "application/json"},
		{"text/csv;q=1.5", csvType},
		{"text/csv;q=-1", csvType},
		{"text/csv;q=-1, application/json;q=0.5", csvType},
		// A quote that opens no parameter's value opens no quoted string,
		// so the commas between two of them still separate ranges.
		{`x"y, text/csv, z"w`, csvType},
	}
	for _, tt := range tests {
		t.Run("Accept "+tt.accept, func(t *testing.T) {
			resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations", Header: map[string]string{"Accept": tt.accept}})
			if resp.Status != 200 || resp.Header.Get("Content-Type") != tt.want {
				t.Errorf("got %d %q, want 200 %q", resp.Status, resp.Header.Get("Content-Type"), tt.want)
			}
		})
	}
	for _, accept := range []string{
		"text/csv; charset=iso-8859-1",
		"text/csv;charset=utf-8;q=0, application/json;q=0",
		// An escaped quote does not end a quoted string: the commas up to
		// the closing quote are in it, and the whole is one text/html range.
		`text/html; a="\", application/json, b"`,
		// Only a charset is waived for JSON, not any other parameter.
		"application/json; profile=x",
		// A wildcard type matches only with a wildcard subtype.
		"*/json",
	} {
		t.Run("Accept "+accept, func(t *testing.T) {
			resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations", Header: map[string]string{"Accept": accept}})
			if resp.Status != 406 {
				t.Errorf("got %d %q, want 406", resp.Status, resp.Header.Get("Content-Type"))
			}
		})
	}
}

// A PUT of what is already there, or an empty merge patch, is no new
// version: the ETag clients hold stays current.
func TestNoOpWritesKeepTheETag(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	l, created := createLocation(t, s, `{"name":"Dojo","min_gold":15,"max_gold":30,"description":"Spar."}`)
	etag := created.Header.Get("ETag")
	path := fmt.Sprintf("/locations/%d", l.Id)
	merge := map[string]string{"Content-Type": "application/merge-patch+json"}
	for _, req := range []apitest.Request{
		{Method: "PUT", Path: path, Token: admin, Body: `{"name":"Dojo","min_gold":15,"max_gold":30,"description":"Spar."}`},
		{Method: "PATCH", Path: path, Token: admin, Header: merge, Body: `{}`},
		{Method: "PATCH", Path: path, Token: admin, Header: merge, Body: `{"max_gold":30}`},
	} {
		if resp := s.Do(t, req); resp.Status != 200 || resp.Header.Get("ETag") != etag {
			t.Errorf("%s %s: %d ETag %q, want 200 and the unchanged %q", req.Method, req.Body, resp.Status, resp.Header.Get("ETag"), etag)
		}
	}
	if resp := s.Do(t, apitest.Request{Method: "PATCH", Path: path, Token: admin, Header: merge, Body: `{"max_gold":31}`}); resp.Header.Get("ETag") == etag {
		t.Errorf("a real change kept the ETag %q", etag)
	}
}

// TestWholeNumbersWrittenAsDecimals: JSON Schema counts 1.0 and 2e0 as
// integers, so the contract accepts them wherever it wants one, and the
// server takes them as the integers they are (a Python client sends 1.0
// for a float that holds 1). Faults beside them are all reported at once.
func TestWholeNumbersWrittenAsDecimals(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	l, _ := createLocation(t, s, `{"name":"Dojo","min_gold":1.0,"max_gold":2e1}`)
	if l.MinGold != 1 || l.MaxGold != 20 {
		t.Fatalf("created %+v, want min 1 and max 20", l)
	}
	path := fmt.Sprintf("/locations/%d", l.Id)
	resp := s.Do(t, apitest.Request{Method: "PATCH", Path: path, Token: admin,
		Header: map[string]string{"Content-Type": "application/merge-patch+json"}, Body: `{"max_gold":300E-1}`})
	if resp.Status != 200 {
		t.Fatalf("PATCH max_gold 300E-1: %d %s", resp.Status, resp.Body)
	}
	resp.JSON(t, &l)
	if l.MaxGold != 30 {
		t.Errorf("max_gold = %d after PATCH 300E-1, want 30", l.MaxGold)
	}

	resp = s.Do(t, apitest.Request{Method: "POST", Path: "/locations", Token: admin,
		Body: `{"name":"D","min_gold":1.0,"max_gold":2.5}`})
	want := map[string]string{
		"name":     "name must be at least 2 characters long",
		"max_gold": "max gold must be an integer",
	}
	if got := resp.Problem(t).Errors; resp.Status != 400 || !maps.Equal(got, want) {
		t.Errorf("name D, 1.0 and 2.5: %d %s, want 400 with %v", resp.Status, resp.Body, want)
	}

	// A visit to 1.0 is a visit to 1, and the same request as one to 1 for
	// its Idempotency-Key.
	p := newPlayer(t, s, "Hattori", "Hanzo")
	resp = s.Do(t, apitest.Request{Method: "POST", Path: p.path + "/visits", Token: p.Token,
		Header: map[string]string{"Idempotency-Key": "k"}, Body: `{"location_id":1.0}`})
	var v generated.Visit
	if resp.Status != http.StatusCreated {
		t.Fatalf("visit location 1.0: %d %s", resp.Status, resp.Body)
	}
	resp.JSON(t, &v)
	if v.LocationId != 1 {
		t.Errorf("visit to location 1.0 went to %d", v.LocationId)
	}
	replay, again := visit(t, s, p, 1, "k")
	if replay.Header.Get("Idempotent-Replayed") != "true" || again.Id != v.Id {
		t.Errorf("the same key with location 1 made visit %d (replayed %q), want a replay of %d",
			again.Id, replay.Header.Get("Idempotent-Replayed"), v.Id)
	}

	// A number whose value has a fraction is no integer, though a float64
	// rounds it to one (kin-openapi's check reads it so): refused, and
	// nothing changes.
	before := s.Do(t, apitest.Request{Method: "GET", Path: p.path + "/visits"})
	for _, tt := range []struct{ method, path, token, body, field string }{
		{"POST", p.path + "/visits", p.Token, `{"location_id":0.99999999999999999}`, "location_id"},
		{"POST", p.path + "/visits", p.Token, `{"location_id":3.9999999999999999}`, "location_id"},
		{"POST", p.path + "/visits", p.Token, `{"location_id":1.0000000000000001}`, "location_id"},
		{"PUT", path, admin, `{"name":"Dojo","min_gold":-5,"max_gold":1000000.00000000001}`, "max_gold"},
		{"POST", "/locations", admin, `{"name":"Dojo","min_gold":1e-400,"max_gold":2}`, "min_gold"},
	} {
		resp := s.Do(t, apitest.Request{Method: tt.method, Path: tt.path, Token: tt.token, Body: tt.body})
		want := map[string]string{tt.field: label(tt.field) + " must be an integer"}
		if got := resp.Problem(t).Errors; resp.Status != 400 || !maps.Equal(got, want) {
			t.Errorf("%s %s %s: %d %s, want 400 with %v", tt.method, tt.path, tt.body, resp.Status, resp.Body, want)
		}
	}
	if after := s.Do(t, apitest.Request{Method: "GET", Path: p.path + "/visits"}); string(after.Body) != string(before.Body) {
		t.Errorf("refused visits changed the log:\nbefore %s\nafter  %s", before.Body, after.Body)
	}
	if resp := s.Do(t, apitest.Request{Method: "GET", Path: path}); !strings.Contains(string(resp.Body), `"max_gold":30,`) {
		t.Errorf("the refused PUT changed the location: %s", resp.Body)
	}
}

// label is a member's name as the messages word it.
func label(name string) string { return strings.ReplaceAll(name, "_", " ") }

// TestCSVRowsAreTheJSONRows: each list's CSV page holds the rows of its JSON
// page, column by column, each column under the name of the JSON member it
// carries. The location is changed after it is made, so that updated_at and
// created_at differ: a column filled from the wrong one shows.
func TestCSVRowsAreTheJSONRows(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	l, _ := createLocation(t, s, `{"name":"Dojo","min_gold":1,"max_gold":2,"description":"Spar, \"hard\"."}`)
	patched := s.Do(t, apitest.Request{Method: "PATCH", Path: fmt.Sprintf("/locations/%d", l.Id), Token: admin,
		Header: map[string]string{"Content-Type": "application/merge-patch+json"}, Body: `{"max_gold":3}`})
	var pl generated.Location
	patched.JSON(t, &pl)
	if patched.Status != http.StatusOK || pl.UpdatedAt.Equal(pl.CreatedAt) {
		t.Fatalf("PATCH: %d, created_at %v, updated_at %v; want 200 and the two apart", patched.Status, pl.CreatedAt, pl.UpdatedAt)
	}
	p := newPlayer(t, s, "Hattori", "Hanzo")
	for range 3 {
		if resp, _ := visit(t, s, p, l.Id, ""); resp.Status != http.StatusCreated {
			t.Fatalf("visit: %d %s", resp.Status, resp.Body)
		}
	}

	for _, c := range []struct{ path, token string }{
		{"/locations?limit=100", ""},
		{p.path + "/visits?limit=100", p.Token},
	} {
		t.Run(c.path, func(t *testing.T) {
			asJSON := s.Do(t, apitest.Request{Method: "GET", Path: c.path, Token: c.token})
			var page struct {
				Items []map[string]any `json:"items"`
			}
			dec := json.NewDecoder(bytes.NewReader(asJSON.Body))
			dec.UseNumber()
			if err := dec.Decode(&page); err != nil || asJSON.Status != http.StatusOK {
				t.Fatalf("JSON page: %d %v", asJSON.Status, err)
			}
			asCSV := s.Do(t, apitest.Request{Method: "GET", Path: c.path, Token: c.token, Header: map[string]string{"Accept": "text/csv"}})
			rows, err := csv.NewReader(bytes.NewReader(asCSV.Body)).ReadAll()
			if err != nil || asCSV.Status != http.StatusOK {
				t.Fatalf("CSV page: %d %v", asCSV.Status, err)
			}
			header, rows := rows[0], rows[1:]
			if len(rows) != len(page.Items) || len(rows) < 3 {
				t.Fatalf("%d CSV rows and %d JSON items; want the same, 3 at least", len(rows), len(page.Items))
			}
			for i, item := range page.Items {
				if len(item) != len(header) {
					t.Errorf("item %d has members %v, the CSV columns %v", i, slices.Sorted(maps.Keys(item)), header)
				}
				for j, name := range header {
					if _, ok := item[name]; !ok {
						t.Errorf("item %d has no member %s, a CSV column", i, name)
						continue
					}
					if got, want := rows[i][j], csvOf(item[name]); got != want && !sameInstant(got, want) {
						t.Errorf("row %d, column %s: CSV %q, JSON %q", i, name, got, want)
					}
				}
			}
		})
	}
}

// csvOf is a JSON member's value as a CSV field: null and absent empty.
func csvOf(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case json.Number:
		return v.String()
	case string:
		return v
	}
	return fmt.Sprint(v)
}

// sameInstant reports whether a and b are RFC 3339 timestamps of one
// instant, however each is written.
func sameInstant(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	return errA == nil && errB == nil && ta.Equal(tb)
}
