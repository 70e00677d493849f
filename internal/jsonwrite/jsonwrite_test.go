package jsonwrite

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"
)

// FuzzString compares String with encoding/json on any string.
func FuzzString(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := String(nil, s); string(got) != string(want) {
			t.Fatalf("String(%q) = %s, encoding/json writes %s", s, got, want)
		}
	})
}

func TestStringTricky(t *testing.T) {
	for _, s := range tricky {
		want, _ := json.Marshal(s)
		if got := String(nil, s); string(got) != string(want) {
			t.Errorf("String(%q) = %s, want %s", s, got, want)
		}
	}
}

// tricky are strings that exercise every escaping rule of encoding/json.
var tricky = []string{
	"", "Farm", `"quoted" \back\slash/`, "<script>&amp;</script>", "tab\there\nnew\rline\b\f",
	"\x00\x01\x1f\x7f", "caf\u00e9 \u65e5\u672c \U0001F977", "line\u2028para\u2029", "bad \xff\xfe utf8 \xe2\x82",
	"truncated \xf0\x9f\xa5", strings.Repeat("a<", 40),
}

func TestTime(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 1, 10, 0, 0, 120000000, time.FixedZone("", 5*3600+30*60)),
		time.Date(0, 1, 1, 0, 0, 0, 1, time.FixedZone("X", -(23*3600+59*60))),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 12, 31, 23, 59, 59, 999999999, time.UTC),
		// The year is the one in the time's zone.
		time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC).In(time.FixedZone("", 2*3600)),
		time.Date(10000, 1, 1, 0, 30, 0, 0, time.UTC).In(time.FixedZone("", -3600)),
		time.Date(0, 1, 1, 0, 30, 0, 0, time.UTC).In(time.FixedZone("", -3600)),
		time.Date(-1, 12, 31, 23, 30, 0, 0, time.UTC).In(time.FixedZone("", 3600)),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600)),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", -24*3600)),
	} {
		want, err := json.Marshal(tm)
		got, ok := Time([]byte("x"), tm)
		if ok != (err == nil) {
			t.Errorf("Time(%v): ok %v, encoding/json error %v", tm, ok, err)
			continue
		}
		if !ok && string(got) != "x" {
			t.Errorf("Time(%v) refused but appended %q", tm, got[1:])
		}
		if ok && string(got[1:]) != string(want) {
			t.Errorf("Time(%v) = %s, want %s", tm, got[1:], want)
		}
	}
}

func TestNullableString(t *testing.T) {
	for _, n := range []nullable.Nullable[string]{
		nil, nullable.NewNullNullable[string](), nullable.NewNullableWithValue(""), nullable.NewNullableWithValue("a<\xff"),
	} {
		want, err := json.Marshal(struct {
			N nullable.Nullable[string] `json:"n"`
		}{n})
		if err != nil {
			t.Fatal(err)
		}
		if got := `{"n":` + string(NullableString(nil, n)) + `}`; got != string(want) {
			t.Errorf("NullableString(%v) = %s, want %s", n, got, want)
		}
	}
}
