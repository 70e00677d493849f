package accept

import (
	"maps"
	"testing"
)

func TestParseMediaType(t *testing.T) {
	tests := []struct {
		in         string
		wantType   string
		wantParams map[string]string
		wantErr    bool
	}{
		{"application/json", "application/json", map[string]string{}, false},
		{"application/json;", "application/json", map[string]string{}, false},
		{"application/json;;", "application/json", map[string]string{}, false},
		{"application/json; ; ", "application/json", map[string]string{}, false},
		{"application/json;;charset=utf-8", "application/json", map[string]string{"charset": "utf-8"}, false},
		{"text/csv; charset=utf-8;;q=0.5", "text/csv", map[string]string{"charset": "utf-8", "q": "0.5"}, false},
		// A semicolon inside a quoted value is no separator.
		{`text/plain; a="x;;y"`, "text/plain", map[string]string{"a": "x;;y"}, false},
		{`text/plain;; a="x\";;y"`, "text/plain", map[string]string{"a": `x";;y`}, false},
		// A quoted-pair is the character it escapes, whichever it is.
		{`application/json; charset="utf\-8"`, "application/json", map[string]string{"charset": "utf-8"}, false},
		{`application/json; charset="\u\t\f\-\8"`, "application/json", map[string]string{"charset": "utf-8"}, false},
		{`text/plain; a="x\\y"; b="\"q\""; c="\;"`, "text/plain", map[string]string{"a": `x\y`, "b": `"q"`, "c": ";"}, false},
		{`text/plain; a="x\\"; b="\\\-"`, "text/plain", map[string]string{"a": `x\`, "b": `\-`}, false},
		{`text/plain;; a="C:\dev\go"`, "text/plain", map[string]string{"a": "C:devgo"}, false},
		// Outside a quoted string a backslash is no escape, and no token.
		{`application/json; charset=utf\-8`, "", nil, true},
		// What mime refuses for another reason stays refused.
		{"application/json;;charset", "", nil, true},
		{"application/json; a=b; a=c", "", nil, true},
	}
	for _, tt := range tests {
		typ, params, err := ParseMediaType(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseMediaType(%q) error %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && (typ != tt.wantType || !maps.Equal(params, tt.wantParams)) {
			t.Errorf("ParseMediaType(%q) = %q %v, want %q %v", tt.in, typ, params, tt.wantType, tt.wantParams)
		}
	}
}

// Negotiate ranks offers as RFC 9110 §12.5.1 does: the most specific range
// that matches an offer gives its q, wherever it stands in the list.
func TestNegotiate(t *testing.T) {
	jsonCSV := Offers("application/json", "text/csv; charset=utf-8")
	problem := Offers("application/problem+json")
	tests := []struct {
		name   string
		accept string
		offers []Offer
		want   string
		wantOK bool
	}{
		{"none", "", jsonCSV, "application/json", true},
		// Empty list elements are no elements (RFC 9110 §5.6.1.2).
		{"empty elements only", " , ,\t,", jsonCSV, "application/json", true},
		{"an empty element beside a range", ", text/csv,", jsonCSV, "text/csv; charset=utf-8", true},
		{"an empty element beside a refused range", ", text/html", jsonCSV, "", false},
		{"the more specific range first", "text/csv;charset=utf-8;q=0.1, text/csv;q=0.9, application/json;q=0.5", jsonCSV, "application/json", true},
		{"the more specific range last", "text/csv;q=0.9, application/json;q=0.5, text/csv;charset=utf-8;q=0.1", jsonCSV, "application/json", true},
		{"a type over its wildcard", "text/*;q=0.9, text/csv;q=0.2, application/json;q=0.5", jsonCSV, "application/json", true},
		{"q=0 refuses", "application/json;q=0, */*", jsonCSV, "text/csv; charset=utf-8", true},
		{"another charset", "text/csv; charset=iso-8859-1", jsonCSV, "", false},
		// JSON is UTF-8 whatever a charset says (RFC 8259 §11), +json too.
		{"json with any charset", "application/json; charset=iso-8859-1", jsonCSV, "application/json", true},
		{"+json with any charset", "application/problem+json; charset=iso-8859-1", problem, "application/problem+json", true},
		// A quoted string cut short after its backslash is no media range.
		{"a quoted-pair cut short", `a/b; x="\`, jsonCSV, "", false},
	}
	for _, tt := range tests {
		got, ok := Negotiate(tt.accept, tt.offers)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: Negotiate(%q) = %q, %v; want %q, %v", tt.name, tt.accept, got, ok, tt.want, tt.wantOK)
		}
	}
	for _, v := range []string{`a/b; x="\`, `a/b; x="\\`, `a/b; x="`, `"\`} {
		if _, _, err := ParseMediaType(v); err == nil {
			t.Errorf("ParseMediaType(%q): no error", v)
		}
	}
}
