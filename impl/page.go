package impl

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/oapi-codegen/nullable"

	"github.com/ninjagold/ninjagold-api/game"
)

// defaultLimit is the page size when the client names none; the contract's
// default for `limit`.
const defaultLimit = 20

// pageOf cuts items, a list asked for with one row past limit (which tells
// whether another page exists without a COUNT), to limit, and returns the
// cursor of the page's last item when that row came: nil on the last page.
func pageOf[T any](items []T, limit int, at func(T) cursor) ([]T, *string) {
	if len(items) <= limit {
		return items, nil
	}
	items = items[:limit]
	next := at(items[limit-1]).encode()
	return items, &next
}

func limitOrDefault(l *int32) int {
	if l == nil {
		return defaultLimit
	}
	return int(*l)
}

// cursor is the position a page ends at. It travels as opaque base64url
// JSON so the store's keyset can change without breaking clients' URLs.
type cursor struct {
	ID   int64           `json:"id"`
	Gold *int64          `json:"gold,omitempty"`
	Sort game.PlayerSort `json:"sort,omitempty"`
	// List is the path of the list the cursor was issued for (/locations,
	// /players, /players/3/visits): it continues that list only. Without
	// it, one list's position would be read as another's, and a page of
	// the wrong rows, or none, would come back for a 400.
	List string `json:"list"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

var (
	errBadCursor   = game.Invalid(map[string]string{"cursor": "cursor is not valid: use the next_cursor of a previous page"})
	errOtherCursor = game.Invalid(map[string]string{"cursor": "cursor was issued for another list or sort order"})
)

// decodeCursor parses a cursor sent by a client. Whatever it was sent, the
// answer is a cursor with a positive id and a list, or errBadCursor, never
// a panic. Which list it continues is the caller's to check.
func decodeCursor(s string) (cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, errBadCursor
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c cursor
	if err := dec.Decode(&c); err != nil || c.ID < 1 || c.List == "" {
		return cursor{}, errBadCursor
	}
	// Nothing may follow the object. (dec.More is false before a stray
	// ] or }, so it would let {"id":5}]] through.)
	if _, err := dec.Token(); err != io.EOF {
		return cursor{}, errBadCursor
	}
	// A cursor the server issues holds no null: {"gold":null} would pass
	// as a cursor without gold, and {"sort":null} as one without a sort.
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		return cursor{}, errBadCursor
	}
	for _, v := range members {
		if string(v) == "null" {
			return cursor{}, errBadCursor
		}
	}
	return c, nil
}

// idCursor decodes the cursor of list, one ordered by id alone (no sort,
// no gold): the id the page continues from, 0 when there is no cursor.
func idCursor(s *string, list string) (int64, error) {
	if s == nil {
		return 0, nil
	}
	c, err := decodeCursor(*s)
	switch {
	case err != nil:
		return 0, err
	case c.List != list:
		return 0, errOtherCursor
	case c.Sort != "" || c.Gold != nil:
		return 0, errBadCursor // made up: this list never issues one
	}
	return c.ID, nil
}

// nextLink is the RFC 8288 Link header for the page after next, or nil.
func nextLink(path string, next *string, limit int, extra url.Values) *string {
	if next == nil {
		return nil
	}
	q := url.Values{}
	for k, v := range extra {
		q[k] = v
	}
	q.Set("cursor", *next)
	q.Set("limit", strconv.Itoa(limit))
	link := "<" + path + "?" + q.Encode() + `>; rel="next"`
	return &link
}

// csvBody renders a header row and records as CSV, with the CRLF line ends
// RFC 4180 gives text/csv.
func csvBody(header []string, records [][]string) (io.Reader, int64) {
	var buf bytes.Buffer
	writeCSVRecord(&buf, header)
	for _, r := range records {
		writeCSVRecord(&buf, r)
	}
	return &buf, int64(buf.Len())
}

// writeCSVRecord appends one RFC 4180 record to buf: the fields joined by
// commas, then CRLF. A field csvNeedsQuotes is written in double quotes
// with each quote in it doubled; every other byte of every field, a CR or
// LF inside quotes included, is written as it is, so a reader gets back the
// text that was stored. (encoding/csv's Writer cannot do that: with UseCRLF
// it drops a field's CR and turns its LF into CRLF.)
func writeCSVRecord(buf *bytes.Buffer, record []string) {
	for i, f := range record {
		if i > 0 {
			buf.WriteByte(',')
		}
		if !csvNeedsQuotes(f) {
			buf.WriteString(f)
			continue
		}
		buf.WriteByte('"')
		for {
			j := strings.IndexByte(f, '"')
			if j < 0 {
				break
			}
			buf.WriteString(f[:j+1]) // up to and including the quote ...
			buf.WriteByte('"')       // ... and the quote again
			f = f[j+1:]
		}
		buf.WriteString(f)
		buf.WriteByte('"')
	}
	buf.WriteString("\r\n")
}

// csvNeedsQuotes reports whether field must be quoted: RFC 4180 requires it
// for a comma, a double quote, CR or LF. The other two rules are
// encoding/csv's, so that a field is quoted as encoding/csv would quote it: a
// field starting with a space (unicode.IsSpace), which some readers would
// trim, and the field `\.`, which PostgreSQL's COPY reads as end of data.
func csvNeedsQuotes(field string) bool {
	if field == "" {
		return false
	}
	if field == `\.` || strings.ContainsAny(field, ",\"\r\n") {
		return true
	}
	r, _ := utf8.DecodeRuneInString(field)
	return unicode.IsSpace(r)
}

// setNullable sets n to v, or to JSON null when v is nil.
func setNullable(n *nullable.Nullable[string], v *string) {
	if v == nil {
		n.SetNull()
		return
	}
	n.Set(*v)
}
