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
		{`text/plain; a="x"; b=c\-d`, "", nil, true},
		// What mime refuses for another reason stays refused.
		{"application/json;;charset", "", nil, true},
		{"application/json; a=b; a=c", "", nil, true},
		// A quoted string cut short is no parameter.
		{`a/b; x="\`, "", nil, true},
		{`a/b; x="\\`, "", nil, true},
		{`a/b; x="`, "", nil, true},
		{`"\`, "", nil, true},
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
		// Only the charset is waived: another parameter JSON does not
		// have refuses it, as for any offer.
		{"json with a parameter it has not", "application/json; profile=x", jsonCSV, "", false},
		{"+json with a parameter it has not", "application/problem+json; profile=x", problem, "", false},
		// A wildcard subtype needs a wildcard type: */json is no range
		// that matches application/json (RFC 9110 §12.5.1 has only */*,
		// type/* and type/subtype).
		{"a wildcard type with a subtype", "*/json", jsonCSV, "", false},
		{"a wildcard type with a subtype, beside a refused range", "*/json, text/html", jsonCSV, "", false},
		// A quoted string cut short after its backslash is no media range.
		{"a quoted-pair cut short", `a/b; x="\`, jsonCSV, "", false},
		// A range mime refuses is no range, although mime names its type.
		{"a parameter without its value", "text/csv; charset", jsonCSV, "", false},
		{"a backslash outside a quoted string", `text/csv; charset=utf\-8`, jsonCSV, "", false},
		// A comma in a quoted string separates nothing.
		{"a comma in a quoted string", `text/html; a="x, application/json, y"`, jsonCSV, "", false},
		{"an escaped quote in a quoted string", `text/html; a="\"", text/csv`, jsonCSV, "text/csv; charset=utf-8", true},
		{"a quoted comma beside a range", `text/html; a="x,y", text/csv`, jsonCSV, "text/csv; charset=utf-8", true},
		{"white space before the quoted string", `text/html; a= "x, application/json, y"`, jsonCSV, "", false},
		// A quoted string left open spoils its own element alone, as
		// when a first Accept line ends in one and a second is joined to
		// it.
		{"a quoted string left open", `text/html; a="x, application/json`, jsonCSV, "application/json", true},
		{"a weight left open", `application/json;q="0.9, text/csv;q=0.1`, jsonCSV, "text/csv; charset=utf-8", true},
		// A quote that opens no parameter's value is no quoted string:
		// it spoils its own element, not the ones after it.
		{"a stray quote", `text/html", application/json`, jsonCSV, "application/json", true},
		{"a stray quote in a type", `text/"csv, application/json`, jsonCSV, "application/json", true},
		// Two stray quotes open and close nothing either: the range
		// between them is an element of its own, not part of a quoted
		// string running from the first to the second.
		{"two stray quotes around a range", `x"y, text/csv, z"w`, jsonCSV, "text/csv; charset=utf-8", true},
		// An escaped quote does not close a quoted string: the commas up
		// to the closing quote are in it, and the whole is one text/html
		// range.
		{"an escaped quote before commas", `text/html; a="\", application/json, b"`, jsonCSV, "", false},
		// A weight past 1 is no weight: both count as 1, and the offers'
		// order decides.
		{"weights past 1", "application/json;q=1.5, text/csv;q=2", jsonCSV, "application/json", true},
		// An offer without a charset that is not JSON is UTF-8: a range's
		// charset=utf-8 matches it, another charset does not.
		{"utf-8 for an offer without a charset", "text/html; charset=utf-8", Offers("text/html"), "text/html", true},
		{"another charset for an offer without one", "text/html; charset=iso-8859-1", Offers("text/html"), "", false},
		// type/* matches that type's subtypes, no other type's.
		{"a wildcard subtype of another type", "image/*", jsonCSV, "", false},
		{"a wildcard subtype of the type", "text/*", jsonCSV, "text/csv; charset=utf-8", true},
		// A charset's name is matched without regard to case (RFC 2046).
		{"a charset in upper case", "text/csv; charset=UTF-8", jsonCSV, "text/csv; charset=utf-8", true},
		// Of two ranges alike, the first counts (RFC 9110 leaves it open).
		{"the first of two equal ranges", "text/csv;q=0, text/csv", Offers("text/csv; charset=utf-8"), "", false},
		// The two answers found without parsing.
		{"anything", "*/*", jsonCSV, "application/json", true},
		{"an offer by its exact name", "text/csv; charset=utf-8", jsonCSV, "text/csv; charset=utf-8", true},
		{"no offers", "text/html", nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Negotiate(tt.accept, tt.offers)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Negotiate(%q) = %q, %v; want %q, %v", tt.accept, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestAllows(t *testing.T) {
	tests := []struct {
		accept, mediaType string
		want              bool
	}{
		{"", "text/html", true},
		{"text/html", "text/html", true},
		{"text/*;q=0.1", "text/html", true},
		{"text/html;q=0", "text/html", false},
		{"text/html;q=0, */*", "text/html", false},
		{"image/png", "text/html", false},
	}
	for _, tt := range tests {
		if got := Allows(tt.accept, tt.mediaType); got != tt.want {
			t.Errorf("Allows(%q, %q) = %v, want %v", tt.accept, tt.mediaType, got, tt.want)
		}
	}
}

func TestNames(t *testing.T) {
	if got, want := Names(Offers("application/json", "text/csv; charset=utf-8")), "application/json, text/csv; charset=utf-8"; got != want {
		t.Errorf("Names = %q, want %q", got, want)
	}
}
