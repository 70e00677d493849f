package api_test

import (
	"html"
	"net/http"
	"regexp"
	"slices"
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
// HEAD, If-None-Match, If-Match, Accept and OPTIONS work as on /docs. A
// name no problem has is a 404, and one that could not be a name a 400.
// The types are the contract's (its Problem schema's enum), the statuses
// those its problem responses give each type, the titles those of the
// problems the server answers here: none taken from the code under test.
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
	// The statuses the contract gives each type, from its problem
	// responses' examples.
	statuses := map[string][]string{}
	for _, ref := range doc.Components.Responses {
		mt := ref.Value.Content.Get("application/problem+json")
		if mt == nil {
			continue
		}
		ex, _ := mt.Example.(map[string]any)
		typ, _ := ex["type"].(string)
		status, _ := ex["status"].(float64)
		if code := strconv.Itoa(int(status)); typ != "" && !slices.Contains(statuses[typ], code) {
			statuses[typ] = append(statuses[typ], code)
		}
	}
	listed := regexp.MustCompile(`<dt>(\d+)</dt>`)
	for _, typ := range types {
		path := typ.(string)
		resp := s.Do(t, apitest.Request{Method: "GET", Path: path})
		body := string(resp.Body)
		if resp.Status != http.StatusOK || resp.Header.Get("Content-Type") != "text/html" || !strings.Contains(body, path) {
			t.Errorf("GET %s: %d %q %.200s, want 200, an HTML page naming it", path, resp.Status, resp.Header.Get("Content-Type"), body)
			continue
		}
		var got []string
		for _, m := range listed.FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		want := slices.Sorted(slices.Values(statuses[path]))
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("GET %s: the page lists statuses %v, want the contract's %v", path, got, want)
		}
		// Each status once in the sentence too, where a type has two
		// answers of one status (412, 415).
		if sentence := "answered with status " + strings.Join(want, ", ") + "."; !strings.Contains(body, sentence) {
			t.Errorf("GET %s: the page does not say %q:\n%s", path, sentence, body)
		}
		// Nothing loaded or run, no base or form target, framed nowhere.
		if got := resp.Header.Get("Content-Security-Policy"); got != "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'" {
			t.Errorf("GET %s: Content-Security-Policy %q, want nothing loaded, run or framed", path, got)
		}
		tag := resp.Header.Get("ETag")
		if again := s.Do(t, apitest.Request{Method: "GET", Path: path, Header: map[string]string{"If-None-Match": tag}}); tag == "" || again.Status != http.StatusNotModified || again.Header.Get("ETag") != tag {
			t.Errorf("GET %s with If-None-Match %q: %d with ETag %q, want 304 with the same", path, tag, again.Status, again.Header.Get("ETag"))
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
		if !strings.Contains(page, "<h1>"+html.EscapeString(p.Title)+"</h1>") || !strings.Contains(page, "<dt>"+strconv.Itoa(int(p.Status))+"</dt>") {
			t.Errorf("%s %s answered %s (%q, %d); its page does not give that title and status:\n%s", req.Method, req.Path, p.Type, p.Title, p.Status, page)
		}
	}

	for _, c := range []struct {
		method, path string
		header       map[string]string
		status       int
		field        string
	}{
		{"GET", "/problems/no-such-problem", nil, http.StatusNotFound, ""},
		{"GET", "/problems/Not_Found", nil, http.StatusBadRequest, "problem"},
		{"GET", "/problems/-not-found", nil, http.StatusBadRequest, "problem"},
		{"GET", "/problems/" + strings.Repeat("a", 65), nil, http.StatusBadRequest, "problem"},
		{"GET", "/problems/not-found", map[string]string{"Accept": "application/json"}, http.StatusNotAcceptable, "Accept"},
		{"GET", "/problems/not-found", map[string]string{"If-Match": `"x"`}, http.StatusPreconditionFailed, "If-Match"},
		{"OPTIONS", "/problems/not-found", nil, http.StatusNoContent, ""},
	} {
		resp := s.Do(t, apitest.Request{Method: c.method, Path: c.path, Header: c.header})
		if resp.Status != c.status {
			t.Errorf("%s %s: %d %s, want %d", c.method, c.path, resp.Status, resp.Body, c.status)
			continue
		}
		if c.field == "" {
			continue
		}
		if p := resp.Problem(t); p.Errors[c.field] == "" {
			t.Errorf("%s %s: errors %v, want one for %s", c.method, c.path, p.Errors, c.field)
		}
	}
}
