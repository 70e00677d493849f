package main

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestShapes runs the generator on small made-up outputs of oapi-codegen:
// the shapes it writes come out as the expected statements, and every
// shape it does not know leaves the response to encoding/json with the
// reason in the file's header, instead of being written wrong.
func TestShapes(t *testing.T) {
	const frame = `package generated
import "time"
var _ time.Time
type R200JSONResponse struct {
	Body    B
	Headers R200ResponseHeaders
}
type R200ResponseHeaders struct {
	Count      int
	XRequestID *string
}
func (r R200JSONResponse) VisitRResponse(w http.ResponseWriter) error { return nil }
`
	tests := []struct {
		name  string
		types string   // declarations added to frame: B and what it uses
		want  []string // in the output
		not   []string // not in the output
		left  string   // the reason the response is left out; "" when written
	}{
		{"written", "type Enum string\ntype Alias = int32\ntype B struct {\n" +
			"S string\nE Enum `json:\"e\"`\nA Alias `json:\"a\"`\nL []string `json:\"l\"`\nT time.Time `json:\"t\"`\nskipped int\nNo int `json:\"-\"`\nN []C `json:\"n\"`\n}\n" +
			"type C struct{ X uint16 `json:\"x\"`; Y bool `json:\"y\"` }",
			[]string{
				"b = append(b, `{\"S\":`...)\n\tb = jsonwrite.String(b, v.S)",
				"b = jsonwrite.String(b, string(v.E))",
				"b = strconv.AppendInt(b, int64(v.A), 10)",
				"for i0 := range v.L {", "b = jsonwrite.String(b, v.L[i0])",
				"if b, ok = jsonwrite.Time(b, v.T); !ok {",
				"if b, ok = appendC(b, &v.N[i0]); !ok {",
				"b = strconv.AppendUint(b, uint64(v.X), 10)", "b = strconv.AppendBool(b, v.Y)",
				`h["Count"] = []string{strconv.FormatInt(int64(r.Headers.Count), 10)}`,
				"if v := r.Headers.XRequestID; v != nil {\n\t\th[\"X-Request-Id\"] = []string{*v}",
				"return jsonwrite.Send(w, 200, buf)",
			}, []string{"v.skipped", "v.No", `"No"`}, ""},
		{"map", "type B struct{ M map[string]int `json:\"m\"` }", nil, nil, "map[string]int"},
		{"float", "type B struct{ F float64 `json:\"f\"` }", nil, nil, "float64"},
		{"pointer", "type B struct{ P *string `json:\"p\"` }", nil, nil, "*string"},
		{"omitempty", "type B struct{ S string `json:\"s,omitempty\"` }", nil, nil, `JSON option "omitempty"`},
		{"marshaler", "type T string\nfunc (T) MarshalJSON() ([]byte, error) { return nil, nil }\ntype B struct{ X T `json:\"x\"` }", nil, nil, "T has a MarshalJSON method"},
		{"text marshaler inside", "type T struct{}\nfunc (*T) MarshalText() ([]byte, error) { return nil, nil }\ntype B struct{ L []T `json:\"l\"` }", nil, nil, "T has a MarshalText method"},
		{"bytes", "type B struct{ D []byte `json:\"d\"` }", nil, nil, "[]byte"},
		{"bytes through an alias", "type Octet = uint8\ntype B struct{ D []Octet `json:\"d\"` }", nil, nil, "[]Octet: a slice of bytes"},
		{"bytes of a defined type", "type L uint8\ntype B struct{ D []L `json:\"d\"` }", nil, nil, "[]L: a slice of bytes"},
		{"marshaler declared on an alias", "type P struct{}\ntype PA = P\nfunc (PA) MarshalJSON() ([]byte, error) { return nil, nil }\ntype B struct{ X P `json:\"x\"` }", nil, nil, "P has a MarshalJSON method"},
		{"embedded", "type A struct{ X int }\ntype B struct{ A }", nil, nil, "B embeds A"},
		{"interface", "type B struct{ X any `json:\"x\"` }", nil, nil, "any"},
		{"key needing escapes", "type B struct{ X int `json:\"a<b\"` }", nil, nil, `key "a<b"`},
		{"duplicate key", "type B struct{ X int `json:\"x\"`; Y int `json:\"x\"` }", nil, nil, `key "x"`},
		{"body not a struct", "type B []string", nil, nil, "body B is []string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, err := parser.ParseFile(token.NewFileSet(), "types.go", frame+tt.types, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			rs := []response{{typeName: "R200JSONResponse", status: 200, headers: []string{"Count", "X-Request-ID"}}}
			out, err := writeFile("generated", "spec.yaml", "types.go", rs, newDecls(file))
			if err != nil {
				t.Fatal(err)
			}
			src := string(out)
			written := strings.Contains(src, "type FastR200JSONResponse struct")
			if tt.left == "" {
				if !written {
					t.Fatalf("not written:\n%s", src)
				}
				for _, w := range tt.want {
					if !strings.Contains(src, w) {
						t.Errorf("output lacks %q:\n%s", w, src)
					}
				}
				for _, w := range tt.not {
					if strings.Contains(src, w) {
						t.Errorf("output has %q:\n%s", w, src)
					}
				}
				return
			}
			if written {
				t.Errorf("written, want it left to encoding/json:\n%s", src)
			}
			if !strings.Contains(src, "//   - R200JSONResponse: ") || !strings.Contains(src, tt.left) {
				t.Errorf("header does not say the response is left out for %q:\n%s", tt.left, src)
			}
		})
	}
}

// TestHeadersMustMatchTheContract: a Headers field the contract does not
// name, or a contract header without a field, leaves the response out.
func TestHeadersMustMatchTheContract(t *testing.T) {
	const types = `package generated
type B struct{ X int ` + "`json:\"x\"`" + ` }
type R200JSONResponse struct {
	Body    B
	Headers R200ResponseHeaders
}
type R200ResponseHeaders struct{ XRequestID *string }
func (r R200JSONResponse) VisitRResponse(w http.ResponseWriter) error { return nil }
`
	file, err := parser.ParseFile(token.NewFileSet(), "types.go", types, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	for _, headers := range [][]string{{"X-Other"}, {"X-Request-ID", "ETag"}, {"X-Request-ID", "XRequest-ID"}, nil} {
		rs := []response{{typeName: "R200JSONResponse", status: 200, headers: headers}}
		out, err := writeFile("generated", "spec.yaml", "types.go", rs, newDecls(file))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), "type FastR200JSONResponse") {
			t.Errorf("contract headers %v: written for a Headers struct with XRequestID only", headers)
		}
	}
}

// TestNamingMismatchStops: a contract response whose type oapi-codegen's
// output lacks means the generator's idea of oapi-codegen's names is wrong;
// that stops it rather than leaving every response out quietly.
func TestNamingMismatchStops(t *testing.T) {
	file, err := parser.ParseFile(token.NewFileSet(), "types.go", "package generated\ntype B struct{}\n", parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	rs := []response{{typeName: "R200JSONResponse", status: 200}}
	if _, err := writeFile("generated", "spec.yaml", "types.go", rs, newDecls(file)); err == nil || !strings.Contains(err.Error(), "R200JSONResponse") {
		t.Errorf("writeFile = %v, want an error naming R200JSONResponse", err)
	}
}

// TestFailedCycle: A holds B, B holds A, and A has a shape the generator
// does not write. B's appender was finished while A's was being made; a
// response whose body is B must be left out too, not written with a call
// to an appendA that does not exist.
func TestFailedCycle(t *testing.T) {
	const types = `package generated
type A struct {
	B B ` + "`json:\"b\"`" + `
	F float64 ` + "`json:\"f\"`" + `
}
type B struct{ A []A ` + "`json:\"a\"`" + ` }
type RA200JSONResponse struct{ Body A }
func (r RA200JSONResponse) VisitRAResponse(w http.ResponseWriter) error { return nil }
type RB200JSONResponse struct{ Body B }
func (r RB200JSONResponse) VisitRBResponse(w http.ResponseWriter) error { return nil }
`
	file, err := parser.ParseFile(token.NewFileSet(), "types.go", types, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	rs := []response{{typeName: "RA200JSONResponse", status: 200}, {typeName: "RB200JSONResponse", status: 200}}
	out, err := writeFile("generated", "spec.yaml", "types.go", rs, newDecls(file))
	if err != nil {
		t.Fatal(err)
	}
	src := string(out)
	if strings.Contains(src, "type Fast") || strings.Contains(src, "func append") {
		t.Errorf("written despite A's float64:\n%s", src)
	}
	if !strings.Contains(src, "RA200JSONResponse: ") || !strings.Contains(src, "RB200JSONResponse: ") {
		t.Errorf("the header does not list both responses as left out:\n%s", src)
	}
	if strings.Contains(src, "import") {
		t.Errorf("imports with nothing written:\n%s", src)
	}
}

// TestOutputIsStable generates, many times over, a file in which a type
// fails inside a cycle reached from two responses: the output (the reasons
// in its header included) must not depend on map order, or
// make check-generated would fail at random.
func TestOutputIsStable(t *testing.T) {
	const types = `package generated
type A1 struct{ X A2 ` + "`json:\"x\"`" + ` }
type A2 struct {
	B B ` + "`json:\"b\"`" + `
	F float64 ` + "`json:\"f\"`" + `
}
type B struct {
	P []A1 ` + "`json:\"p\"`" + `
	Q []A2 ` + "`json:\"q\"`" + `
	N int ` + "`json:\"n\"`" + `
}
type C struct{ N int ` + "`json:\"n\"`" + ` }
type RA200JSONResponse struct{ Body A1 }
func (r RA200JSONResponse) VisitRAResponse(w http.ResponseWriter) error { return nil }
type RB200JSONResponse struct{ Body B }
func (r RB200JSONResponse) VisitRBResponse(w http.ResponseWriter) error { return nil }
type RC200JSONResponse struct{ Body C }
func (r RC200JSONResponse) VisitRCResponse(w http.ResponseWriter) error { return nil }
`
	var first string
	for i := range 50 {
		file, err := parser.ParseFile(token.NewFileSet(), "types.go", types, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		rs := []response{{typeName: "RA200JSONResponse", status: 200}, {typeName: "RB200JSONResponse", status: 200}, {typeName: "RC200JSONResponse", status: 200}}
		out, err := writeFile("generated", "spec.yaml", "types.go", rs, newDecls(file))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = string(out)
			if !strings.Contains(first, "type FastRC200JSONResponse") || strings.Contains(first, "type FastRB200JSONResponse") {
				t.Fatalf("want RC written and RA, RB left out:\n%s", first)
			}
			continue
		}
		if string(out) != first {
			t.Fatalf("run %d differs from the first:\n%s\n---\n%s", i, out, first)
		}
	}
}
