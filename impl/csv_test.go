package impl

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/generated"
)

// TestCSVBody: each field is written as RFC 4180 gives it and nothing
// else. A field with a comma, a double quote, CR or LF (or a leading space,
// or the lone `\.`, as encoding/csv also quotes) is quoted with its quotes
// doubled; every other byte, CR and LF included, is written as it is; each
// record ends with CRLF. The wanted bytes are written out by hand.
func TestCSVBody(t *testing.T) {
	tests := []struct {
		name   string
		fields []string
		want   string
	}{
		{"CR and LF", []string{"a\rb\nc"}, "\"a\rb\nc\"\r\n"},
		{"CRLF", []string{"\r\n"}, "\"\r\n\"\r\n"},
		{"LF", []string{"\n"}, "\"\n\"\r\n"},
		{"CR", []string{"\r"}, "\"\r\"\r\n"},
		{"CR inside", []string{"a\rb"}, "\"a\rb\"\r\n"},
		{"LF CR", []string{"x\n\ry"}, "\"x\n\ry\"\r\n"},
		{"CR and LF among fields", []string{"1", "a\rb\nc", "z"}, "1,\"a\rb\nc\",z\r\n"},
		{"quotes", []string{`say "hi"`}, `"say ""hi"""` + "\r\n"},
		{"a quote alone", []string{`"`}, `""""` + "\r\n"},
		{"quotes and a line break", []string{"\"a\"\r\n\"b\""}, "\"\"\"a\"\"\r\n\"\"b\"\"\"\r\n"},
		{"comma", []string{"a,b", "c"}, `"a,b",c` + "\r\n"},
		{"empty", []string{""}, "\r\n"},
		{"empty fields", []string{"", "", ""}, ",,\r\n"},
		{"leading space", []string{" lead"}, `" lead"` + "\r\n"},
		{"leading tab", []string{"\tlead"}, "\"\tlead\"\r\n"},
		{"leading no-break space", []string{"\u00a0lead"}, "\"\u00a0lead\"\r\n"},
		{"trailing and inner space", []string{"trail ", "in ner"}, "trail ,in ner\r\n"},
		{"unicode", []string{"Ünïcødé 忍者 🥷"}, "Ünïcødé 忍者 🥷\r\n"},
		{"unicode with a comma", []string{"忍,者"}, "\"忍,者\"\r\n"},
		{"unicode with a line break", []string{"忍\r\n者"}, "\"忍\r\n者\"\r\n"},
		{"end-of-data marker", []string{`\.`}, `"\."` + "\r\n"},
		{"plain", []string{"1", "Farm", "-10", "10"}, "1,Farm,-10,10\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderCSV(t, tt.fields, nil)
			if got != tt.want {
				t.Fatalf("csvBody(%q) = %q, want %q", tt.fields, got, tt.want)
			}
			checkRoundTrip(t, got, [][]string{tt.fields})
			checkAsBefore(t, got, [][]string{tt.fields})
		})
	}
}

// TestCSVBodyRecords: a header and records, one CRLF-ended line each, and
// a field's CR and LF stay inside its quotes.
func TestCSVBodyRecords(t *testing.T) {
	header := []string{"id", "description"}
	records := [][]string{{"1", "a\rb\nc"}, {"2", ""}, {"3", "\r\n"}, {"4", `x,"y"`}}
	want := "id,description\r\n" +
		"1,\"a\rb\nc\"\r\n" +
		"2,\r\n" +
		"3,\"\r\n\"\r\n" +
		"4,\"x,\"\"y\"\"\"\r\n"
	got := renderCSV(t, header, records)
	if got != want {
		t.Fatalf("csvBody = %q, want %q", got, want)
	}
	checkRoundTrip(t, got, append([][]string{header}, records...))
}

// FuzzCSVBody: any fields read back exactly, and fields without CR or LF
// are written as encoding/csv wrote them before.
func FuzzCSVBody(f *testing.F) {
	for _, s := range []string{"", "a\rb\nc", "a\rb", "\r\n", "\n", "\r", `"`, ",", " x", `\.`, "忍者", "\xff\xfe", "a\x00b"} {
		f.Add(s, "x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		got := renderCSV(t, []string{a, b}, [][]string{{b}, {a}})
		want := [][]string{{a, b}, {b}, {a}}
		checkRoundTrip(t, got, want)
		checkAsBefore(t, got, want)
	})
}

// TestListLocationsCSVKeepsText: a location whose description holds a lone
// CR and an LF is served as CSV, through the real handler and store, with
// its description's bytes as they were stored.
func TestListLocationsCSVKeepsText(t *testing.T) {
	db := openSQLite(t)
	s := newServer(t, db)
	desc := "a\rb\nc"
	created, err := s.CreateLocation(t.Context(), generated.CreateLocationRequestObject{Body: &generated.NewLocation{
		Name: "Mill", MinGold: -5, MaxGold: 10, Description: &desc,
	}})
	if err != nil {
		t.Fatalf("CreateLocation: %v", err)
	}
	l := created.(generated.FastCreateLocation201JSONResponse).Body
	if l.Description != desc {
		t.Fatalf("created description = %q, want %q", l.Description, desc)
	}

	// The page after the location before it holds that location alone.
	after := cursor{ID: l.Id - 1, List: "/locations"}.encode()
	limit := int32(1)
	ctx := WithRequestInfo(t.Context(), RequestInfo{MediaType: "text/csv; charset=utf-8"})
	resp, err := s.ListLocations(ctx, generated.ListLocationsRequestObject{Params: generated.ListLocationsParams{Limit: &limit, Cursor: &after}})
	if err != nil {
		t.Fatalf("ListLocations: %v", err)
	}
	page, ok := resp.(generated.ListLocations200TextcsvCharsetUtf8Response)
	if !ok {
		t.Fatalf("ListLocations as text/csv answered %T", resp)
	}
	body, err := io.ReadAll(page.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := "id,name,min_gold,max_gold,description,created_at,updated_at\r\n" +
		strconv.FormatInt(l.Id, 10) + ",Mill,-5,10,\"a\rb\nc\"," +
		l.CreatedAt.Format(time.RFC3339Nano) + "," + l.UpdatedAt.Format(time.RFC3339Nano) + "\r\n"
	if string(body) != want {
		t.Errorf("CSV body = %q, want %q", body, want)
	}
	if page.ContentLength != int64(len(body)) {
		t.Errorf("ContentLength = %d, body has %d bytes", page.ContentLength, len(body))
	}
	rows, err := parseRFC4180(string(body))
	if err != nil {
		t.Fatalf("the body is not RFC 4180: %v", err)
	}
	if len(rows) != 2 || len(rows[1]) != 7 || rows[1][4] != desc {
		t.Errorf("rows = %q, want the description %q in the fifth field of the second", rows, desc)
	}
}

// renderCSV is csvBody's output as a string, checking the length it gives.
func renderCSV(t *testing.T, header []string, records [][]string) string {
	t.Helper()
	r, n := csvBody(header, records)
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(b)) {
		t.Errorf("csvBody gave length %d for %d bytes", n, len(b))
	}
	return string(b)
}

// checkRoundTrip: got, read as RFC 4180, is exactly want.
func checkRoundTrip(t *testing.T, got string, want [][]string) {
	t.Helper()
	rows, err := parseRFC4180(got)
	if err != nil {
		t.Fatalf("%q is not RFC 4180: %v", got, err)
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("%q reads back as %q, want %q", got, rows, want)
	}
}

// checkAsBefore: when no field has a CR or LF, got is what encoding/csv
// with UseCRLF, which csvBody used to be, writes for the same records.
func checkAsBefore(t *testing.T, got string, records [][]string) {
	t.Helper()
	for _, r := range records {
		for _, f := range r {
			if strings.ContainsAny(f, "\r\n") {
				return
			}
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.WriteAll(records); err != nil {
		t.Fatal(err)
	}
	if got != buf.String() {
		t.Errorf("csvBody wrote %q, encoding/csv writes %q", got, buf.String())
	}
}

// parseRFC4180 reads s strictly as RFC 4180 records: every record ends
// with CRLF; a quoted field holds any bytes, with "" for a quote; an
// unquoted field holds no comma, quote, CR or LF. Unlike encoding/csv's
// Reader it keeps a quoted field's CR and LF as they are.
func parseRFC4180(s string) ([][]string, error) {
	var rows [][]string
	for s != "" {
		var row []string
		for {
			var field string
			if strings.HasPrefix(s, `"`) {
				s = s[1:]
				var b strings.Builder
				for {
					i := strings.IndexByte(s, '"')
					if i < 0 {
						return nil, errors.New("a quoted field has no closing quote")
					}
					b.WriteString(s[:i])
					s = s[i+1:]
					if !strings.HasPrefix(s, `"`) {
						break
					}
					b.WriteByte('"')
					s = s[1:]
				}
				field = b.String()
			} else {
				i := strings.IndexAny(s, ",\"\r\n")
				if i < 0 {
					return nil, errors.New("the last record does not end with CRLF")
				}
				if s[i] == '"' || s[i] == '\n' || (s[i] == '\r' && !strings.HasPrefix(s[i:], "\r\n")) {
					return nil, errors.New("an unquoted field holds a quote, CR or LF")
				}
				field, s = s[:i], s[i:]
			}
			row = append(row, field)
			if strings.HasPrefix(s, ",") {
				s = s[1:]
				continue
			}
			if strings.HasPrefix(s, "\r\n") {
				s = s[2:]
				break
			}
			return nil, errors.New("a field is followed by neither a comma nor CRLF")
		}
		rows = append(rows, row)
	}
	return rows, nil
}
