package impl

import (
	"encoding/json"
	"flag"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/generated"
)

var (
	encodeN    = flag.Int("encode.n", 2000, "random values per response type in TestWritersMatchGenerated")
	encodeSeed = flag.Uint64("encode.seed", 0, "seed of TestWritersMatchGenerated (0: a new one, printed when it fails)")
)

// writerPair is a response written twice: by the generated writer
// (encoding/json) and by this package's.
type writerPair struct {
	name string
	// make fills a fresh response from r and returns both writers of it.
	make func(r *rand.Rand) (generated func(http.ResponseWriter) error, fast func(http.ResponseWriter) error)
}

// pair builds a writerPair for one generated response type G and its fast
// writer F, from their visit methods.
func pair[G any, F any](name string, wrap func(G) F, gen func(G, http.ResponseWriter) error, fast func(F, http.ResponseWriter) error) writerPair {
	return writerPair{name, func(r *rand.Rand) (func(http.ResponseWriter) error, func(http.ResponseWriter) error) {
		var g G
		fill(r, reflect.ValueOf(&g).Elem())
		f := wrap(g)
		return func(w http.ResponseWriter) error { return gen(g, w) }, func(w http.ResponseWriter) error { return fast(f, w) }
	}}
}

var writerPairs = []writerPair{
	pair("GetLocation", func(g generated.GetLocation200JSONResponse) getLocationJSON { return getLocationJSON{g} },
		generated.GetLocation200JSONResponse.VisitGetLocationResponse, getLocationJSON.VisitGetLocationResponse),
	pair("ListLocations", func(g generated.ListLocations200JSONResponse) listLocationsJSON { return listLocationsJSON{g} },
		generated.ListLocations200JSONResponse.VisitListLocationsResponse, listLocationsJSON.VisitListLocationsResponse),
	pair("CreatePlayer", func(g generated.CreatePlayer201JSONResponse) createPlayerJSON { return createPlayerJSON{g} },
		generated.CreatePlayer201JSONResponse.VisitCreatePlayerResponse, createPlayerJSON.VisitCreatePlayerResponse),
	pair("GetPlayer", func(g generated.GetPlayer200JSONResponse) getPlayerJSON { return getPlayerJSON{g} },
		generated.GetPlayer200JSONResponse.VisitGetPlayerResponse, getPlayerJSON.VisitGetPlayerResponse),
	pair("ListPlayers", func(g generated.ListPlayers200JSONResponse) listPlayersJSON { return listPlayersJSON{g} },
		generated.ListPlayers200JSONResponse.VisitListPlayersResponse, listPlayersJSON.VisitListPlayersResponse),
	pair("CreateVisit", func(g generated.CreateVisit201JSONResponse) createVisitJSON { return createVisitJSON{g} },
		generated.CreateVisit201JSONResponse.VisitCreateVisitResponse, createVisitJSON.VisitCreateVisitResponse),
	pair("GetVisit", func(g generated.GetVisit200JSONResponse) getVisitJSON { return getVisitJSON{g} },
		generated.GetVisit200JSONResponse.VisitGetVisitResponse, getVisitJSON.VisitGetVisitResponse),
	pair("ListVisits", func(g generated.ListVisits200JSONResponse) listVisitsJSON { return listVisitsJSON{g} },
		generated.ListVisits200JSONResponse.VisitListVisitsResponse, listVisitsJSON.VisitListVisitsResponse),
}

// TestWritersMatchGenerated writes random responses of every hand-written
// type with both writers and requires the same status, headers, body bytes
// and error. The values are filled by reflection, every field and header
// included, so a field or header the contract gains and this package's
// writer does not write fails here.
func TestWritersMatchGenerated(t *testing.T) {
	seed := *encodeSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	defer func() {
		if t.Failed() {
			t.Logf("replay with: go test ./impl -run TestWritersMatchGenerated -args -encode.seed=%d -encode.n=%d", seed, *encodeN)
		}
	}()
	r := rand.New(rand.NewPCG(seed, 7))
	for _, p := range writerPairs {
		t.Run(p.name, func(t *testing.T) {
			fellBack := 0
			for i := range *encodeN {
				gen, fast := p.make(r)
				want, got := httptest.NewRecorder(), httptest.NewRecorder()
				wantErr, gotErr := gen(want), fast(got)
				if (wantErr == nil) != (gotErr == nil) {
					t.Fatalf("value %d: generated writer error %v, this package's %v", i, wantErr, gotErr)
				}
				if wantErr != nil {
					fellBack++
				}
				if want.Code != got.Code {
					t.Fatalf("value %d: status %d, want %d", i, got.Code, want.Code)
				}
				if !reflect.DeepEqual(want.Header(), got.Header()) {
					t.Fatalf("value %d: headers\n got %v\nwant %v", i, got.Header(), want.Header())
				}
				if want.Body.String() != got.Body.String() {
					t.Fatalf("value %d: body\n got %s\nwant %s", i, got.Body, want.Body)
				}
			}
			// The values include times encoding/json refuses, so both
			// paths are exercised (the refusal goes to the generated writer).
			if fellBack == 0 || fellBack == *encodeN {
				t.Errorf("%d of %d values were refused; want some, not all", fellBack, *encodeN)
			}
		})
	}
}

// FuzzAppendString compares appendString with encoding/json on any string.
func FuzzAppendString(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendString(nil, s); string(got) != string(want) {
			t.Fatalf("appendString(%q) = %s, encoding/json writes %s", s, got, want)
		}
	})
}

func TestAppendStringTricky(t *testing.T) {
	for _, s := range trickyStrings {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

var trickyStrings = []string{
	"", "Farm", `"quoted" \back\slash/`, "<script>&amp;</script>", "tab\there\nnew\rline\b\f",
	"\x00\x01\x1f\x7f", "caf\u00e9 \u65e5\u672c \U0001F977", "line\u2028para\u2029", "bad \xff\xfe utf8 \xe2\x82",
	"truncated \xf0\x9f\xa5", strings.Repeat("a<", 40),
}

// fill sets v, and everything below it, to random values: the strings are
// drawn to include what JSON escapes, the times what RFC 3339 cannot hold.
func fill(r *rand.Rand, v reflect.Value) {
	switch v.Interface().(type) {
	case time.Time:
		v.Set(reflect.ValueOf(randomTime(r)))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			fill(r, v.Field(i))
		}
	case reflect.String:
		v.SetString(randomString(r))
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(randomInt(r, v.Type().Bits()))
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Pointer:
		if r.IntN(3) == 0 {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(r, p.Elem())
		v.Set(p)
	case reflect.Slice:
		if r.IntN(8) == 0 {
			v.SetZero() // nil: null
			return
		}
		s := reflect.MakeSlice(v.Type(), r.IntN(4), r.IntN(4)+4)
		for i := range s.Len() {
			fill(r, s.Index(i))
		}
		v.Set(s)
	case reflect.Map: // nullable.Nullable[T]: unset (nil), null, or a value
		switch r.IntN(3) {
		case 0:
			v.SetZero()
		case 1:
			m := reflect.MakeMap(v.Type())
			m.SetMapIndex(reflect.ValueOf(false), reflect.Zero(v.Type().Elem()))
			v.Set(m)
		default:
			m := reflect.MakeMap(v.Type())
			e := reflect.New(v.Type().Elem()).Elem()
			fill(r, e)
			m.SetMapIndex(reflect.ValueOf(true), e)
			v.Set(m)
		}
	default:
		panic("fill: no random " + v.Type().String())
	}
}

func randomString(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return trickyStrings[r.IntN(len(trickyStrings))]
	}
	pieces := []string{"a", "Z", " ", "<", ">", "&", `"`, `\`, "/", "\n", "\x00", "\x1b", "\x7f",
		"\u00e9", "\u2028", "\u2029", "\U0001F977", "\xff", "\xe2\x82", "\ufffd", "Farm", "0"}
	var b strings.Builder
	for range r.IntN(12) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

func randomInt(r *rand.Rand, bits int) int64 {
	switch r.IntN(4) {
	case 0:
		return r.Int64N(100) - 50
	case 1:
		return -1 << (bits - 1) // the least value
	case 2:
		return 1<<(bits-1) - 1 // the greatest
	}
	if bits == 32 {
		return int64(int32(r.Uint32()))
	}
	return int64(r.Uint64())
}

func randomTime(r *rand.Rand) time.Time {
	zones := []*time.Location{time.UTC, time.UTC, time.FixedZone("", 5*3600+30*60), time.FixedZone("X", -8*3600),
		time.FixedZone("", 23*3600+59*60), time.FixedZone("", 24*3600), time.FixedZone("", -25*3600)}
	year := 1970 + r.IntN(100)
	if r.IntN(20) == 0 {
		year = []int{-1, 0, 9999, 10000, -10001}[r.IntN(5)]
	}
	nanos := 0
	if r.IntN(2) == 0 {
		nanos = r.IntN(1e9)
	}
	return time.Date(year, time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), nanos, zones[r.IntN(len(zones))])
}

// BenchmarkWriters compares the two writers on a typical location.
func BenchmarkWriters(b *testing.B) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 123456789, time.UTC)
	g := generated.GetLocation200JSONResponse{
		Body:    generated.Location{Id: 1, Name: "Farm", MinGold: 10, MaxGold: 20, Description: "Tend the fields for an honest wage.", CreatedAt: now, UpdatedAt: now},
		Headers: generated.GetLocation200ResponseHeaders{ETag: `"1"`},
	}
	w := &discardWriter{h: http.Header{}}
	b.Run("generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			clear(w.h)
			_ = g.VisitGetLocationResponse(w)
		}
	})
	b.Run("hand-written", func(b *testing.B) {
		b.ReportAllocs()
		f := getLocationJSON{g}
		for b.Loop() {
			clear(w.h)
			_ = f.VisitGetLocationResponse(w)
		}
	})
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}
