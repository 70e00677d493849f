package jsonwrite

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
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
	"truncated \xf0\x9f\xa5", "\x80", "a\x80b", strings.Repeat("a<", 40),
	// U+FFFD itself is valid UTF-8 and goes as is: only an invalid byte,
	// which decodes to it too, becomes \ufffd.
	"\uFFFD", "a\uFFFDb",
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
		time.Date(10000, 1, 1, 1, 0, 0, 0, time.UTC).In(time.FixedZone("", -3600)), // 10000-01-01T00:00 there
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

// TestTimeUTC holds the UTC path, which works the date out itself, to
// encoding/json: around the days a calendar gets wrong (leap days of
// years divisible by 4, 100 and 400, the ends of months and years, the
// Unix epoch, the range's ends) and at times spread over the whole range,
// each with fractions of every length.
func TestTimeUTC(t *testing.T) {
	check := func(tm time.Time) {
		t.Helper()
		want, err := json.Marshal(tm)
		got, ok := Time(nil, tm)
		if ok != (err == nil) {
			t.Fatalf("Time(%v): ok %v, encoding/json error %v", tm, ok, err)
		}
		if ok && string(got) != string(want) {
			t.Fatalf("Time(%v) = %s, want %s", tm, got, want)
		}
	}
	fracs := []int{0, 1, 10, 100_000, 120_000_000, 999_000_000, 123_456_789, 999_999_999, 500_000_000}
	for _, year := range []int{-1, 0, 1, 4, 99, 100, 400, 1600, 1899, 1900, 1969, 1970, 1999, 2000, 2024, 2026, 2100, 2400, 9996, 9999, 10000} {
		for _, md := range [][2]int{{1, 1}, {2, 28}, {2, 29}, {3, 1}, {4, 30}, {12, 31}} {
			for _, clock := range []int{0, 1, 59, 3599, 43200, 86399} {
				for _, ns := range fracs {
					check(time.Date(year, time.Month(md[0]), md[1], 0, 0, clock, ns, time.UTC))
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		sec := unixYear0 - 86400 + rng.Int64N(unixYear10000-unixYear0+2*86400)
		check(time.Unix(sec, int64(fracs[rng.IntN(len(fracs))])).UTC())
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

// BenchmarkTime compares Time on a time as the stores return it (UTC, to
// the microsecond) with the same time in a fixed zone of offset zero,
// which goes through time.Time.AppendFormat as every time did before the
// UTC path.
//
//	go test ./internal/jsonwrite -run '^$' -bench Time
func BenchmarkTime(b *testing.B) {
	utc := time.UnixMicro(1_796_530_591_856_000).UTC()
	for _, c := range []struct {
		name string
		t    time.Time
	}{
		{"utc", utc},
		{"zone", utc.In(time.FixedZone("Z", 0))},
	} {
		b.Run(c.name, func(b *testing.B) {
			buf := make([]byte, 0, 64)
			for b.Loop() {
				var ok bool
				if buf, ok = Time(buf[:0], c.t); !ok {
					b.Fatal("refused")
				}
			}
		})
	}
}

// ContentType is shared by every response's header map: full, so that
// Header.Add copies it rather than writing past its end into the shared
// array, and adding to one response's header leaves it as it was.
func TestContentTypeIsShared(t *testing.T) {
	if len(ContentType) != 1 || cap(ContentType) != 1 || ContentType[0] != "application/json" {
		t.Fatalf("ContentType = %q (cap %d), want [application/json] (cap 1)", ContentType, cap(ContentType))
	}
	h := http.Header{"Content-Type": ContentType}
	h.Add("Content-Type", "text/plain")
	h.Set("Content-Type", "text/csv")
	if len(ContentType) != 1 || ContentType[0] != "application/json" {
		t.Fatalf("a header's Add and Set changed ContentType to %q", ContentType)
	}
}

// Send writes the status, then the body with the newline json.Encoder ends
// it with, as oapi-codegen's writers do: the generated writers' answers
// are byte for byte theirs.
func TestSend(t *testing.T) {
	w := httptest.NewRecorder()
	body := []byte(`{"id":1}`)
	if err := Send(w, http.StatusCreated, &body); err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusCreated || w.Body.String() != "{\"id\":1}\n" {
		t.Errorf("Send: %d %q, want 201 %q", w.Code, w.Body.String(), "{\"id\":1}\n")
	}
}

// A buffer from Buffer is empty, also when the pool hands back one that
// was released full: Release empties it, and a response written into it
// does not begin with the last one's bytes. sync.Pool may drop what it is
// given (under -race one time in four, at random), so the round trip is
// repeated: the pool hands the released buffer back most of the times.
func TestBufferAfterRelease(t *testing.T) {
	for i := range 100 {
		b := Buffer()
		if len(*b) != 0 {
			t.Fatalf("round %d: Buffer() has length %d (%q), want 0", i, len(*b), *b)
		}
		*b = String(*b, "a response")
		Release(b)
	}
}
