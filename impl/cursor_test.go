package impl

import (
	"encoding/base64"
	"testing"

	"github.com/ninjagold/ninjagold-api/game"
)

func TestCursorRoundTrip(t *testing.T) {
	gold := int64(-42)
	tests := []cursor{
		{ID: 1, List: "/locations"},
		{ID: 9_223_372_036_854_775_807, List: "/players/9223372036854775807/visits"},
		{ID: 7, Gold: &gold, Sort: game.ByGoldDesc, List: "/players"},
		{ID: 3, Sort: game.ByCreatedAtAsc, List: "/players"},
	}
	for _, want := range tests {
		got, err := decodeCursor(want.encode())
		if err != nil {
			t.Fatalf("decode(encode(%+v)): %v", want, err)
		}
		if got.ID != want.ID || got.Sort != want.Sort || got.List != want.List || (got.Gold == nil) != (want.Gold == nil) ||
			(got.Gold != nil && *got.Gold != *want.Gold) {
			t.Errorf("round trip = %+v, want %+v", got, want)
		}
	}
}

// A cursor is one JSON object and nothing else: text after it, whatever
// it is, makes the cursor invalid.
func TestCursorWithTrailingText(t *testing.T) {
	const valid = `{"id":5,"list":"/locations"}`
	for _, tail := range []string{"]", "]]", "}", " {}", ",", " 1", " null", "x"} {
		s := base64.RawURLEncoding.EncodeToString([]byte(valid + tail))
		if c, err := decodeCursor(s); err != errBadCursor {
			t.Errorf("cursor %q: got %+v, %v; want errBadCursor", valid+tail, c, err)
		}
	}
	s := base64.RawURLEncoding.EncodeToString([]byte(" " + valid + " \n"))
	if c, err := decodeCursor(s); err != nil || c.ID != 5 {
		t.Errorf("cursor with white space around it: got %+v, %v; want id 5", c, err)
	}
}

// A cursor is one the server made, for the list it is given to: one
// without its list, another list's (another player's visits among them),
// or one of this list with a member it never writes, is refused.
func TestForgedCursors(t *testing.T) {
	const locations = "/locations"
	tests := []struct {
		name, json string
		wantID     int64 // 0: want wantErr
		wantErr    error
	}{
		{"an unknown member is refused", `{"id":1,"list":"/locations","x":1}`, 0, errBadCursor},
		{"a cursor without its list is refused", `{"id":7}`, 0, errBadCursor},
		{"an empty list is refused", `{"id":7,"list":""}`, 0, errBadCursor},
		{"a player's visits cursor is another list's", `{"id":7,"list":"/players/1/visits"}`, 0, errOtherCursor},
		{"a board cursor is another list's", `{"id":1,"gold":5,"sort":"-gold","list":"/players"}`, 0, errOtherCursor},
		{"a gold on this list is made up", `{"id":1,"gold":5,"list":"/locations"}`, 0, errBadCursor},
		// A null is never issued: it would read as the member left out.
		{"a null gold is made up", `{"id":1,"gold":null,"list":"/locations"}`, 0, errBadCursor},
		{"a null sort is made up", `{"id":1,"sort": null,"list":"/locations"}`, 0, errBadCursor},
		{"a null id is made up", `{"id":null,"list":"/locations"}`, 0, errBadCursor},
		{"a board's order on this list is made up", `{"id":1,"sort":"-gold","list":"/locations"}`, 0, errBadCursor},
		{"an order by creation on this list is made up", `{"id":1,"sort":"created_at","list":"/locations"}`, 0, errBadCursor},
		// Every id a cursor carries is a row's, so positive: 0 would be
		// "from the start" to some stores.
		{"an id of 0 is made up", `{"id":0,"list":"/locations"}`, 0, errBadCursor},
		{"a negative id is made up", `{"id":-1,"list":"/locations"}`, 0, errBadCursor},
		{"this list's cursor is taken", `{"id":7,"list":"/locations"}`, 7, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := base64.RawURLEncoding.EncodeToString([]byte(tt.json))
			id, err := idCursor(&enc, locations)
			if id != tt.wantID || err != tt.wantErr {
				t.Errorf("idCursor(%s, %s) = %d, %v; want %d, %v", tt.json, locations, id, err, tt.wantID, tt.wantErr)
			}
		})
	}
}

// FuzzDecodeCursor: whatever a client sends as a cursor, decoding either
// fails with the cursor field error or yields a cursor that points after a
// real row and survives a round trip; it never panics.
func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{"", "eyJpZCI6NH0", "eyJpZCI6MH0", "eyJpZCI6LTF9", "not-base64!", "e30", "bnVsbA",
		"eyJpZCI6MSwiZ29sZCI6OTk5OTk5OTk5OTk5OTk5OTk5OTk5fQ", "eyJpZCI6MSwieCI6MX0", "eyJpZCI6MX0geyJpZCI6Mn0", "eyJpZCI6NCwibGlzdCI6Ii9sb2NhdGlvbnMifQ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor(s)
		if err != nil {
			if err != errBadCursor {
				t.Fatalf("decodeCursor(%q) error = %v, want errBadCursor", s, err)
			}
			return
		}
		if c.ID < 1 {
			t.Fatalf("decodeCursor(%q) = %+v: id must be positive", s, c)
		}
		again, err := decodeCursor(c.encode())
		if err != nil || again.ID != c.ID || again.Sort != c.Sort || again.List != c.List {
			t.Fatalf("round trip of %+v = %+v, %v", c, again, err)
		}
	})
}
