package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// The type of every problem the API answers leads to a page for people
// (RFC 9457: a type that can be dereferenced should): each type the
// contract's Problem lists is served as HTML naming it, with its title
// and statuses, under a policy that lets the page load and run nothing;
// HEAD and If-None-Match work as on /docs. A name no problem has is a 404,
// and one that could not be a name a 400. The types are the contract's
// (its Problem schema's enum), the titles those of the problems the server
// answers here, so that neither side is taken from the code under test.
func TestProblemTypesLeadToTheirPages(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	types := doc.Components.Schemas["Problem"].Value.Properties["type"].Value.Enum
	if len(types) < 10 {
		t.Fatalf("the contract's Problem lists %d types, want them all", len(types))
	}
	for _, typ := range types {
		path := typ.(string)
		resp := s.Do(t, apitest.Request{Method: "GET", Path: path})
		body := string(resp.Body)
		if resp.Status != http.StatusOK || resp.Header.Get("Content-Type") != "text/html" ||
			!strings.Contains(body, "<code>"+path+"</code>") || !strings.Contains(body, "<dt>") {
			t.Errorf("GET %s: %d %q %.200s, want 200, an HTML page naming it and its statuses", path, resp.Status, resp.Header.Get("Content-Type"), body)
		}
		if got := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(got, "default-src 'none';") || strings.Contains(got, "script-src") {
			t.Errorf("GET %s: Content-Security-Policy %q, want nothing loaded or run", path, got)
		}
		tag := resp.Header.Get("ETag")
		if again := s.Do(t, apitest.Request{Method: "GET", Path: path, Header: map[string]string{"If-None-Match": tag}}); tag == "" || again.Status != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match %q: %d, want 304", path, tag, again.Status)
		}
		if head := s.Do(t, apitest.Request{Method: "HEAD", Path: path}); head.Status != http.StatusOK || len(head.Body) != 0 || head.Header.Get("ETag") != tag {
			t.Errorf("HEAD %s: %d, %d bytes, ETag %q; want 200, no body, %q", path, head.Status, len(head.Body), head.Header.Get("ETag"), tag)
		}
	}

	// Problems the server answers: each type's page has its title and status.
	for _, req := range []apitest.Request{
		{Method: "GET", Path: "/nowhere"},
		{Method: "POST", Path: "/players", Body: `{}`},
		{Method: "DELETE", Path: "/locations/1"},
		{Method: "GET", Path: "/locations", Header: map[string]string{"Accept": "image/png"}},
	} {
		p := s.Do(t, req).Problem(t)
		page := string(s.Do(t, apitest.Request{Method: "GET", Path: string(p.Type)}).Body)
		if !strings.Contains(page, "<title>"+p.Title+" ("+string(p.Type)+")</title>") || !strings.Contains(page, "<dt>"+strconv.Itoa(int(p.Status))+"</dt>") {
			t.Errorf("%s %s answered %s (%q, %d); its page does not give that title and status:\n%s", req.Method, req.Path, p.Type, p.Title, p.Status, page)
		}
	}

	for _, c := range []struct {
		path   string
		status int
		field  string
	}{
		{"/problems/no-such-problem", http.StatusNotFound, ""},
		{"/problems/Not_Found", http.StatusBadRequest, "problem"},
		{"/problems/" + strings.Repeat("a", 65), http.StatusBadRequest, "problem"},
	} {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: c.path})
		if resp.Status != c.status {
			t.Errorf("GET %s: %d %s, want %d", c.path, resp.Status, resp.Body, c.status)
			continue
		}
		if p := resp.Problem(t); c.field != "" && p.Errors[c.field] == "" {
			t.Errorf("GET %s: errors %v, want one for %s", c.path, p.Errors, c.field)
		}
	}
}
