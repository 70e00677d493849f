package main

import (
	"flag"
	"fmt"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/generated"
)

var (
	encodeN    = flag.Int("encode.n", 2000, "random values per response type in TestWritersMatchGenerated")
	encodeSeed = flag.Uint64("encode.seed", 0, "seed of TestWritersMatchGenerated (0: a new one, printed when it fails)")
)

// writerPair is a response written twice: by oapi-codegen's writer
// (encoding/json) and by writergen's.
type writerPair struct {
	name      string // the Fast type
	holdsTime bool   // whether its body has a time.Time, which can be refused
	// make fills a fresh response from r and returns both writers of it.
	make func(r *rand.Rand) (generated func(http.ResponseWriter) error, fast func(http.ResponseWriter) error)
}

// pair builds a writerPair for one generated response type G and its fast
// writer F, from their visit methods.
func pair[G any, F any](wrap func(G) F, gen func(G, http.ResponseWriter) error, fast func(F, http.ResponseWriter) error) writerPair {
	var f F
	name := strings.TrimPrefix(fmt.Sprintf("%T", f), "generated.")
	return writerPair{name, holdsTime(reflect.TypeFor[G]()), func(r *rand.Rand) (func(http.ResponseWriter) error, func(http.ResponseWriter) error) {
		var g G
		fill(r, reflect.ValueOf(&g).Elem())
		f := wrap(g)
		return func(w http.ResponseWriter) error { return gen(g, w) }, func(w http.ResponseWriter) error { return fast(f, w) }
	}}
}

// writerPairs has every Fast type of generated/writers.gen.go
// (TestWriterPairsCoverTheFile checks).
var writerPairs = []writerPair{
	pair(func(g generated.GetHealth200JSONResponse) generated.FastGetHealth200JSONResponse {
		return generated.FastGetHealth200JSONResponse{GetHealth200JSONResponse: g}
	}, generated.GetHealth200JSONResponse.VisitGetHealthResponse, generated.FastGetHealth200JSONResponse.VisitGetHealthResponse),
	pair(func(g generated.GetReadiness200JSONResponse) generated.FastGetReadiness200JSONResponse {
		return generated.FastGetReadiness200JSONResponse{GetReadiness200JSONResponse: g}
	}, generated.GetReadiness200JSONResponse.VisitGetReadinessResponse, generated.FastGetReadiness200JSONResponse.VisitGetReadinessResponse),
	pair(func(g generated.ListLocations200JSONResponse) generated.FastListLocations200JSONResponse {
		return generated.FastListLocations200JSONResponse{ListLocations200JSONResponse: g}
	}, generated.ListLocations200JSONResponse.VisitListLocationsResponse, generated.FastListLocations200JSONResponse.VisitListLocationsResponse),
	pair(func(g generated.CreateLocation201JSONResponse) generated.FastCreateLocation201JSONResponse {
		return generated.FastCreateLocation201JSONResponse{CreateLocation201JSONResponse: g}
	}, generated.CreateLocation201JSONResponse.VisitCreateLocationResponse, generated.FastCreateLocation201JSONResponse.VisitCreateLocationResponse),
	pair(func(g generated.GetLocation200JSONResponse) generated.FastGetLocation200JSONResponse {
		return generated.FastGetLocation200JSONResponse{GetLocation200JSONResponse: g}
	}, generated.GetLocation200JSONResponse.VisitGetLocationResponse, generated.FastGetLocation200JSONResponse.VisitGetLocationResponse),
	pair(func(g generated.ReplaceLocation200JSONResponse) generated.FastReplaceLocation200JSONResponse {
		return generated.FastReplaceLocation200JSONResponse{ReplaceLocation200JSONResponse: g}
	}, generated.ReplaceLocation200JSONResponse.VisitReplaceLocationResponse, generated.FastReplaceLocation200JSONResponse.VisitReplaceLocationResponse),
	pair(func(g generated.UpdateLocation200JSONResponse) generated.FastUpdateLocation200JSONResponse {
		return generated.FastUpdateLocation200JSONResponse{UpdateLocation200JSONResponse: g}
	}, generated.UpdateLocation200JSONResponse.VisitUpdateLocationResponse, generated.FastUpdateLocation200JSONResponse.VisitUpdateLocationResponse),
	pair(func(g generated.ListPlayers200JSONResponse) generated.FastListPlayers200JSONResponse {
		return generated.FastListPlayers200JSONResponse{ListPlayers200JSONResponse: g}
	}, generated.ListPlayers200JSONResponse.VisitListPlayersResponse, generated.FastListPlayers200JSONResponse.VisitListPlayersResponse),
	pair(func(g generated.ReplacePlayerToken200JSONResponse) generated.FastReplacePlayerToken200JSONResponse {
		return generated.FastReplacePlayerToken200JSONResponse{ReplacePlayerToken200JSONResponse: g}
	}, generated.ReplacePlayerToken200JSONResponse.VisitReplacePlayerTokenResponse, generated.FastReplacePlayerToken200JSONResponse.VisitReplacePlayerTokenResponse),
	pair(func(g generated.CreatePlayer201JSONResponse) generated.FastCreatePlayer201JSONResponse {
		return generated.FastCreatePlayer201JSONResponse{CreatePlayer201JSONResponse: g}
	}, generated.CreatePlayer201JSONResponse.VisitCreatePlayerResponse, generated.FastCreatePlayer201JSONResponse.VisitCreatePlayerResponse),
	pair(func(g generated.GetPlayer200JSONResponse) generated.FastGetPlayer200JSONResponse {
		return generated.FastGetPlayer200JSONResponse{GetPlayer200JSONResponse: g}
	}, generated.GetPlayer200JSONResponse.VisitGetPlayerResponse, generated.FastGetPlayer200JSONResponse.VisitGetPlayerResponse),
	pair(func(g generated.ListVisits200JSONResponse) generated.FastListVisits200JSONResponse {
		return generated.FastListVisits200JSONResponse{ListVisits200JSONResponse: g}
	}, generated.ListVisits200JSONResponse.VisitListVisitsResponse, generated.FastListVisits200JSONResponse.VisitListVisitsResponse),
	pair(func(g generated.CreateVisit201JSONResponse) generated.FastCreateVisit201JSONResponse {
		return generated.FastCreateVisit201JSONResponse{CreateVisit201JSONResponse: g}
	}, generated.CreateVisit201JSONResponse.VisitCreateVisitResponse, generated.FastCreateVisit201JSONResponse.VisitCreateVisitResponse),
	pair(func(g generated.GetVisit200JSONResponse) generated.FastGetVisit200JSONResponse {
		return generated.FastGetVisit200JSONResponse{GetVisit200JSONResponse: g}
	}, generated.GetVisit200JSONResponse.VisitGetVisitResponse, generated.FastGetVisit200JSONResponse.VisitGetVisitResponse),
}

// TestWriterPairsCoverTheFile checks that writerPairs names every Fast type
// the committed generated/writers.gen.go declares, so a writer the
// generator starts writing cannot go untested.
func TestWriterPairsCoverTheFile(t *testing.T) {
	file, err := parser.ParseFile(token.NewFileSet(), "../../generated/writers.gen.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var inFile, inTest []string
	for name := range newDecls(file).types {
		if strings.HasPrefix(name, "Fast") {
			inFile = append(inFile, name)
		}
	}
	for _, p := range writerPairs {
		inTest = append(inTest, p.name)
	}
	slices.Sort(inFile)
	slices.Sort(inTest)
	if !slices.Equal(inFile, inTest) {
		t.Fatalf("writers.gen.go declares %v; writerPairs tests %v", inFile, inTest)
	}
}

// TestWritersMatchGenerated writes random responses of every Fast type
// with both writers and requires the same status, headers, body bytes and
// error. The values are filled by reflection, every field and header
// included: strings full of what JSON escapes and invalid UTF-8, the
// extreme integers, times with odd zones and years encoding/json refuses.
func TestWritersMatchGenerated(t *testing.T) {
	seed := *encodeSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	defer func() {
		if t.Failed() {
			t.Logf("replay with: go test ./internal/writergen -run TestWritersMatchGenerated -args -encode.seed=%d -encode.n=%d", seed, *encodeN)
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
					t.Fatalf("value %d: oapi-codegen's writer error %v, writergen's %v", i, wantErr, gotErr)
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
			// The times include some encoding/json refuses, so both paths
			// are exercised (the refusal goes to oapi-codegen's writer).
			if fellBack == *encodeN || fellBack == 0 && p.holdsTime {
				t.Errorf("%d of %d values were refused; want some, not all", fellBack, *encodeN)
			}
		})
	}
}

// trickyStrings exercise every escaping rule of encoding/json.
var trickyStrings = []string{
	"", "Farm", `"quoted" \back\slash/`, "<script>&amp;</script>", "tab\there\nnew\rline\b\f",
	"\x00\x01\x1f\x7f", "caf\u00e9 \u65e5\u672c \U0001F977", "line\u2028para\u2029", "bad \xff\xfe utf8 \xe2\x82",
	"truncated \xf0\x9f\xa5", strings.Repeat("a<", 40),
}

// holdsTime reports whether a value of type t holds a time.Time.
func holdsTime(t reflect.Type) bool {
	if t == reflect.TypeFor[time.Time]() {
		return true
	}
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsTime(t.Field(i).Type) {
				return true
			}
		}
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return holdsTime(t.Elem())
	}
	return false
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

// BenchmarkWriters compares the two writers on a typical location:
//
//	go test ./internal/writergen -run '^$' -bench Writers -benchmem
func BenchmarkWriters(b *testing.B) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 123456789, time.UTC)
	g := generated.GetLocation200JSONResponse{
		Body:    generated.Location{Id: 1, Name: "Farm", MinGold: 10, MaxGold: 20, Description: "Tend the fields for an honest wage.", CreatedAt: now, UpdatedAt: now},
		Headers: generated.GetLocation200ResponseHeaders{ETag: `"1"`},
	}
	w := &discardWriter{h: http.Header{}}
	b.Run("oapi-codegen", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			clear(w.h)
			_ = g.VisitGetLocationResponse(w)
		}
	})
	b.Run("writergen", func(b *testing.B) {
		b.ReportAllocs()
		f := generated.FastGetLocation200JSONResponse{GetLocation200JSONResponse: g}
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
