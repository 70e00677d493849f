package impl

import (
	"slices"
	"testing"
)

func TestEntityTags(t *testing.T) {
	for _, tt := range []struct {
		header string
		tags   []string
		any    bool
	}{
		{`*`, nil, true},
		{" * ", nil, true},
		{`"a"`, []string{`"a"`}, false},
		{`W/"a", "b"`, []string{`W/"a"`, `"b"`}, false},
		{`,,"a" ,, "b",`, []string{`"a"`, `"b"`}, false},
		{"\"a\"\t,\t\"b\"", []string{`"a"`, `"b"`}, false},
		// An entity tag may hold commas and asterisks.
		{`"a,*,b"`, []string{`"a,*,b"`}, false},
		{`"a,b", W/"*"`, []string{`"a,b"`, `W/"*"`}, false},
		// "*" joined with another line of tags.
		{`"1", *`, []string{`"1"`}, true},
		// Members that are no entity tag match nothing, and hide nothing.
		{`*x`, nil, false},
		{`x*, "a"`, []string{`"a"`}, false},
		{`a"b,*,c", "d"`, []string{`"d"`}, false},
		{`"a"x, "b"`, []string{`"b"`}, false},
		{`W/*`, nil, false},
		{`w/"a"`, nil, false},
		{`"unterminated`, nil, false},
		{`1`, nil, false},
		{``, nil, false},
	} {
		tags, any := entityTags(tt.header)
		if !slices.Equal(tags, tt.tags) || any != tt.any {
			t.Errorf("entityTags(%q) = %q, %v; want %q, %v", tt.header, tags, any, tt.tags, tt.any)
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
	} {
		if got := matchesIfMatch(tt.header, `"1"`); got != tt.ifMatch {
			t.Errorf("If-Match %s against \"1\" = %v, want %v", tt.header, got, tt.ifMatch)
		}
		if got := MatchesIfNoneMatch(tt.header, `"1"`); got != tt.ifNone {
			t.Errorf("If-None-Match %s against \"1\" = %v, want %v", tt.header, got, tt.ifNone)
		}
	}
}
