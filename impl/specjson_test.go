package impl

import (
	"strings"
	"testing"
)

func TestYAMLAsJSON(t *testing.T) {
	for _, tt := range []struct {
		yaml, json string // json "": an error
	}{
		{"b: 1\na: [x, 2.5, true, null]\n", `{"b":1,"a":["x",2.5,true,null]}` + "\n"},
		{"z: {y: '<a&b>'}\n", `{"z":{"y":"\u003ca\u0026b\u003e"}}` + "\n"}, // as encoding/json escapes
		// yaml.v3 reads a plain date as a time, into a map as here.
		{"'200': ok\nd: 2026-11-26\n", `{"200":"ok","d":"2026-11-26T00:00:00Z"}` + "\n"},
		{"a: &x {k: 1}\nb: *x\n", `{"a":{"k":1},"b":{"k":1}}` + "\n"},
		{"a: &x [*x]\n", ""},                // an alias that holds itself
		{"a: &x {k: 1}\nb: {<<: *x}\n", ""}, // a merge key
		// maxDepth levels below the document, and one more.
		{nested(maxDepth), nested(maxDepth) + "\n"},
		{nested(maxDepth + 1), ""},
	} {
		got, err := yamlAsJSON([]byte(tt.yaml))
		if tt.json == "" {
			if err == nil {
				t.Errorf("yamlAsJSON(%q) = %s, want an error", tt.yaml, got)
			}
			continue
		}
		if err != nil || string(got) != tt.json {
			t.Errorf("yamlAsJSON(%q) = %s (%v), want %s", tt.yaml, got, err, tt.json)
		}
	}
}

// nested is n sequences, each in the one before: [[…]].
func nested(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
