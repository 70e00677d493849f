package impl

import (
	"slices"
	"testing"
)

func TestEntityTags(t *testing.T) {
	for _, tt := range []struct {
		header  string
		tags    []string
		any, ok bool
	}{
		{`*`, nil, true, true},
		{" * ", nil, true, true},
		{`*, *`, nil, true, true}, // "*" sent on two lines
		{`"a"`, []string{`"a"`}, false, true},
		{`W/"a", "b"`, []string{`W/"a"`, `"b"`}, false, true},
		{`,,"a" ,, "b",`, []string{`"a"`, `"b"`}, false, true},
		{"\"a\"\t,\t\"b\"", []string{`"a"`, `"b"`}, false, true},
		{`""`, []string{`""`}, false, true},
		{`"日本"`, []string{`"日本"`}, false, true},
		// An entity tag may hold commas and asterisks.
		{`"a,*,b"`, []string{`"a,*,b"`}, false, true},
		{`"a,b", W/"*"`, []string{`"a,b"`, `W/"*"`}, false, true},
		// An empty list is well formed, and names nothing.
		{``, nil, false, true},
		{` , ,`, nil, false, true},
		// Anything else is not well formed.
		{`"1", *`, nil, false, false},
		{`*, "1"`, nil, false, false},
		{`*x`, nil, false, false},
		{`x*, "a"`, nil, false, false},
		{`"a""b"`, nil, false, false}, // two tags with no comma between
		{`"a" "b"`, nil, false, false},
		{`x", "2"`, nil, false, false},
		{`"1"x", "2"`, nil, false, false},
		{`a"b,*,c", "d"`, nil, false, false},
		{`"a b"`, nil, false, false},
		{"\"a\x7fb\"", nil, false, false}, // DEL is no etagc (RFC 9110, section 8.8.3)
		{"\"a\x00b\"", nil, false, false},
		{`W/*`, nil, false, false},
		{`w/"a"`, nil, false, false},
		{`W/`, nil, false, false},
		{`"unterminated`, nil, false, false},
		{`1`, nil, false, false},
	} {
		tags, any, ok := entityTags(tt.header)
		if !slices.Equal(tags, tt.tags) || any != tt.any || ok != tt.ok {
			t.Errorf("entityTags(%q) = %q, %v, %v; want %q, %v, %v", tt.header, tags, any, ok, tt.tags, tt.any, tt.ok)
		}
	}
}

func TestTagComparison(t *testing.T) {
	for _, tt := range []struct {
		header          string
		ifMatch, ifNone bool // against the current tag "1"
	}{
		{`"1"`, true, true},
		{`W/"1"`, false, true}, // If-Match compares strongly, If-None-Match weakly
		{`"2", "1"`, true, true},
		{`"2"`, false, false},
		{`*`, true, true},
		{`"1,2"`, false, false},
		{`"a,*,b"`, false, false},
		{`1`, false, false},
		{`"1", *`, false, false}, // not well formed: names nothing
		{`x", "1"`, false, false},
	} {
		if got := matchesIfMatch(tt.header, `"1"`); got != tt.ifMatch {
			t.Errorf("If-Match %s against \"1\" = %v, want %v", tt.header, got, tt.ifMatch)
		}
		if got := matchesIfNoneMatch(tt.header, `"1"`); got != tt.ifNone {
			t.Errorf("If-None-Match %s against \"1\" = %v, want %v", tt.header, got, tt.ifNone)
		}
	}
}

// A false If-Match says why, and only a list of entity tags against a
// resource that has one says it changed.
func TestIfMatchFalse(t *testing.T) {
	for _, tt := range []struct {
		header, tag string
		msg         string
		changed     bool
	}{
		{`"2"`, `"1"`, "If-Match does not match the current ETag", true},
		{`W/"1"`, `"1"`, "If-Match compares entity tags strongly: send the ETag without W/", false},
		{`W/"2", "3"`, `"1"`, "If-Match does not match the current ETag", true},
		{`"1"`, "", "If-Match names an entity tag, and this resource has none", false},
		{``, `"1"`, "If-Match lists no entity tag", false},
		{` , `, "", "If-Match lists no entity tag", false},
		{`"1", *`, `"1"`, "If-Match must be * or a list of entity tags", false},
		{`garbage`, "", "If-Match must be * or a list of entity tags", false},
	} {
		msg, changed := ifMatchFalse(tt.header, tt.tag)
		if msg != tt.msg || changed != tt.changed {
			t.Errorf("ifMatchFalse(%q, %q) = %q, %v; want %q, %v", tt.header, tt.tag, msg, changed, tt.msg, tt.changed)
		}
	}
}
