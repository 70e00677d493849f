package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	ninjagold "github.com/ninjagold/ninjagold-api"
)

func TestObjectMembers(t *testing.T) {
	for _, c := range []struct {
		name, body string
		want       uint64
	}{
		{"empty", `{}`, 0},
		{"empty, spaced", " { \n } ", 0},
		{"one", `{"a":1}`, 1},
		{"three, spaced", ` { "a" : 1 , "b" : "x" , "c" : null } `, 3},
		{"a name given twice counts twice", `{"a":1,"a":2}`, 2},
		{"commas in nested values do not count", `{"a":[1,2,{"x":[3,4]}],"b":{"c":1,"d":2}}`, 2},
		{"nor in strings", `{"a":"x,y}]{[","b":"\",\\","c":1}`, 3},
		{"an escaped backslash ends before the quote", `{"a\\":"\\\\","b":2}`, 2},
		{"not an object", `[1,2,3]`, 0},
		{"a string", `"{,}"`, 0},
		{"counting stops past the limit", `{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}`, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := objectMembers([]byte(c.body), 3); got != c.want {
				t.Errorf("objectMembers(%s, 3) = %d, want %d", c.body, got, c.want)
			}
		})
	}
}

// TestMaxMembers: the bound the validator applies before kin-openapi is
// each body schema's maxProperties, and its message is the one kin-openapi's
// own error for it gets, so a body of too many members is refused in the
// same words whichever reads it.
func TestMaxMembers(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	ops, err := newOperations(doc, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, path string }{
		{"POST", "/locations"},
		{"PUT", "/locations/:id"},
		{"PATCH", "/locations/:id"},
		{"POST", "/players"},
		{"POST", "/players/:id/visits"},
	} {
		op := ops.byRoute[c.method][c.path]
		if op.maxMembers != 16 {
			t.Errorf("%s %s: maxMembers %d, want the contract's 16", c.method, c.path, op.maxMembers)
		}
		if op.quick == nil || len(op.quick.bodies) == 0 {
			t.Errorf("%s %s: the quick check does not read its body", c.method, c.path)
		}
	}

	op := ops.byRoute["POST"]["/players"]
	var body strings.Builder
	body.WriteString(`{"first_name":"Hattori","last_name":"Hanzo"`)
	for i := range 15 {
		fmt.Fprintf(&body, `,"k%d":1`, i)
	}
	body.WriteString("}")
	req, err := http.NewRequest("POST", "/players", bytes.NewReader([]byte(body.String())))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	v := newValidator(quickAdmin, DefaultMaxBodyBytes)
	err = openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
		Request: req, Route: op.route, Options: &v.kinOpts,
	})
	fields := collectFaults(err).join()
	want := tooManyMembers("request body", 16)
	if fields[bodyKey] != want || fields["k0"] != "k0 is not allowed" {
		t.Errorf("kin-openapi's errors for 17 members: %v; want %s: %q among them", fields, bodyKey, want)
	}
}

// BenchmarkManyMembers: a body of as many members as fit in the body limit
// (about 6,700 at the default 64 KiB), sent to POST /players. The validator counts them and
// refuses the body before kin-openapi decodes it; oapi-codegen's stock
// gin-middleware validator ("stock") decodes it all into a map, then walks
// the schema over it, before refusing it for the same reason.
//
//	go test ./api -run '^$' -bench ManyMembers -benchmem
func BenchmarkManyMembers(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"first_name":"Hattori","last_name":"Hanzo"`)
	for i := 0; sb.Len() < DefaultMaxBodyBytes-32; i++ {
		fmt.Fprintf(&sb, `,"k%d":1`, i)
	}
	sb.WriteString("}")
	body := sb.String()
	for _, variant := range []string{"stock", "quick"} {
		h := validatorEngine(b, variant)
		b.Run(variant, func(b *testing.B) {
			req := httptest.NewRequest("POST", "/players", nil)
			req.Header.Set("Content-Type", "application/json")
			r := strings.NewReader(body)
			w := &discardWriter{header: http.Header{}}
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				r.Reset(body)
				req.Body, req.ContentLength = io.NopCloser(r), int64(len(body))
				clear(w.header)
				w.status = 0
				h.ServeHTTP(w, req)
				if w.status != http.StatusBadRequest {
					b.Fatalf("status %d, want 400", w.status)
				}
			}
		})
	}
}

// TestMemberLabelBound: a snake_case name is named as a word up to maxLabel
// characters, and quoted and cut past that, as any made-up name is.
func TestMemberLabelBound(t *testing.T) {
	at, past := strings.Repeat("a", maxLabel), strings.Repeat("a", maxLabel+1)
	for _, c := range []struct{ name, want string }{
		{"first_name", "first name"},
		{at, at},
		{past, `"` + at + `…"`},
		{"_" + at, `"_` + at[1:] + `…"`},
		// Only snake_case names are written as words.
		{"gold_", `"gold_"`},
		{"first__name", `"first__name"`},
		{"FIRST_NAME", `"FIRST_NAME"`},
		{"1x", `"1x"`},
		{"x1_y", "x1 y"},
	} {
		if got := memberLabel(c.name); got != c.want {
			t.Errorf("memberLabel(%.10q…) = %q, want %q", c.name, got, c.want)
		}
	}
}
