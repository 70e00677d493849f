package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
	"github.com/ninjagold/ninjagold-api/store/postgres"
	"github.com/ninjagold/ninjagold-api/store/postgres/pgtest"
)

// Text one store can hold and the other cannot: PostgreSQL's text has no
// NUL, and a header's bytes need not be UTF-8 (an Idempotency-Key is stored
// as text). SQLite stored both, PostgreSQL failed with a 500. The contract
// refuses them, so both stores give the same 400 and write nothing; the
// controls are the nearest text both still accept.
func TestTextBothStoresHold(t *testing.T) {
	stores := []struct {
		name string
		open func(t *testing.T) game.Store // nil: apitest's SQLite file
	}{
		{"sqlite", nil},
		{"postgres", func(t *testing.T) game.Store {
			s, err := postgres.Open(t.Context(), pgtest.TestURL(t), postgres.Options{})
			if err != nil {
				t.Fatalf("postgres.Open: %v", err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}},
	}
	const (
		nameMsg = "must not start or end with whitespace or contain a line break, a control character or an invisible format character"
		descMsg = "description must not contain a NUL character"
		keyMsg  = "Idempotency-Key must be printable ASCII characters"
	)
	merge := map[string]string{"Content-Type": "application/merge-patch+json"}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			var opts apitest.Options
			if st.open != nil {
				opts.Store = st.open(t)
			}
			s := apitest.NewServer(t, opts)
			p := newPlayer(t, s, "Hattori", "Hanzo")
			farm := s.Do(t, apitest.Request{Method: "GET", Path: "/locations/1"})
			if farm.Status != http.StatusOK {
				t.Fatalf("GET /locations/1: %d %s", farm.Status, farm.Body)
			}
			visitReq := func(key string) apitest.Request {
				return apitest.Request{Method: "POST", Path: p.path + "/visits", Token: p.Token,
					Body: `{"location_id":1}`, Header: map[string]string{"Idempotency-Key": key}}
			}
			refused := []struct {
				name  string
				req   apitest.Request
				field string
				msg   string
			}{
				{"a NUL inside a first name",
					apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Ha\u0000ttori","last_name":"Hanzo"}`},
					"first_name", "first name " + nameMsg},
				{"a last name of NULs",
					apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"\u0000\u0000"}`},
					"last_name", "last name " + nameMsg},
				{"a NUL in a new location's name",
					apitest.Request{Method: "POST", Path: "/locations", Token: admin,
						Body: `{"name":"Dojo\u0000","min_gold":1,"max_gold":2}`},
					"name", "name " + nameMsg},
				{"a NUL in a new location's description",
					apitest.Request{Method: "POST", Path: "/locations", Token: admin,
						Body: `{"name":"Dojo","min_gold":1,"max_gold":2,"description":"a\u0000b"}`},
					"description", descMsg},
				{"a NUL in a replaced description",
					apitest.Request{Method: "PUT", Path: "/locations/1", Token: admin,
						Body: `{"name":"Farm","min_gold":10,"max_gold":20,"description":"\u0000"}`},
					"description", descMsg},
				{"a NUL in a patched description",
					apitest.Request{Method: "PATCH", Path: "/locations/1", Token: admin, Header: merge,
						Body: `{"description":"tend\u0000"}`},
					"description", descMsg},
				// JSON takes control characters in a string escaped only.
				{"a raw control character in a new location's description",
					apitest.Request{Method: "POST", Path: "/locations", Token: admin,
						Body: "{\"name\":\"Dojo\",\"min_gold\":1,\"max_gold\":2,\"description\":\"a\x1fb\"}"},
					"body", "request body must be valid JSON"},
				{"a raw NUL in a patched description",
					apitest.Request{Method: "PATCH", Path: "/locations/1", Token: admin, Header: merge,
						Body: "{\"description\":\"a\x00b\"}"},
					"body", "request body must be valid JSON"},
				{"an Idempotency-Key byte beyond ASCII", visitReq("caf\xe9"), "Idempotency-Key", keyMsg},
				{"an Idempotency-Key in UTF-8 beyond ASCII", visitReq("café"), "Idempotency-Key", keyMsg},
			}
			for _, c := range refused {
				resp := s.Do(t, c.req)
				if resp.Status != http.StatusBadRequest {
					t.Errorf("%s: status %d, want 400; body %s", c.name, resp.Status, resp.Body)
					continue
				}
				if got := resp.Problem(t).Errors; got[c.field] != c.msg || len(got) != 1 {
					t.Errorf("%s: errors %v, want %s: %s", c.name, got, c.field, c.msg)
				}
			}

			// Nothing was written: one player, the Farm as it was, no visit.
			if resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations/1"}); !bytes.Equal(resp.Body, farm.Body) {
				t.Errorf("the Farm after the refusals: %s, want it unchanged: %s", resp.Body, farm.Body)
			}
			if resp := s.Do(t, apitest.Request{Method: "GET", Path: p.path + "/visits", Token: p.Token}); resp.Status != http.StatusOK ||
				strings.TrimSpace(string(resp.Body)) != `{"items":[],"next_cursor":null}` {
				t.Errorf("visits after the refusals: %d %s, want none", resp.Status, resp.Body)
			}
			var list struct{ Items []struct{ ID int64 } }
			s.Do(t, apitest.Request{Method: "GET", Path: "/players"}).JSON(t, &list)
			if len(list.Items) != 1 {
				t.Errorf("%d players after the refusals, want 1", len(list.Items))
			}

			accepted := []struct {
				name string
				req  apitest.Request
				want int
			}{
				{"a name beyond ASCII", apitest.Request{Method: "POST", Path: "/players",
					Body: `{"first_name":"Hattöri","last_name":"半蔵"}`}, http.StatusCreated},
				{"a description with a CR, a LF and a control character", apitest.Request{Method: "PATCH", Path: "/locations/1",
					Token: admin, Header: merge, Body: `{"description":"a\rb\nc\u0001"}`}, http.StatusOK},
				{"an Idempotency-Key of printable ASCII with a space", visitReq("visit 1: farm ~!"), http.StatusCreated},
			}
			for _, c := range accepted {
				if resp := s.Do(t, c.req); resp.Status != c.want {
					t.Errorf("%s: status %d, want %d; body %s", c.name, resp.Status, c.want, resp.Body)
				}
			}
		})
	}
}
