package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// TestConditionalWrites: every write evaluates If-Match and If-None-Match
// as RFC 9110 §13.1 says, after the checks that answer 400, 401, 403 and
// 404, and a false condition is a 412 naming the header that changes
// nothing. A location's tag is its ETag; players, their visits and the
// collections have none, so no entity tag matches them and they exist.
func TestConditionalWrites(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	admin := apitest.AdminToken
	me := newPlayer(t, s, "Hattori", "Hanzo")
	other := newPlayer(t, s, "Fuma", "Kotaro")
	dojo := s.Do(t, apitest.Request{Method: "POST", Path: "/locations", Token: admin,
		Body: `{"name":"Dojo","min_gold":15,"max_gold":30}`})
	if dojo.Status != http.StatusCreated {
		t.Fatalf("create location: %d %s", dojo.Status, dojo.Body)
	}
	dojoPath, tag := dojo.Header.Get("Location"), dojo.Header.Get("ETag")

	// state is everything a write could change, as the API shows it.
	state := func(t *testing.T) string {
		t.Helper()
		var out string
		for _, path := range []string{"/players?limit=100", "/locations?limit=100", me.path + "/visits", other.path + "/visits"} {
			out += string(s.Do(t, apitest.Request{Method: "GET", Path: path}).Body)
		}
		return out
	}
	visitBody := fmt.Sprintf(`{"location_id":%d}`, farm)
	const stale = `"999999"`
	if resp, _ := visit(t, s, me, farm, "k2"); resp.Status != http.StatusCreated {
		t.Fatalf("keyed visit: %d %s", resp.Status, resp.Body)
	}

	tests := []struct {
		name         string
		method, path string
		token, body  string
		header       map[string]string
		status       int
		field        string // the errors key of a 412
	}{
		// Targets without an entity tag.
		{"new player, If-Match a tag", "POST", "/players", "", `{"first_name":"Ab","last_name":"Cd"}`, map[string]string{"If-Match": `"1"`}, 412, "If-Match"},
		{"new player, If-None-Match *", "POST", "/players", "", `{"first_name":"Ab","last_name":"Cd"}`, map[string]string{"If-None-Match": "*"}, 412, "If-None-Match"},
		{"new player, invalid body first", "POST", "/players", "", `{"first_name":"A","last_name":"Cd"}`, map[string]string{"If-Match": `"1"`}, 400, ""},
		{"new location, If-Match a weak tag", "POST", "/locations", admin, `{"name":"Inn","min_gold":1,"max_gold":2}`, map[string]string{"If-Match": `W/"1"`}, 412, "If-Match"},
		{"new location, min over max first", "POST", "/locations", admin, `{"name":"Inn","min_gold":3,"max_gold":2}`, map[string]string{"If-Match": `"1"`}, 400, ""},
		{"new location, no token first", "POST", "/locations", "", `{"name":"Inn","min_gold":1,"max_gold":2}`, map[string]string{"If-Match": `"1"`}, 401, ""},
		{"delete player, If-Match a tag", "DELETE", me.path, me.Token, "", map[string]string{"If-Match": `"1", "2"`}, 412, "If-Match"},
		{"delete player by admin, If-None-Match *", "DELETE", me.path, admin, "", map[string]string{"If-None-Match": " * "}, 412, "If-None-Match"},
		{"delete player, unknown id first", "DELETE", "/players/999999", admin, "", map[string]string{"If-Match": `"1"`}, 404, ""},
		{"delete player, another's token first", "DELETE", other.path, me.Token, "", map[string]string{"If-Match": `"1"`}, 403, ""},
		{"visit, If-Match a tag", "POST", me.path + "/visits", me.Token, visitBody, map[string]string{"If-Match": `"1"`}, 412, "If-Match"},
		{"visit, If-None-Match * with an Idempotency-Key", "POST", me.path + "/visits", me.Token, visitBody, map[string]string{"If-None-Match": "*", "Idempotency-Key": "k1"}, 412, "If-None-Match"},
		{"visit, no token first", "POST", me.path + "/visits", "", visitBody, map[string]string{"If-Match": `"1"`}, 401, ""},
		{"visit, unknown token first", "POST", me.path + "/visits", "not-a-token-of-anyone", visitBody, map[string]string{"If-Match": `"1"`}, 401, ""},
		{"visit, another's token first", "POST", other.path + "/visits", me.Token, visitBody, map[string]string{"If-Match": `"1"`}, 403, ""},
		{"visit, an unknown location first", "POST", me.path + "/visits", me.Token, `{"location_id":999999}`, map[string]string{"If-Match": `"1"`}, 400, ""},
		{"visit, a key used for another visit first", "POST", me.path + "/visits", me.Token, fmt.Sprintf(`{"location_id":%d}`, cave), map[string]string{"If-Match": `"1"`, "Idempotency-Key": "k2"}, 422, ""},
		{"visit, a replay", "POST", me.path + "/visits", me.Token, visitBody, map[string]string{"If-Match": `"1"`, "Idempotency-Key": "k2"}, 412, "If-Match"},
		{"new player, If-Match a tag holding *", "POST", "/players", "", `{"first_name":"Ab","last_name":"Cd"}`, map[string]string{"If-Match": `"a,*,b"`}, 412, "If-Match"},
		// A value that is neither * nor a list of entity tags is false.
		{"new player, If-None-Match * among tags", "POST", "/players", "", `{"first_name":"Ab","last_name":"Cd"}`, map[string]string{"If-None-Match": `"1", *`}, 412, "If-None-Match"},
		{"new player, If-Match * among tags", "POST", "/players", "", `{"first_name":"Ab","last_name":"Cd"}`, map[string]string{"If-Match": `"1", *`}, 412, "If-Match"},
		{"patch location, If-Match * among tags", "PATCH", dojoPath, admin, `{"max_gold":40}`, map[string]string{"If-Match": stale + ", *", "Content-Type": "application/merge-patch+json"}, 412, "If-Match"},
		{"patch location, If-None-Match with a stray quote", "PATCH", dojoPath, admin, `{"max_gold":40}`, map[string]string{"If-None-Match": `x", ` + stale, "Content-Type": "application/merge-patch+json"}, 412, "If-None-Match"},
		// A location, which has an ETag.
		{"replace location, If-None-Match its tag", "PUT", dojoPath, admin, `{"name":"Inn","min_gold":1,"max_gold":2}`, map[string]string{"If-None-Match": tag}, 412, "If-None-Match"},
		{"patch location, If-None-Match its weak tag", "PATCH", dojoPath, admin, `{"max_gold":40}`, map[string]string{"If-None-Match": "W/" + tag, "Content-Type": "application/merge-patch+json"}, 412, "If-None-Match"},
		{"delete location, If-None-Match *", "DELETE", dojoPath, admin, "", map[string]string{"If-None-Match": "*"}, 412, "If-None-Match"},
		{"replace location, If-Match first", "PUT", dojoPath, admin, `{"name":"Inn","min_gold":1,"max_gold":2}`, map[string]string{"If-Match": stale, "If-None-Match": tag}, 412, "If-Match"},
		{"replace location, If-Match true and If-None-Match false", "PUT", dojoPath, admin, `{"name":"Inn","min_gold":1,"max_gold":2}`, map[string]string{"If-Match": tag, "If-None-Match": tag}, 412, "If-None-Match"},
		{"delete location, unknown id first", "DELETE", "/locations/999999", admin, "", map[string]string{"If-None-Match": "*"}, 404, ""},
		{"replace location, min over max first", "PUT", dojoPath, admin, `{"name":"Inn","min_gold":3,"max_gold":2}`, map[string]string{"If-Match": stale}, 400, "min_gold"},
		{"patch location, min over max first", "PATCH", dojoPath, admin, `{"min_gold":3,"max_gold":2}`, map[string]string{"If-Match": stale, "Content-Type": "application/merge-patch+json"}, 400, "min_gold"},
		// One end against the other as stored needs the stored location:
		// judged after the preconditions, as openapi.yaml's overview says.
		{"patch location, one end past the stored other: If-Match first", "PATCH", dojoPath, admin, `{"min_gold":100}`, map[string]string{"If-Match": stale, "Content-Type": "application/merge-patch+json"}, 412, "If-Match"},
		{"patch location, the other end past the stored one: If-Match first", "PATCH", dojoPath, admin, `{"max_gold":-100}`, map[string]string{"If-Match": stale, "Content-Type": "application/merge-patch+json"}, 412, "If-Match"},
		{"patch location, one end past the stored other: If-None-Match * first", "PATCH", dojoPath, admin, `{"max_gold":-100}`, map[string]string{"If-None-Match": "*", "Content-Type": "application/merge-patch+json"}, 412, "If-None-Match"},
		{"patch location, one end past the stored other, preconditions met", "PATCH", dojoPath, admin, `{"max_gold":-100}`, map[string]string{"If-Match": tag, "Content-Type": "application/merge-patch+json"}, 400, "max_gold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := state(t)
			got := s.Do(t, apitest.Request{Method: tt.method, Path: tt.path, Token: tt.token, Body: tt.body, Header: tt.header})
			if got.Status != tt.status {
				t.Fatalf("status = %d, want %d; body %s", got.Status, tt.status, got.Body)
			}
			if tt.field != "" {
				p := got.Problem(t)
				if len(p.Errors) != 1 || p.Errors[tt.field] == "" {
					t.Errorf("errors = %v, want one message for %s", p.Errors, tt.field)
				}
			}
			if after := state(t); after != before {
				t.Errorf("a refused request changed the game:\nbefore %s\nafter  %s", before, after)
			}
		})
	}

	// Only a list of entity tags that misses the location's says it changed.
	t.Run("a false If-Match's detail", func(t *testing.T) {
		for _, tt := range []struct{ ifMatch, detail, msg string }{
			{stale, "The location changed since you read it.", "If-Match does not match the current ETag"},
			{"garbage", "A precondition of the request is false.", "If-Match must be * or a list of entity tags"},
			{" , ", "A precondition of the request is false.", "If-Match lists no entity tag"},
			{"W/" + tag, "A precondition of the request is false.", "If-Match compares entity tags strongly: send the ETag without W/"},
		} {
			got := s.Do(t, apitest.Request{Method: "PATCH", Path: dojoPath, Token: admin, Body: `{"max_gold":40}`,
				Header: map[string]string{"If-Match": tt.ifMatch, "Content-Type": "application/merge-patch+json"}})
			if got.Status != http.StatusPreconditionFailed {
				t.Fatalf("If-Match %q = %d, want 412; body %s", tt.ifMatch, got.Status, got.Body)
			}
			if p := got.Problem(t); p.Detail != tt.detail || p.Errors["If-Match"] != tt.msg {
				t.Errorf("If-Match %q: detail %q, errors %v; want %q and %q", tt.ifMatch, p.Detail, p.Errors, tt.detail, tt.msg)
			}
		}
	})

	// The conditions that are true let each write go ahead.
	t.Run("true conditions", func(t *testing.T) {
		for _, tt := range []struct {
			method, path, token, body string
			header                    map[string]string
			status                    int
		}{
			{"POST", "/players", "", `{"first_name":"Ab","last_name":"Cd"}`, map[string]string{"If-Match": "*", "If-None-Match": `"1", W/"2"`}, 201},
			{"POST", "/players", "", `{"first_name":"Ab","last_name":"Cd"}`, map[string]string{"If-None-Match": `"a,*,b"`}, 201},
			{"POST", "/locations", admin, `{"name":"Inn","min_gold":1,"max_gold":2}`, map[string]string{"If-Match": "*"}, 201},
			// The refused visit above did not use up its key (no
			// Idempotent-Replayed below).
			{"POST", me.path + "/visits", me.Token, visitBody, map[string]string{"If-Match": "*", "Idempotency-Key": "k1"}, 201},
			{"PATCH", dojoPath, admin, `{"max_gold":40}`, map[string]string{"If-Match": tag, "If-None-Match": stale, "Content-Type": "application/merge-patch+json"}, 200},
			{"DELETE", me.path, me.Token, "", map[string]string{"If-Match": "*", "If-None-Match": `"1"`}, 204},
		} {
			got := s.Do(t, apitest.Request{Method: tt.method, Path: tt.path, Token: tt.token, Body: tt.body, Header: tt.header})
			if got.Status != tt.status {
				t.Errorf("%s %s %v = %d, want %d; body %s", tt.method, tt.path, tt.header, got.Status, tt.status, got.Body)
			}
			if replayed := got.Header.Get("Idempotent-Replayed"); replayed != "" {
				// The refused visit with key k1 did not use it up.
				t.Errorf("%s %s %v: Idempotent-Replayed %q, want a new visit", tt.method, tt.path, tt.header, replayed)
			}
		}
		if got := s.Do(t, apitest.Request{Method: "GET", Path: me.path}); got.Status != http.StatusNotFound {
			t.Errorf("player after its conditional delete = %d, want 404", got.Status)
		}
	})
}

// TestDocumentationETags: the page, its files and the contract carry a
// strong ETag, one per representation and the same on every request, and
// answer 304 to an If-None-Match that lists it (weak comparison) or is "*",
// with the headers a 200 would have carried that RFC 9110 §15.4.5 asks for.
func TestDocumentationETags(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	seen := map[string]string{}
	for _, path := range []string{"/docs", "/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/initializer.js",
		"/docs/favicon-32x32.png", "/docs/LICENSE", "/openapi.json", "/openapi.yaml"} {
		t.Run(path, func(t *testing.T) {
			full := s.Do(t, apitest.Request{Method: "GET", Path: path})
			tag := full.Header.Get("ETag")
			if full.Status != 200 || len(tag) < 3 || tag[0] != '"' || tag[len(tag)-1] != '"' {
				t.Fatalf("GET = %d with ETag %q, want 200 with a strong tag", full.Status, tag)
			}
			if other, dup := seen[tag]; dup {
				t.Errorf("ETag %s is also %s's", tag, other)
			}
			seen[tag] = path
			if again := s.Do(t, apitest.Request{Method: "GET", Path: path}); again.Header.Get("ETag") != tag {
				t.Errorf("second GET's ETag = %q, want %q", again.Header.Get("ETag"), tag)
			}
			for _, tt := range []struct {
				method, inm string
				status      int
			}{
				{"GET", tag, 304},
				{"GET", "W/" + tag, 304},
				{"GET", `"nope", ` + tag, 304},
				{"GET", "*", 304},
				{"HEAD", tag, 304},
				{"GET", `"nope"`, 200},
				{"GET", "W/" + tag[:len(tag)-2] + `"`, 200},
			} {
				got := s.Do(t, apitest.Request{Method: tt.method, Path: path, Header: map[string]string{"If-None-Match": tt.inm}})
				if got.Status != tt.status {
					t.Errorf("%s If-None-Match %s = %d, want %d", tt.method, tt.inm, got.Status, tt.status)
					continue
				}
				if got.Header.Get("ETag") != tag {
					t.Errorf("%s If-None-Match %s: ETag %q, want %q", tt.method, tt.inm, got.Header.Get("ETag"), tag)
				}
				switch tt.status {
				case 304:
					if len(got.Body) != 0 || got.Header.Get("Cache-Control") != full.Header.Get("Cache-Control") {
						t.Errorf("304: %d body bytes, Cache-Control %q; want none and the 200's %q",
							len(got.Body), got.Header.Get("Cache-Control"), full.Header.Get("Cache-Control"))
					}
				case 200:
					if string(got.Body) != string(full.Body) {
						t.Errorf("200 to a tag that does not match: the body differs from a plain GET's")
					}
				}
			}
		})
	}
	// Accept is judged first: a file its Accept refuses is a 406 whatever
	// the tag says.
	css := s.Do(t, apitest.Request{Method: "GET", Path: "/docs/swagger-ui.css"}).Header.Get("ETag")
	got := s.Do(t, apitest.Request{Method: "GET", Path: "/docs/swagger-ui.css", Header: map[string]string{"Accept": "text/plain", "If-None-Match": css}})
	if got.Status != http.StatusNotAcceptable {
		t.Errorf("If-None-Match with an Accept the file fails = %d, want 406", got.Status)
	}
}

// TestConditionalReads: every read that would answer 200 evaluates
// If-Match, then If-None-Match (RFC 9110 §13.2.2). If-Match must list the
// current ETag (strong comparison) or be "*": otherwise a 412 naming it,
// with the ETag where there is one. An If-None-Match that lists the tag
// (weak comparison) or is "*" is a 304 without a body. The reads without an
// ETag exist, so "*" matches them and no entity tag does. A read that fails
// or redirects ignores both headers.
func TestConditionalReads(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	me := newPlayer(t, s, "Hattori", "Hanzo")
	_, v := visit(t, s, me, farm, "")
	paths := []string{
		fmt.Sprintf("/locations/%d", farm), "/docs", "/docs/swagger-ui.css", "/openapi.json", "/openapi.yaml",
		"/locations", "/players", me.path, me.path + "/visits", fmt.Sprintf("%s/visits/%d", me.path, v.Id),
		"/healthz", "/readyz", "/metrics",
	}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			full := s.Do(t, apitest.Request{Method: "GET", Path: path})
			if full.Status != http.StatusOK {
				t.Fatalf("GET = %d, want 200", full.Status)
			}
			tag := full.Header.Get("ETag")
			type readCase struct {
				header map[string]string
				status int
				field  string // the errors key of a 412
			}
			cases := []readCase{
				{map[string]string{"If-Match": `"nope"`}, 412, "If-Match"},
				{map[string]string{"If-Match": `"nope", *`}, 412, "If-Match"}, // not well formed
				{map[string]string{"If-Match": `"nope"`, "If-None-Match": `"nope"`}, 412, "If-Match"},
				{map[string]string{"If-Match": `"nope"`, "If-None-Match": "*"}, 412, "If-Match"}, // If-Match first
				{map[string]string{"If-Match": "*"}, 200, ""},
				{map[string]string{"If-Match": " * ", "If-None-Match": `"nope"`}, 200, ""},
				{map[string]string{"If-None-Match": "*"}, 304, ""},
				{map[string]string{"If-Match": "*", "If-None-Match": "*"}, 304, ""},
				{map[string]string{"If-None-Match": `"nope"`}, 200, ""},
				{map[string]string{"If-None-Match": `x", "nope"`}, 200, ""}, // not well formed: names nothing
			}
			if tag != "" {
				cases = append(cases,
					readCase{map[string]string{"If-Match": tag}, 200, ""},
					readCase{map[string]string{"If-Match": `"nope", ` + tag, "If-None-Match": "W/" + tag}, 304, ""},
					readCase{map[string]string{"If-Match": "W/" + tag}, 412, "If-Match"}, // strong comparison
				)
			}
			for _, method := range []string{"GET", "HEAD"} {
				for _, c := range cases {
					got := s.Do(t, apitest.Request{Method: method, Path: path, Header: c.header})
					if got.Status != c.status {
						t.Errorf("%s %v = %d, want %d; body %s", method, c.header, got.Status, c.status, got.Body)
						continue
					}
					if got.Header.Get("ETag") != tag {
						t.Errorf("%s %v: ETag %q, want %q", method, c.header, got.Header.Get("ETag"), tag)
					}
					if c.status == 304 {
						// RFC 9110 §15.4.5: a 304 carries the headers a 200 would have that a cache keys and ages by
						// (this server sends no Content-Location or Expires today: there so one it adds is held to it).
						for _, h := range []string{"Vary", "Cache-Control", "Content-Location", "Expires"} {
							if got.Header.Values(h) == nil && full.Header.Values(h) == nil {
								continue
							}
							if !slices.Equal(got.Header.Values(h), full.Header.Values(h)) {
								t.Errorf("%s %v: 304 %s %q, a 200's %q", method, c.header, h, got.Header.Values(h), full.Header.Values(h))
							}
						}
						// None, a HEAD's as a GET's: a 0 would not be the
						// length of the 200 (RFC 9110 §8.6).
						if cl := got.Header.Values("Content-Length"); cl != nil {
							t.Errorf("%s %v: 304 with Content-Length %q", method, c.header, cl)
						}
					}
					switch {
					case c.status == 304 && len(got.Body) != 0:
						t.Errorf("%s %v: 304 with %d body bytes", method, c.header, len(got.Body))
					case c.field != "" && method == "GET":
						if p := got.Problem(t); len(p.Errors) != 1 || p.Errors[c.field] == "" {
							t.Errorf("%s %v: errors = %v, want one message for %s", method, c.header, p.Errors, c.field)
						}
					case c.status == 200 && method == "GET" && path != "/metrics" && string(got.Body) != string(full.Body):
						t.Errorf("%s %v: the body differs from a plain GET's", method, c.header)
					}
				}
			}
		})
	}

	// A read that would not answer 200 ignores the preconditions.
	for _, tt := range []struct {
		path   string
		status int
	}{
		{"/players/999999", http.StatusNotFound},
		{me.path + "/visits/999999", http.StatusNotFound},
		{"/locations?cursor=nope", http.StatusBadRequest},
		{"/", http.StatusFound},
	} {
		for _, h := range []map[string]string{{"If-Match": `"nope"`}, {"If-None-Match": "*"}} {
			if got := s.Do(t, apitest.Request{Method: "GET", Path: tt.path, Header: h}); got.Status != tt.status {
				t.Errorf("GET %s %v = %d, want %d", tt.path, h, got.Status, tt.status)
			}
		}
	}
	for _, h := range []map[string]string{{"If-Match": `"nope"`}, {"If-None-Match": "*"}} {
		h["Accept"] = "image/png"
		if got := s.Do(t, apitest.Request{Method: "GET", Path: "/players", Header: h}); got.Status != http.StatusNotAcceptable {
			t.Errorf("GET /players %v = %d, want 406", h, got.Status)
		}
	}

	// Nor does one the rate limit or an unusable database turns away.
	limited := apitest.NewServer(t, apitest.Options{Config: api.Config{RateLimit: api.RateLimit{Rate: 0.001, Burst: 1}}})
	if got := limited.Do(t, apitest.Request{Method: "GET", Path: "/locations"}); got.Status != http.StatusOK {
		t.Fatalf("the first GET /locations = %d, want 200", got.Status)
	}
	gone, lose := newServerLosingItsStore(t)
	lose()
	for _, tt := range []struct {
		s      *apitest.Server
		path   string
		status int
	}{
		{limited, "/locations/1", http.StatusTooManyRequests},
		{limited, "/locations", http.StatusTooManyRequests},
		{gone, "/locations/1", http.StatusServiceUnavailable},
		{gone, "/locations", http.StatusServiceUnavailable},
		{gone, "/readyz", http.StatusServiceUnavailable},
	} {
		for _, method := range []string{"GET", "HEAD"} {
			for _, h := range []map[string]string{{"If-Match": `"nope"`}, {"If-None-Match": "*"}} {
				if got := tt.s.Do(t, apitest.Request{Method: method, Path: tt.path, Header: h}); got.Status != tt.status {
					t.Errorf("%s %s %v = %d, want %d", method, tt.path, h, got.Status, tt.status)
				}
			}
		}
	}

	// An empty If-Match, sent as an empty line, lists no entity tag: false.
	got := s.Do(t, apitest.Request{Method: "GET", Path: me.path, Lines: map[string][]string{"If-Match": {""}}})
	if got.Status != http.StatusPreconditionFailed || got.Problem(t).Errors["If-Match"] != "If-Match lists no entity tag" {
		t.Errorf("GET %s with an empty If-Match = %d %s, want 412 naming If-Match", me.path, got.Status, got.Body)
	}
}
