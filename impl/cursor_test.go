package impl

import (
	"encoding/base64"
	"testing"

	"github.com/ninjagold/ninjagold-api/game"
)

func TestCursorRoundTrip(t *testing.T) {
	gold := int64(-42)
	tests := []cursor{
		{ID: 1},
		{ID: 9_223_372_036_854_775_807},
		{ID: 7, Gold: &gold, Sort: game.ByGoldDesc},
		{ID: 3, Sort: game.ByCreatedAtAsc},
	}
	for _, want := range tests {
		got, err := decodeCursor(want.encode())
		if err != nil {
			t.Fatalf("decode(encode(%+v)): %v", want, err)
		}
		if got.ID != want.ID || got.Sort != want.Sort || (got.Gold == nil) != (want.Gold == nil) ||
			(got.Gold != nil && *got.Gold != *want.Gold) {
			t.Errorf("round trip = %+v, want %+v", got, want)
		}
	}
}

// A cursor is one JSON object and nothing else: text after it, whatever
// it is, makes the cursor invalid.
func TestCursorWithTrailingText(t *testing.T) {
	for _, tail := range []string{"]", "]]", "}", " {}", ",", " 1", " null", "x"} {
		s := base64.RawURLEncoding.EncodeToString([]byte(`{"id":5}` + tail))
		if c, err := decodeCursor(s); err != errBadCursor {
			t.Errorf("cursor %q: got %+v, %v; want errBadCursor", `{"id":5}`+tail, c, err)
		}
	}
	s := base64.RawURLEncoding.EncodeToString([]byte(" {\"id\":5} \n"))
	if c, err := decodeCursor(s); err != nil || c.ID != 5 {
		t.Errorf("cursor with white space around it: got %+v, %v; want id 5", c, err)
	}
}

// A cursor is one the server made: a member it never writes, or one of a
// players' board given to a list ordered by id alone, makes it invalid.
func TestForgedCursors(t *testing.T) {
	byID := func(c *string) (cursor, error) { id, err := idCursor(c); return cursor{ID: id}, err }
	anySort := func(c *string) (cursor, error) { return decodeCursor(*c) }
	tests := []struct {
		name, json string
		decode     func(*string) (cursor, error)
		wantID     int64 // 0: want errBadCursor
	}{
		{"an unknown member is refused", `{"id":1,"x":1}`, anySort, 0},
		{"a board's gold on a list by id is refused", `{"id":1,"gold":5}`, byID, 0},
		{"a board's order on a list by id is refused", `{"id":1,"sort":"-gold"}`, byID, 0},
		{"an order by creation on a list by id is refused", `{"id":1,"sort":"created_at"}`, byID, 0},
		{"an id alone on a list by id is taken", `{"id":7}`, byID, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := base64.RawURLEncoding.EncodeToString([]byte(tt.json))
			got, err := tt.decode(&enc)
			switch {
			case tt.wantID == 0 && err != errBadCursor:
				t.Errorf("%s: got %+v, %v; want errBadCursor", tt.json, got, err)
			case tt.wantID != 0 && (err != nil || got.ID != tt.wantID):
				t.Errorf("%s: got %+v, %v; want id %d", tt.json, got, err, tt.wantID)
			}
		})
	}
}

// FuzzDecodeCursor: whatever a client sends as a cursor, decoding either
// fails with the cursor field error or yields a cursor that points after a
// real row and survives a round trip; it never panics.
func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{"", "eyJpZCI6NH0", "eyJpZCI6MH0", "eyJpZCI6LTF9", "not-base64!", "e30", "bnVsbA",
		"eyJpZCI6MSwiZ29sZCI6OTk5OTk5OTk5OTk5OTk5OTk5OTk5fQ", "eyJpZCI6MSwieCI6MX0", "eyJpZCI6MX0geyJpZCI6Mn0"} {
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
		if err != nil || again.ID != c.ID || again.Sort != c.Sort {
			t.Fatalf("round trip of %+v = %+v, %v", c, again, err)
		}
	})
}
