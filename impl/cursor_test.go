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
	enc := func(s string) *string { c := base64.RawURLEncoding.EncodeToString([]byte(s)); return &c }
	for _, c := range []struct {
		name, json string
	}{
		{"an unknown member", `{"id":1,"x":1}`},
	} {
		if got, err := decodeCursor(*enc(c.json)); err != errBadCursor {
			t.Errorf("%s: decodeCursor(%s) = %+v, %v; want errBadCursor", c.name, c.json, got, err)
		}
	}
	for _, c := range []string{`{"id":1,"gold":5}`, `{"id":1,"sort":"-gold"}`, `{"id":1,"sort":"created_at"}`} {
		if id, err := idCursor(enc(c)); err != errBadCursor {
			t.Errorf("idCursor(%s) = %d, %v; want errBadCursor", c, id, err)
		}
	}
	if id, err := idCursor(enc(`{"id":7}`)); err != nil || id != 7 {
		t.Errorf("idCursor({\"id\":7}) = %d, %v; want 7", id, err)
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
