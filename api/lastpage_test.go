package api_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// TestFullLastPageEndsTheList: a list whose last page is exactly full (four
// items in pages of two) ends there: that page has a null next_cursor and no
// Link, rather than pointing at an empty page after it.
func TestFullLastPageEndsTheList(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{}) // seeded with four locations
	p := newPlayer(t, s, "Hattori", "Hanzo")
	for range 4 {
		if resp, _ := visit(t, s, p, farm, ""); resp.Status != http.StatusCreated {
			t.Fatalf("visit: %d %s", resp.Status, resp.Body)
		}
	}
	for _, name := range []string{"Fuma", "Momochi", "Iga"} {
		newPlayer(t, s, name, "Kotaro")
	}

	for _, path := range []string{
		"/locations?limit=2",
		p.path + "/visits?limit=2",
		"/players?limit=2",
		"/players?sort=gold&limit=2",
		"/players?sort=-gold&limit=2",
		"/players?sort=created_at&limit=2",
		"/players?sort=-created_at&limit=2",
	} {
		t.Run(path, func(t *testing.T) {
			var sizes []int
			for next := path; next != ""; {
				if len(sizes) == 3 {
					t.Fatalf("a third page after pages of %v", sizes)
				}
				resp := s.Do(t, apitest.Request{Method: "GET", Path: next})
				if resp.Status != http.StatusOK {
					t.Fatalf("GET %s: %d %s", next, resp.Status, resp.Body)
				}
				var page struct {
					Items      []json.RawMessage `json:"items"`
					NextCursor *string           `json:"next_cursor"`
				}
				resp.JSON(t, &page)
				sizes = append(sizes, len(page.Items))
				link := resp.Header.Get("Link")
				if (page.NextCursor == nil) != (link == "") {
					t.Errorf("page %d: next_cursor %v and Link %q, want both or neither", len(sizes), page.NextCursor, link)
				}
				next = strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
			}
			if len(sizes) != 2 || sizes[0] != 2 || sizes[1] != 2 {
				t.Errorf("pages of %v, want two pages of 2", sizes)
			}
		})
	}
}

// TestCursorOfAnotherList: a cursor continues only the list it was issued
// for. Each list refuses every other list's cursor, one player's visits
// another's among them, rather than reading its id as its own, and takes
// its own.
func TestCursorOfAnotherList(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	p := newPlayer(t, s, "Hattori", "Hanzo")
	q := newPlayer(t, s, "Fuma", "Kotaro")
	for _, who := range []player{p, p, q, q} {
		if resp, _ := visit(t, s, who, 1, ""); resp.Status != http.StatusCreated {
			t.Fatalf("visit: %d %s", resp.Status, resp.Body)
		}
	}
	// nextCursor is the next_cursor of the first page of path, one item long.
	nextCursor := func(path string) string {
		t.Helper()
		var page struct {
			NextCursor *string `json:"next_cursor"`
		}
		s.Do(t, apitest.Request{Method: "GET", Path: path + "limit=1"}).JSON(t, &page)
		if page.NextCursor == nil {
			t.Fatalf("GET %slimit=1: no next_cursor", path)
		}
		return *page.NextCursor
	}
	const another = "cursor was issued for another list or sort order"
	lists := []struct{ name, path, cursor string }{
		{"the players by created_at", "/players?sort=created_at&", nextCursor("/players?sort=created_at&")},
		{"the locations", "/locations?", nextCursor("/locations?")},
		{"a player's visits", p.path + "/visits?", nextCursor(p.path + "/visits?")},
		{"another player's visits", q.path + "/visits?", nextCursor(q.path + "/visits?")},
	}
	for _, list := range lists {
		for _, from := range lists {
			resp := s.Do(t, apitest.Request{Method: "GET", Path: list.path + "limit=1&cursor=" + from.cursor})
			switch {
			case from == list && resp.Status != http.StatusOK:
				t.Errorf("GET %s with its own cursor: %d %s, want 200", list.name, resp.Status, resp.Body)
			case from != list && (resp.Status != http.StatusBadRequest || resp.Problem(t).Errors["cursor"] != another):
				t.Errorf("GET %s with a cursor of %s: %d %s, want 400 with cursor %q", list.name, from.name, resp.Status, resp.Body, another)
			}
		}
	}
	locations := lists[1].cursor

	// A board cursor holds its sort: one of the same shape (gold, or not)
	// in the other direction is another order's, as is a locations cursor
	// under a sort without gold. And a cursor must carry a gold exactly
	// when its sort is by gold: one made up without, or with one it cannot
	// use, is refused too.
	bySort := func(sort string) string { return nextCursor("/players?sort=" + sort + "&") }
	made := func(json string) string { return base64.RawURLEncoding.EncodeToString([]byte(json)) }
	for _, c := range []struct{ name, sort, cursor string }{
		{"a -gold cursor", "gold", bySort("-gold")},
		{"a gold cursor", "-gold", bySort("gold")},
		{"a created_at cursor", "-created_at", bySort("created_at")},
		{"a -created_at cursor", "created_at", bySort("-created_at")},
		{"a locations cursor", "created_at", locations},
		{"a -gold cursor without gold", "-gold", made(`{"id":1,"sort":"-gold","list":"/players"}`)},
		{"a created_at cursor with gold", "created_at", made(`{"id":1,"sort":"created_at","gold":5,"list":"/players"}`)},
		// The board's own shape, of another list: the list alone refuses it.
		{"a -gold cursor of the locations", "-gold", made(`{"id":1,"gold":5,"sort":"-gold","list":"/locations"}`)},
	} {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: "/players?sort=" + c.sort + "&cursor=" + c.cursor})
		if resp.Status != http.StatusBadRequest || resp.Problem(t).Errors["cursor"] != another {
			t.Errorf("GET /players?sort=%s with %s: %d %s, want 400 with cursor %q", c.sort, c.name, resp.Status, resp.Body, another)
		}
	}
}

// Cursors are not signed (the contract's Cursor parameter says so): one
// made by hand in the server's form for a list continues it from the place
// it names, as the server's own cursor for that place does.
func TestHandMadeCursorContinuesItsList(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	var own struct {
		NextCursor *string `json:"next_cursor"`
	}
	s.Do(t, apitest.Request{Method: "GET", Path: "/locations?limit=2"}).JSON(t, &own)
	if own.NextCursor == nil {
		t.Fatal("GET /locations?limit=2: no next_cursor")
	}
	made := base64.RawURLEncoding.EncodeToString([]byte(`{"id":2,"list":"/locations"}`))
	byServer := s.Do(t, apitest.Request{Method: "GET", Path: "/locations?cursor=" + *own.NextCursor})
	byHand := s.Do(t, apitest.Request{Method: "GET", Path: "/locations?cursor=" + made})
	var page struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	byHand.JSON(t, &page)
	if byHand.Status != http.StatusOK || len(page.Items) != 2 || page.Items[0].ID != 3 || page.Items[1].ID != 4 {
		t.Fatalf("the hand-made cursor after id 2: %d %s, want 200 with locations 3 and 4", byHand.Status, byHand.Body)
	}
	if string(byHand.Body) != string(byServer.Body) {
		t.Errorf("the hand-made cursor's page differs from the server's cursor's:\n%s\n%s", byHand.Body, byServer.Body)
	}
}
