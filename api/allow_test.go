package api_test

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// Gin routes on the path as sent (UseRawPath), so an escaped slash is part
// of a path parameter: /players/1%2fvisits is /players/{id}, not
// /players/{id}/visits. A 405 must name the methods of the route Gin
// matched, in Allow and in the detail, and OPTIONS goes to the same route:
// its Allow when the parameters are valid there, else the 400 naming the
// matched route's parameter (an escaped slash is valid in none of them). A
// CORS preflight allows the same methods when it is answered 204.
func TestAllowFollowsTheMatchedRoute(t *testing.T) {
	const site = "https://game.example"
	s := apitest.NewServer(t, apitest.Options{Config: api.Config{CORSOrigins: []string{site}}})
	tests := []struct {
		name   string
		method string // refused on path
		path   string
		allow  string
		// badParam is the path parameter OPTIONS refuses with a 400; ""
		// when OPTIONS answers 204 with allow.
		badParam string
	}{
		{"control: a plain collection", "PUT", "/players", "GET, HEAD, OPTIONS, POST", ""},
		{"control: a plain item", "POST", "/players/1", "DELETE, GET, HEAD, OPTIONS", ""},
		{"control: an escaped item id", "POST", "/players/%31", "DELETE, GET, HEAD, OPTIONS", ""},
		{"escaped slash in a docs asset", "POST", "/docs/a%2fb", "GET, HEAD, OPTIONS", "asset"},
		{"escaped slash that spells a longer route", "POST", "/players/1%2fvisits", "DELETE, GET, HEAD, OPTIONS", "id"},
		{"escaped slash in a player id", "POST", "/players/x%2fy", "DELETE, GET, HEAD, OPTIONS", "id"},
		{"escaped slash in a visit id", "POST", "/players/1/visits/1%2f2", "GET, HEAD, OPTIONS", "visit_id"},
		{"escaped slash, upper case", "PUT", "/players/1%2Fvisits", "DELETE, GET, HEAD, OPTIONS", "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// With an escaped slash the harness's contract check would route
			// on the unescaped path, another route or none: the server's own
			// response check (on in the harness) and the checks below hold
			// those to the contract's 405 (MethodNotAllowed) and 400.
			resp := s.Do(t, apitest.Request{Method: tt.method, Path: tt.path, NoCheck: tt.badParam != ""})
			if resp.Status != http.StatusMethodNotAllowed {
				t.Fatalf("%s %s = %d, want 405; body %s", tt.method, tt.path, resp.Status, resp.Body)
			}
			if got := resp.Header.Values("Allow"); len(got) != 1 || got[0] != tt.allow {
				t.Errorf("%s %s: Allow = %q, want %q", tt.method, tt.path, got, tt.allow)
			}
			p := resp.Problem(t)
			if p.Type != "/problems/method-not-allowed" || p.Status != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: problem type %q status %d, want /problems/method-not-allowed 405",
					tt.method, tt.path, p.Type, p.Status)
			}
			if want := tt.method + " is not supported here; use " + tt.allow + "."; p.Detail != want {
				t.Errorf("%s %s: detail = %q, want %q", tt.method, tt.path, p.Detail, want)
			}

			pre := s.Do(t, apitest.Request{Method: "OPTIONS", Path: tt.path, NoCheck: tt.badParam != "",
				Header: map[string]string{"Origin": site, "Access-Control-Request-Method": "GET"}})
			// A preflight the parameters fail is a 400, and a 400 allows no
			// methods (a browser takes only a 2xx as a preflight's answer).
			wantMethods := tt.allow
			if tt.badParam != "" {
				wantMethods = ""
			}
			if got := pre.Header.Get("Access-Control-Allow-Methods"); got != wantMethods {
				t.Errorf("preflight %s = %d, Access-Control-Allow-Methods = %q, want %q", tt.path, pre.Status, got, wantMethods)
			}

			opt := s.Do(t, apitest.Request{Method: "OPTIONS", Path: tt.path, NoCheck: tt.badParam != ""})
			if tt.badParam == "" {
				if opt.Status != http.StatusNoContent || opt.Header.Get("Allow") != tt.allow {
					t.Errorf("OPTIONS %s = %d Allow %q, want 204 %q; body %s",
						tt.path, opt.Status, opt.Header.Get("Allow"), tt.allow, opt.Body)
				}
				return
			}
			if opt.Status != http.StatusBadRequest || opt.Header.Get("Allow") != "" {
				t.Fatalf("OPTIONS %s = %d Allow %q, want 400 and no Allow; body %s",
					tt.path, opt.Status, opt.Header.Get("Allow"), opt.Body)
			}
			if errs := opt.Problem(t).Errors; len(errs) != 1 || errs[tt.badParam] == "" {
				t.Errorf("OPTIONS %s: errors %v, want one for %s", tt.path, errs, tt.badParam)
			}
		})
	}
}

// A 404 names the path as it was routed: /locations%2F1 is one segment
// that names nothing, while /locations/1, its unescaped form, exists.
func TestNotFoundNamesThePathAsRouted(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	for _, path := range []string{"/locations%2F1", "/nowhere", "/players/1/visits/1/more"} {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: path, NoCheck: true})
		if resp.Status != http.StatusNotFound {
			t.Fatalf("GET %s = %d, want 404; body %s", path, resp.Status, resp.Body)
		}
		if want := "Nothing exists at " + path + "."; resp.Problem(t).Detail != want {
			t.Errorf("GET %s: detail %q, want %q", path, resp.Problem(t).Detail, want)
		}
	}
}

// A long path is repeated cut to its first 512 bytes and "...", in the
// detail and the instance, never in a %XX escape or a UTF-8 sequence: a
// request near the header limit does not get its path back twice whole.
// Both name the path escaped, as sent: a decoded one could carry control
// or bidi characters into the message.
func TestNotFoundShortensALongPath(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	for _, tt := range []struct{ path, shortPath string }{
		{"/" + strings.Repeat("a", 10_000), "/" + strings.Repeat("a", 511) + "..."},
		// The escape %C3%A9 (é) straddles byte 512, so both stop before it.
		{"/" + strings.Repeat("a", 509) + "%C3%A9" + strings.Repeat("b", 100), "/" + strings.Repeat("a", 509) + "..."},
		{"/" + strings.Repeat("a", 510) + "%C3%A9" + strings.Repeat("b", 100), "/" + strings.Repeat("a", 510) + "..."},
		{"/" + strings.Repeat("a", 511), "/" + strings.Repeat("a", 511)},
		{"/%E2%80%AEgnp.exe", "/%E2%80%AEgnp.exe"}, // a right-to-left override
		{"/a%5Bb%5D%07", "/a%5Bb%5D%07"},
		{"/a[b]", "/a%5Bb%5D"}, // sent raw, escaped in both
	} {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: tt.path})
		if resp.Status != http.StatusNotFound {
			t.Fatalf("GET %.40s... = %d, want 404", tt.path, resp.Status)
		}
		p := resp.Problem(t)
		if want := "Nothing exists at " + tt.shortPath + "."; p.Detail != want {
			t.Errorf("GET %.40s...: detail %q, want %q", tt.path, p.Detail, want)
		}
		if want := tt.shortPath + "#" + resp.Header.Get("X-Request-ID"); p.Instance == nil || *p.Instance != want {
			t.Errorf("GET %.40s...: instance %v, want %q", tt.path, p.Instance, want)
		}
	}
}

// TestOptionsAllowIsThePathsOwn: OPTIONS on each path of the contract
// answers with that path's own methods, and with the media types of its
// PATCH, if it has one: each OPTIONS handler names its path. (A handler
// naming another path of the same methods, as /locations and /players
// are, answers the same and passes.)
func TestOptionsAllowIsThePathsOwn(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	sample := strings.NewReplacer("{id}", "1", "{visit_id}", "1", "{asset}", "index.html", "{problem}", "not-found")
	for template, item := range doc.Paths.Map() {
		if item.Options == nil {
			continue
		}
		methods := slices.Sorted(maps.Keys(item.Operations()))
		var patch []string
		if item.Patch != nil {
			patch = slices.Sorted(maps.Keys(item.Patch.RequestBody.Value.Content))
		}
		resp := s.Do(t, apitest.Request{Method: "OPTIONS", Path: sample.Replace(template)})
		if resp.Status != http.StatusNoContent {
			t.Errorf("OPTIONS %s: %d %s, want 204", template, resp.Status, resp.Body)
			continue
		}
		if got, want := resp.Header.Values("Allow"), strings.Join(methods, ", "); len(got) != 1 || got[0] != want {
			t.Errorf("OPTIONS %s: Allow %q, want %q", template, got, want)
		}
		if got, want := resp.Header.Get("Accept-Patch"), strings.Join(patch, ", "); got != want {
			t.Errorf("OPTIONS %s: Accept-Patch %q, want %q", template, got, want)
		}
	}
}
