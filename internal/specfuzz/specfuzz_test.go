package specfuzz_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/internal/specfuzz"
)

func TestSpecfuzzEncode(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"members keep their order and may repeat",
			specfuzz.Object{{"b", 1}, {"a", "x"}, {"b", nil}}, `{"b":1,"a":"x","b":null}`},
		{"raw text is sent as written", specfuzz.Object{{"n", specfuzz.Raw("1e400")}}, `{"n":1e400}`},
		{"strings are escaped but not for HTML", "<a href=\"x\">&\x00", `"<a href=\"x\">&\u0000"`},
		{"maps are sorted", map[string]any{"z": true, "a": []any{int64(-9223372036854775808), 1.5}},
			`{"a":[-9223372036854775808,1.5],"z":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := specfuzz.Encode(tt.v); got != tt.want {
				t.Errorf("Encode = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSpecfuzzDecode(t *testing.T) {
	for _, text := range []string{`{"a":1} x`, `{"a":1}{}`, `{"a":`, ``, "{\xff}"} {
		if _, ok := specfuzz.Decode(text); ok {
			t.Errorf("Decode(%q) ok, want not one JSON document", text)
		}
	}
	v, ok := specfuzz.Decode(`{"a":1,"a":"last"}`)
	if !ok || v.(map[string]any)["a"] != "last" {
		t.Errorf("Decode of a duplicate = %v, %v; want the last member", v, ok)
	}
}

func TestSpecfuzzTarget(t *testing.T) {
	in := specfuzz.Input{
		Path:  map[string]string{"id": "a\x00/\xff"},
		Query: []specfuzz.Param{{"limit", "1 2"}, {"limit", "+&="}},
	}
	want := "/players/a%00%2F%FF/visits?limit=1+2&limit=%2B%26%3D"
	if got := in.Target("/players/{id}/visits"); got != want {
		t.Errorf("Target = %s, want %s", got, want)
	}
}

// bigUnsafe reports whether a JSON text holds an integer a float64 cannot
// hold exactly: kin-openapi validates numbers as float64, so it cannot be
// the judge of those (the end-to-end test holds the server to them).
func bigUnsafe(text string) bool {
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return !strings.ContainsRune("-0123456789", r) }) {
		n, ok := new(big.Int).SetString(f, 10)
		if ok && new(big.Int).Abs(n).Cmp(big.NewInt(1<<53)) > 0 {
			return true
		}
	}
	return strings.Contains(text, "e30") || strings.Contains(text, "e400")
}

func schemas() map[string]*openapi3.Schema {
	u := func(n uint64) *uint64 { return &n }
	f := func(n float64) *float64 { return &n }
	str := &openapi3.Types{"string"}
	integer := &openapi3.Types{"integer"}
	// The contract's name pattern, with its \uXXXX escapes that kin-openapi
	// rewrites before compiling; the generator must judge strings alike.
	spec, err := ninjagold.Spec()
	if err != nil || spec.Components.Schemas["PersonName"] == nil {
		panic(fmt.Sprintf("specfuzz test: no PersonName in openapi.yaml (%v)", err))
	}
	person := spec.Components.Schemas["PersonName"].Value.Pattern
	return map[string]*openapi3.Schema{
		"name":          {Type: str, MinLength: 2, MaxLength: u(50), Pattern: `^\S(.*\S)?$`},
		"contract name": {Type: str, MinLength: 2, MaxLength: u(50), Pattern: person},
		"asset":         {Type: str, MaxLength: u(100), Pattern: `^[A-Za-z0-9][A-Za-z0-9._-]*$`},
		"nullable":      {Type: str, MaxLength: u(5), Nullable: true},
		"enum":          {Type: str, Enum: []any{"-gold", "gold"}},
		"gold":          {Type: integer, Format: "int32", Min: f(-1e6), Max: f(1e6)},
		"id":            {Type: integer, Format: "int64", Min: f(1)},
		"limit":         {Type: integer, Format: "int32", Min: f(1), Max: f(100)},
	}
}

// Every value the generator calls valid passes kin-openapi's own schema
// check, and every value it calls invalid fails it.
func TestSpecfuzzVariantsAgreeWithKin(t *testing.T) {
	g := specfuzz.NewGen(7)
	for name, s := range schemas() {
		t.Run(name, func(t *testing.T) {
			for range 20 {
				v := g.Value(s)
				if err := s.VisitJSON(roundTrip(t, v)); err != nil {
					t.Errorf("Value %s: %v", specfuzz.Encode(v), err)
				}
			}
			for _, v := range g.Variants(s, specfuzz.InBody) {
				text := specfuzz.Encode(v.Value)
				if v.Lexical || v.Expect == specfuzz.Either || bigUnsafe(text) {
					continue
				}
				err := s.VisitJSON(roundTrip(t, v.Value))
				if v.Expect == specfuzz.Valid && err != nil {
					t.Errorf("%s %s: called valid, kin says %v", v.Name, text, err)
				}
				if v.Expect == specfuzz.Invalid && err == nil {
					t.Errorf("%s %s: called invalid, kin accepts it", v.Name, text)
				}
			}
		})
	}
}

func roundTrip(t *testing.T, v any) any {
	t.Helper()
	var out any
	if err := json.Unmarshal([]byte(specfuzz.Encode(v)), &out); err != nil {
		t.Fatalf("%s is not JSON: %v", specfuzz.Encode(v), err)
	}
	return out
}

func TestSpecfuzzVariantsCoverEachConstraint(t *testing.T) {
	g := specfuzz.NewGen(1)
	want := map[string][]string{
		"name":  {"minLength-1", "maxLength+1", `pattern broken by " aaa"`, "maxLength in multi-byte characters", "null", "type integer", "invalid UTF-8"},
		"enum":  {"enum -gold", "enum gold", "not in enum"},
		"gold":  {"minimum", "maximum", "minimum-1", "maximum+1", "99999999999999999999", "1e30", "-9223372036854775809", "fraction"},
		"limit": {"minimum", "maximum", "maximum+1"},
	}
	for name, names := range want {
		got := map[string]bool{}
		for _, v := range g.Variants(schemas()[name], specfuzz.InBody) {
			got[v.Name] = true
		}
		for _, n := range names {
			if !got[n] {
				t.Errorf("%s: no variant %q among %v", name, n, got)
			}
		}
	}
}

// Every case built for the real contract is judged the same way by
// kin-openapi's request validator, where kin-openapi can judge it: the
// parameters and the body as decoded. (Credentials, Accept, Content-Type,
// methods, duplicates, trailing data, invalid UTF-8 and lone surrogate
// escapes are the server's own business, which the end-to-end test holds it
// to.)
func TestSpecfuzzCasesAgreeWithKin(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	g := &specfuzz.Generator{Gen: specfuzz.NewGen(3)}
	ops := specfuzz.Operations(doc)
	if len(ops) < 20 {
		t.Fatalf("%d operations, want every one of the contract", len(ops))
	}
	for _, op := range ops {
		t.Run(op.ID(), func(t *testing.T) {
			cases := g.Cases(op)
			for range 50 {
				cases = append(cases, g.Random(op))
			}
			for _, c := range cases {
				if skipForKin(c) {
					continue
				}
				req := httptest.NewRequest(c.Input.Method, c.Input.Target(op.Path), strings.NewReader(c.Input.BodyText()))
				for k, v := range c.Input.Header {
					req.Header.Set(k, v)
				}
				route, params, err := router.FindRoute(req)
				if err != nil {
					t.Fatalf("%s: %v", c.Name, err)
				}
				err = openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
					Request: req, PathParams: params, Route: route,
					Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
				})
				switch {
				case c.Expect == specfuzz.Valid && err != nil:
					t.Errorf("%s: called valid, kin says %v\n%s", c.Name, err, describe(op, c))
				case c.Expect == specfuzz.Invalid && err == nil:
					t.Errorf("%s: called invalid, kin accepts it\n%s", c.Name, describe(op, c))
				case c.Expect == specfuzz.Invalid && !names(err, c.Keys):
					t.Errorf("%s: kin names none of %v: %v\n%s", c.Name, c.Keys, err, describe(op, c))
				}
			}
		})
	}
}

func skipForKin(c specfuzz.Case) bool {
	if c.Slot.In == "method" || c.Slot.In == "header" && (c.Slot.Name == "Authorization" || c.Slot.Name == "Accept" || c.Slot.Name == "Content-Type") {
		return true
	}
	if c.Expect == specfuzz.Either || c.Status != 0 && c.Status != 400 {
		return true
	}
	text := c.Input.BodyText()
	if bigUnsafe(text) || strings.Contains(c.Name, "duplicated") || strings.Contains(c.Name, "UTF-8") || strings.Contains(c.Name, "lone") ||
		strings.Contains(c.Name, "garbage") || strings.Contains(c.Name, "body twice") {
		return true
	}
	return false
}

// names reports whether a kin-openapi error mentions one of keys as a
// parameter or a body property.
func names(err error, keys []string) bool {
	for _, k := range keys {
		if k == "body" {
			var re *openapi3filter.RequestError
			if errors.As(err, &re) && re.RequestBody != nil {
				return true
			}
		}
		if strings.Contains(err.Error(), fmt.Sprintf("%q", k)) || strings.Contains(err.Error(), "/"+k) {
			return true
		}
	}
	return false
}

func describe(op specfuzz.Op, c specfuzz.Case) string {
	return fmt.Sprintf("%s %s %v %q", c.Input.Method, c.Input.Target(op.Path), c.Input.Header, c.Input.BodyText())
}

// The same seed gives the same requests.
func TestSpecfuzzIsReproducible(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	run := func() string {
		g := &specfuzz.Generator{Gen: specfuzz.NewGen(42)}
		var b strings.Builder
		for _, op := range specfuzz.Operations(doc) {
			for _, c := range append(g.Cases(op), g.Random(op), g.Random(op)) {
				fmt.Fprintf(&b, "%s %s %v %q\n", c.Input.Method, c.Input.Target(op.Path), c.Input.Header, c.Input.BodyText())
			}
		}
		return b.String()
	}
	if a, b := run(), run(); a != b {
		t.Error("two runs with one seed made different requests")
	}
}

// The domain's hooks decide the slots they know, and a boundary case keeps
// the value it pinned.
func TestSpecfuzzHooks(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	var op specfuzz.Op
	for _, o := range specfuzz.Operations(doc) {
		if o.ID() == "createVisit" {
			op = o
		}
	}
	pinned := map[specfuzz.Slot]bool{}
	g := &specfuzz.Generator{
		Gen: specfuzz.NewGen(5),
		Values: func(_ specfuzz.Op, slot specfuzz.Slot) (any, bool) {
			switch slot {
			case specfuzz.Slot{In: "path", Name: "id"}:
				return "42", true
			case specfuzz.Slot{In: "body", Name: "location_id"}:
				return int64(3), true
			}
			return nil, false
		},
		Fix: func(_ specfuzz.Op, in *specfuzz.Input, p specfuzz.Slot) { pinned[p] = true },
	}
	in := g.Valid(op)
	if in.Path["id"] != "42" || specfuzz.Encode(in.Body) != `{"location_id":3}` {
		t.Errorf("valid input %v %s, want the hooks' id 42 and location 3", in.Path, specfuzz.Encode(in.Body))
	}
	var sawBoundary bool
	for _, c := range g.Cases(op) {
		if c.Name == "body location_id maximum" {
			sawBoundary = true
			if got := specfuzz.Encode(c.Input.Body); got != `{"location_id":9223372036854775807}` {
				t.Errorf("boundary case body %s, want the maximum kept", got)
			}
		}
	}
	if !sawBoundary || !pinned[specfuzz.Slot{In: "body", Name: "location_id"}] || !pinned[specfuzz.Slot{}] {
		t.Errorf("Fix saw %v; want the base (zero slot) and the pinned body location_id", pinned)
	}
}
