package api

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/internal/specfuzz"
)

var (
	quickN    = flag.Int("quick.n", FullSize(1000), "quick check differential test: random requests per operation (a third under the race detector)")
	quickSeed = flag.Uint64("quick.seed", 1, "quick check differential test: the seed of the generated requests")
)

const quickAdmin = "quick-admin-token"

// quickPair is the validator twice over the same contract: with the quick
// check and with kin-openapi alone, each in front of a handler that echoes
// the request as a handler would see it.
type quickPair struct {
	ops         operations
	quick, kin  *gin.Engine
	quickPassed int
}

// testOperations loads the contract and indexes its operations.
func testOperations(t testing.TB) (*openapi3.T, operations) {
	t.Helper()
	spec, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	ops, err := newOperations(spec, false)
	if err != nil {
		t.Fatal(err)
	}
	return spec, ops
}

func newQuickPair(t testing.TB) *quickPair {
	t.Helper()
	_, ops := testOperations(t)
	p := &quickPair{ops: ops}
	engine := func(kinOnly bool) *gin.Engine {
		v := newValidator(quickAdmin, DefaultMaxBodyBytes)
		v.kinOnly = kinOnly
		if !kinOnly {
			v.onQuick = func() { p.quickPassed++ }
		}
		r := newEngine() // routed as NewHandler routes
		rs := &routes{IRouter: r, ops: ops, chain: []func(*gin.Context, *operation){v.handle}}
		for method, byPath := range ops.byRoute {
			if method == http.MethodHead {
				continue // served by its GET twin
			}
			for path := range byPath {
				rs.Handle(method, path, echoRequest)
			}
		}
		if rs.err != nil {
			t.Fatal(rs.err)
		}
		return r
	}
	p.quick, p.kin = engine(false), engine(true)
	return p
}

// echoRequest answers with what a handler gets to see of the request.
func echoRequest(c *gin.Context) {
	body, _ := io.ReadAll(c.Request.Body)
	params := map[string]string{}
	for _, p := range c.Params {
		params[p.Key] = p.Value
	}
	c.JSON(http.StatusOK, map[string]any{
		"length":  c.Request.ContentLength,
		"getBody": c.Request.GetBody != nil,
		"params":  params,
		"query":   c.Request.URL.RawQuery,
		"header":  c.Request.Header,
		"body":    string(body),
	})
}

// outcome sends one request through both engines and returns a
// description of any difference.
func (p *quickPair) outcome(method, target string, header http.Header, body string) (quick bool, diff string) {
	return p.outcomeChunked(method, target, header, body, false)
}

// outcomeChunked is outcome with the body's length unknown when chunked.
func (p *quickPair) outcomeChunked(method, target string, header http.Header, body string, chunked bool) (quick bool, diff string) {
	send := func(h *gin.Engine) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		if body == "" {
			req.Body, req.ContentLength = http.NoBody, 0
		} else if chunked {
			req.ContentLength = -1
		}
		for k, v := range header {
			req.Header[k] = append([]string(nil), v...)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	before := p.quickPassed
	a, b := send(p.quick), send(p.kin)
	quick = p.quickPassed > before
	switch {
	case a.Code != b.Code:
		diff = fmt.Sprintf("status %d with the quick check, %d with kin-openapi alone", a.Code, b.Code)
	case a.Header().Get("Content-Type") != b.Header().Get("Content-Type"):
		diff = fmt.Sprintf("Content-Type %q vs %q", a.Header().Get("Content-Type"), b.Header().Get("Content-Type"))
	case !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()):
		diff = fmt.Sprintf("body\n  quick: %s\n  kin:   %s", a.Body, b.Body)
	}
	return quick, diff
}

// TestQuickCheckAgreesWithKin is the differential test of the quick check
// (quick.go): a large generated request set, valid and broken in every way
// internal/specfuzz knows plus byte-level edits of the bodies, goes through
// the validator with and without it. Status, Content-Type and body — the
// problem with its field messages, or what the handler received — must be
// the same every time. It also requires the quick check to pass most valid
// requests, so it cannot agree by never saying yes. Both sides match the
// contract's known patterns with the same functions (kin-openapi through
// useKnownPatternsInKin): TestKnownPatterns holds those to Go's regexp.
//
//	go test ./api -run TestQuickCheckAgreesWithKin -args -quick.n=20000 -quick.seed=7
func TestQuickCheckAgreesWithKin(t *testing.T) {
	p := newQuickPair(t)
	spec, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	gen := &specfuzz.Generator{Gen: specfuzz.NewGen(*quickSeed)}
	total, passed := 0, 0
	for _, op := range specfuzz.Operations(spec) {
		var cases []specfuzz.Case
		cases = append(cases, gen.Cases(op)...)
		for range *quickN {
			cases = append(cases, gen.Random(op))
		}
		validQuick, valid := 0, 0
		for _, c := range cases {
			inputs := []specfuzz.Input{c.Input}
			if c.Input.HasBody {
				inputs = append(inputs, bodyEdits(gen, c.Input)...)
			}
			inputs = append(inputs, paramEdits(gen, op, c.Input)...)
			if op.Body == nil && c.Expect == specfuzz.Valid {
				// A body sent to an operation that takes none, with its
				// length known and unknown.
				in := c.Input
				in.Body, in.HasBody = specfuzz.Raw(`{"stray":true}`), true
				method, target, header, body := quickRequest(op, in)
				for _, chunked := range []bool{false, true} {
					if _, diff := p.outcomeChunked(method, target, header, body, chunked); diff != "" {
						t.Fatalf("%s with a stray body (chunked %v): %s %s\n%s", op.ID(), chunked, method, target, diff)
					}
				}
			}
			for i, in := range inputs {
				method, target, header, body := quickRequest(op, in)
				quick, diff := p.outcome(method, target, header, body)
				total++
				if quick {
					passed++
				}
				if diff != "" {
					t.Fatalf("%s, case %q: %s %s\n%v\n%s\n\n%s", op.ID(), c.Name, method, target, header, body, diff)
				}
				if i == 0 && c.Expect == specfuzz.Valid {
					valid++
					if quick {
						validQuick++
					}
				}
			}
		}
		// Every parameter and body of this contract is within the quick
		// check's reach, so it must pass nearly all valid requests (the
		// rest carry escapes or other forms it leaves to kin-openapi).
		if valid > 0 && validQuick*10 < valid*8 {
			t.Errorf("%s: the quick check passed %d of %d valid requests", op.ID(), validQuick, valid)
		}
	}
	t.Logf("%d requests, %d passed by the quick check, every outcome the same as kin-openapi's alone", total, passed)
}

// quickRequest turns a generated input into a request, with credentials the
// validator accepts where the case asks for valid ones.
func quickRequest(op specfuzz.Op, in specfuzz.Input) (method, target string, header http.Header, body string) {
	header = http.Header{}
	for k, v := range in.Header {
		header[http.CanonicalHeaderKey(k)] = []string{v}
	}
	switch in.Auth {
	case specfuzz.AuthValid:
		header.Set("Authorization", "Bearer "+quickAdmin)
	case specfuzz.AuthNone:
		header.Del("Authorization")
	}
	return in.Method, in.Target(op.Path), header, in.BodyText()
}

// bodyEdits returns copies of in whose body text is edited byte by byte:
// whitespace, escapes, number forms, duplicated members, stray bytes.
func bodyEdits(gen *specfuzz.Generator, in specfuzz.Input) []specfuzz.Input {
	text := in.BodyText()
	if text == "" {
		return nil
	}
	r := gen.R
	edits := []func(string) string{
		func(s string) string {
			i := r.IntN(len(s) + 1)
			return s[:i] + []string{" ", "\t", "\n", "\r", "\v", "\u00a0", "\x00"}[r.IntN(7)] + s[i:]
		},
		func(s string) string {
			const pool = "\"{}[],:\\0123456789-+.eEntrufalsx \x1f\xc3\xa9"
			i := r.IntN(len(s))
			return s[:i] + string(pool[r.IntN(len(pool))]) + s[i+1:]
		},
		func(s string) string { i := r.IntN(len(s)); return s[:i] + s[i+1:] },
		func(s string) string { // escape one letter of a string
			for range 8 {
				i := r.IntN(len(s))
				if c := s[i]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
					return s[:i] + fmt.Sprintf(`\u%04x`, c) + s[i+1:]
				}
			}
			return s
		},
		func(s string) string { // repeat the first member
			if i := strings.IndexByte(s, ','); i > 0 && s[0] == '{' {
				return s[:i] + "," + s[1:]
			}
			return s
		},
		func(s string) string { // rewrite a number
			for i := 0; i < len(s); i++ {
				if s[i] >= '0' && s[i] <= '9' && i > 0 && s[i-1] == ':' {
					return s[:i] + []string{"0", "-0", "01", "+1", "1.0", "1e0", "1E2", "2147483648", "-2147483649",
						"9223372036854775807", "9223372036854775808", "-9223372036854775808", "1000000", "1000001", "-1000000", "-1000001"}[r.IntN(16)] + s[i:]
				}
			}
			return s
		},
		func(s string) string { return s + []string{" ", "x", "}", "{}", "\n\n", "null"}[r.IntN(6)] },
		func(s string) string { // a string value just inside or outside a length
			if i := strings.Index(s, `":"`); i > 0 {
				return s[:i+3] + strings.Repeat(string("aé 🥷"[r.IntN(3)]), []int{1, 2, 49, 50, 51, 500, 501}[r.IntN(7)]) + s[i+3:]
			}
			return s
		},
		func(s string) string { return strings.Replace(s, `":`, `" :`, 1) },
		func(s string) string { return strings.Replace(s, `"`, `"\u0020`, 1) },
		func(s string) string { return strings.Replace(s, `":"`, `":null,"x":"`, 1) },
	}
	var out []specfuzz.Input
	for _, edit := range edits {
		e := in
		e.Body = specfuzz.Raw(edit(text))
		out = append(out, e)
	}
	return out
}

// paramEdits returns copies of in with each parameter written in forms
// kin-openapi reads differently from the obvious: signs, leading zeros,
// spaces, escapes, bounds.
func paramEdits(gen *specfuzz.Generator, op specfuzz.Op, in specfuzz.Input) []specfuzz.Input {
	forms := []string{"+1", "01", "-0", "0", " 1", "1 ", "1.0", "1e1", "%31", "2147483648", "9223372036854775808",
		"100", "101", "20", "-gold", "gold", "", " ", "a b", "%", "é", strings.Repeat("x", 200), strings.Repeat("x", 201)}
	var out []specfuzz.Input
	for _, ref := range op.Params {
		p := ref.Value
		e := in
		e.Path, e.Header = clone(in.Path), clone(in.Header)
		e.Query = append([]specfuzz.Param(nil), in.Query...)
		e.SetParam(p.In, p.Name, forms[gen.R.IntN(len(forms))])
		out = append(out, e)
	}
	return out
}

func clone(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// FuzzQuickBody holds the quick check's JSON reading to kin-openapi's on
// arbitrary bodies of every operation that takes one.
func FuzzQuickBody(f *testing.F) {
	for _, seed := range []string{
		`{"first_name":"Hattori","last_name":"Hanzo"}`,
		`{"name":"Dojo","min_gold":15,"max_gold":30,"description":"Spar."}`,
		`{"max_gold":40,"description":null}`,
		`{"location_id":1}`,
		` { "location_id" : 9223372036854775807 } `,
		`{"first_name":"H\u0061ttori","last_name":"Hanzo"}`,
	} {
		f.Add(seed)
	}
	p := newQuickPair(f)
	targets := []struct{ method, target, contentType string }{
		{"POST", "/players", "application/json"},
		{"POST", "/locations", "application/json"},
		{"PUT", "/locations/1", "application/json"},
		{"PATCH", "/locations/1", "application/merge-patch+json"},
		{"POST", "/players/1/visits", "application/json"},
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, tg := range targets {
			header := http.Header{"Content-Type": {tg.contentType}, "Authorization": {"Bearer " + quickAdmin}}
			if _, diff := p.outcome(tg.method, tg.target, header, body); diff != "" {
				t.Fatalf("%s %s %q: %s", tg.method, tg.target, body, diff)
			}
		}
	})
}

// TestBodyOfBodilessOperationIsNotRead sends a large body to a secured
// operation that takes none: nothing may read it (kin-openapi's security
// check used to read it all, past the body limit).
func TestBodyOfBodilessOperationIsNotRead(t *testing.T) {
	p := newQuickPair(t)
	for name, h := range map[string]*gin.Engine{"quick": p.quick, "kin": p.kin} {
		body := &countingReader{left: 8 << 20}
		req := httptest.NewRequest("DELETE", "/players/1", body)
		req.ContentLength = -1
		req.Header.Set("Authorization", "Bearer some-player-token")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || body.read != 0 {
			t.Errorf("%s: status %d, %d bytes of the body read; want 200 and none", name, w.Code, body.read)
		}
	}
}

// countingReader yields left zero bytes and counts what is read.
type countingReader struct{ left, read int }

func (r *countingReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.left)
	clear(p[:n])
	r.left -= n
	r.read += n
	return n, nil
}

// TestServerRequestLeftAlone holds the validator to working on a copy of
// the request: net/http finishes the exchange with the request it made (it
// drains an unread body by its Content-Length), and a validator that changed
// that request's Body or ContentLength broke the next request on the
// connection ("invalid concurrent Body.Read call").
func TestServerRequestLeftAlone(t *testing.T) {
	p := newQuickPair(t)
	for _, r := range []struct {
		method, path, body string
		token              bool // sent with the admin token, which the handler is told of
	}{
		{"DELETE", "/players/1", `{"stray":true}`, true},                           // no body declared
		{"GET", "/locations/1", "stray", true},                                     // no body declared
		{"POST", "/players", `{"first_name":"Hattori","last_name":"Hanzo"}`, true}, // body read and checked
		// Nothing to tell the handler but the body: the copy is still made.
		{"POST", "/players", `{"first_name":"Hattori","last_name":"Hanzo"}`, false},
	} {
		for name, h := range map[string]*gin.Engine{"quick": p.quick, "kin": p.kin} {
			req := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
			if r.token {
				req.Header.Set("Authorization", "Bearer "+quickAdmin)
			}
			req.Header.Set("Content-Type", "application/json")
			body, length := req.Body, req.ContentLength
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				t.Fatalf("%s %s (%s): status %d: %s", r.method, r.path, name, w.Code, w.Body)
			}
			if req.Body != body || req.ContentLength != length || req.GetBody != nil {
				t.Errorf("%s %s (%s): the server's request was changed (length %d, was %d)", r.method, r.path, name, req.ContentLength, length)
			}
		}
	}
}

// The contract exercises only the schemas it has; these are the ones it
// does not, each of which the quick check must leave to kin-openapi (nil)
// or read to the letter, so that a contract that grows one stays checked.
func TestCompileSchemasTheContractLacks(t *testing.T) {
	one, minus := 1.0, -1.0
	str, integer, object := &openapi3.Types{openapi3.TypeString}, &openapi3.Types{openapi3.TypeInteger}, &openapi3.Types{openapi3.TypeObject}
	for _, tt := range []struct {
		name     string
		schema   *openapi3.Schema
		wantBits int // 0: compileValue leaves it to kin-openapi
	}{
		{"a string with a format", &openapi3.Schema{Type: str, Format: "date-time"}, 0},
		{"a string with a minimum", &openapi3.Schema{Type: str, Min: &one}, 0},
		{"an integer enum", &openapi3.Schema{Type: integer, Enum: []any{1, 2}}, 0},
		{"an integer of another format", &openapi3.Schema{Type: integer, Format: "int16"}, 0},
		{"an integer with a pattern", &openapi3.Schema{Type: integer, Pattern: "^1$"}, 0},
		{"an int32", &openapi3.Schema{Type: integer, Format: "int32"}, 32},
		{"an int64", &openapi3.Schema{Type: integer, Format: "int64", Min: &minus}, 64},
		{"an integer without a format", &openapi3.Schema{Type: integer}, 64},
	} {
		v := compileValue(tt.schema)
		switch {
		case tt.wantBits == 0 && v != nil:
			t.Errorf("%s: compiled to %+v, want nil", tt.name, v)
		case tt.wantBits != 0 && (v == nil || v.bits != tt.wantBits):
			t.Errorf("%s: compiled to %+v, want %d bits", tt.name, v, tt.wantBits)
		}
	}

	props := openapi3.Schemas{}
	for _, name := range []string{"a", "b", "c"} {
		props[name] = &openapi3.SchemaRef{Value: &openapi3.Schema{Type: str}}
	}
	for _, tt := range []struct {
		name     string
		maxProps uint64
		want     bool
	}{
		{"maxProperties below the properties' number", 2, false},
		{"maxProperties at it", 3, true},
		{"maxProperties above it", 16, true},
	} {
		o := compileObject(&openapi3.Schema{Type: object, Properties: props, MaxProps: &tt.maxProps})
		if (o != nil) != tt.want {
			t.Errorf("%s: compiled %v, want %v", tt.name, o != nil, tt.want)
		}
	}
}

// parseInt takes what strconv.ParseInt takes for bits, "+" only with plus,
// and nothing past the bounds, on both sides.
func TestParseInt(t *testing.T) {
	for _, tt := range []struct {
		s      string
		bits   int
		plus   bool
		want   int64
		wantOK bool
	}{
		{"9223372036854775807", 64, false, 1<<63 - 1, true},
		{"9223372036854775808", 64, false, 0, false},
		{"-9223372036854775808", 64, false, -1 << 63, true},
		{"-9223372036854775809", 64, false, 0, false},
		{"18446744073709551616", 64, false, 0, false},
		{"2147483647", 32, false, 1<<31 - 1, true},
		{"2147483648", 32, false, 0, false},
		{"-2147483648", 32, false, -1 << 31, true},
		{"-2147483649", 32, false, 0, false},
		{"+7", 64, true, 7, true},
		{"+7", 64, false, 0, false},
		{"01", 64, true, 1, true}, // as strconv reads a parameter; JSON refuses it before
		{"", 64, true, 0, false},
		{"-", 64, true, 0, false},
		{"+", 64, true, 0, false},
		{"1a", 64, true, 0, false},
		{" 1", 64, true, 0, false},
		{"1.0", 64, true, 0, false},
	} {
		got, ok := parseInt(tt.s, tt.bits, tt.plus)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseInt(%q, %d, %v) = %d, %v; want %d, %v", tt.s, tt.bits, tt.plus, got, ok, tt.want, tt.wantOK)
		}
	}
}
