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
