package api

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/generated"
)

// kinRegexp compiles pattern as kin-openapi does.
func kinRegexp(t testing.TB, pattern string) *regexp.Regexp {
	t.Helper()
	re, err := regexp.Compile(patRewriteCodepoints.ReplaceAllString(pattern, `\x{${code}}`))
	if err != nil {
		t.Fatal(err)
	}
	return re
}

// TestKnownPatterns holds each known pattern's function to regexp: every
// code point of the Basic Multilingual Plane (which holds every character
// the patterns name) and one in 97 above it, alone, between letters, and
// after and before one (each class of a pattern sees it);
// then every string of up to three characters drawn from the edges of the
// pattern's classes, letters, and invalid UTF-8.
func TestKnownPatterns(t *testing.T) {
	edges := []string{
		"a", "é", "\U0001F977", "\uFFFD", "\xff", "\xe2\x80", // letters, U+FFFD, invalid UTF-8
		"\x00", "\x01", "\x08", "\t", "\n", "\v", "\f", "\r", "\x0e", "\x1f", " ", "!", "~", "\x7f",
		"\u0084", "\u0085", "\u0086", "\u009f", "\u00a0", "\u00a1",
		"\u167f", "\u1680", "\u1681", "\u1fff", "\u2000", "\u2005", "\u200a", "\u200b", "\u200c", "\u200d", "\u200e",
		"\u2027", "\u2028", "\u2029", "\u202a", "\u202e", "\u202f", "\u2030",
		"\u205e", "\u205f", "\u2060", "\u2fff", "\u3000", "\u3001", "\ufefe", "\ufeff", "\uff00",
	}
	for pattern, match := range knownPatterns {
		re := kinRegexp(t, pattern)
		failures := 0
		check := func(s string) {
			t.Helper()
			if got, want := match(s), re.MatchString(s); got != want && failures < 10 {
				failures++
				t.Errorf("%.40s…: %q: %v, regexp says %v", pattern, s, got, want)
			}
		}
		check("")
		for r := rune(0); r <= utf8.MaxRune; r = nextRune(r) {
			if utf8.ValidRune(r) {
				check(string(r))
				check("a" + string(r) + "b")
				check("a" + string(r)) // the last class
				check(string(r) + "a")
			}
		}
		var build func(prefix string, n int)
		build = func(prefix string, n int) {
			check(prefix)
			if n == 0 {
				return
			}
			for _, e := range edges {
				build(prefix+e, n-1)
			}
		}
		build("", 3)
	}
}

// nextRune walks every code point of the BMP, then one in 97.
func nextRune(r rune) rune {
	if r < 0xFFFF {
		return r + 1
	}
	return r + 97
}

// TestKnownPatternsAreInTheContract: a known pattern no schema or
// parameter of the contract spells any more is dead code, and more likely a
// sign the contract's pattern changed (it then falls back to regexp).
func TestKnownPatternsAreInTheContract(t *testing.T) {
	spec, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, ref := range spec.Components.Schemas {
		collectPatterns(ref.Value, used)
	}
	for _, ref := range spec.Components.Parameters {
		if ref.Value != nil && ref.Value.Schema != nil {
			collectPatterns(ref.Value.Schema.Value, used)
		}
	}
	for pattern := range knownPatterns {
		if !used[pattern] {
			t.Errorf("no schema of components.schemas has the known pattern %.40s…", pattern)
		}
	}
}

func collectPatterns(s *openapi3.Schema, into map[string]bool) {
	if s == nil {
		return
	}
	if s.Pattern != "" {
		into[s.Pattern] = true
	}
	for _, p := range s.Properties {
		collectPatterns(p.Value, into)
	}
}

// FuzzKnownPatterns holds each known pattern's function to regexp on
// arbitrary strings.
func FuzzKnownPatterns(f *testing.F) {
	for _, seed := range []string{"Hattori", " Hanzo", "Hanzo ", "Hat\ntori", "Ha\ttori", "\ufeffa", "a\u2028b", "\xff", ""} {
		f.Add(seed)
	}
	type pair struct {
		match func(string) bool
		re    *regexp.Regexp
	}
	var pairs []pair
	for pattern, match := range knownPatterns {
		pairs = append(pairs, pair{match, kinRegexp(f, pattern)})
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range pairs {
			if got, want := p.match(s), p.re.MatchString(s); got != want {
				t.Fatalf("%q: %v, regexp says %v (%s)", s, got, want, strings.TrimPrefix(p.re.String(), "^"))
			}
		}
	})
}

func BenchmarkNamePattern(b *testing.B) {
	re := kinRegexp(b, trimmedLinePattern)
	for _, c := range []struct {
		name  string
		match func(string) bool
	}{{"regexp", re.MatchString}, {"known", knownPatterns[trimmedLinePattern]}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if !c.match("Hattori") || !c.match("Hanzo") {
					b.Fatal("no match")
				}
			}
		})
	}
}

// kin-openapi matches the contract's known patterns with their functions,
// not regexp (useKnownPatternsInKin): a POST /players the quick check
// refuses for a name too long goes to kin-openapi, which matches the name
// pattern over it with them.
func TestKinUsesTheKnownPatterns(t *testing.T) {
	spec, _ := testOperations(t)
	var srv generated.StrictServerInterface // not called: the body is refused
	h, err := NewHandler(srv, Config{Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	before := kinMatches.Load()
	req := httptest.NewRequest(http.MethodPost, "/players", strings.NewReader(`{"first_name":"`+strings.Repeat("a", 51)+`","last_name":"Hanzo"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "first name must be at most 50 characters long") {
		t.Fatalf("%d %s, want 400 for the first name's length", w.Code, w.Body)
	}
	if kinMatches.Load() == before {
		t.Error("kin-openapi matched the names without the known patterns' functions: regexp, whose cost over a long name any client can ask for")
	}
}
