package api

import (
	"context"
	"regexp"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
)

// Go's regexp, which kin-openapi compiles every pattern with unless told
// otherwise, runs the contract's name pattern with its backtracker at a few
// hundred instructions a character (and with its slower NFA past a few
// thousand): the two names of a POST /players cost about 4,500
// instructions, about a third of the quick check's work on that request.
// knownPatterns holds a plain Go function for such a pattern, which the
// quick check and kin-openapi both use (useKnownPatternsInKin), keyed on the
// pattern exactly as openapi.yaml spells it, so a change to the pattern in
// the contract falls back to regexp instead of silently disagreeing with it.
// TestKnownPatterns proves each function accepts exactly the strings regexp
// accepts: every code point, alone and between letters, and every short
// string over the characters at the edges of the pattern's classes,
// invalid UTF-8 included.
var knownPatterns = map[string]func(string) bool{
	trimmedLinePattern:    isTrimmedLine,
	printableASCIIPattern: isPrintableASCII,
}

// printableASCIIPattern is the contract's pattern for an Idempotency-Key.
const printableASCIIPattern = `^[\x20-\x7E]*$`

// isPrintableASCII is printableASCIIPattern: every byte from space to
// tilde (a byte of invalid UTF-8, which regexp reads as U+FFFD, is not).
func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

// trimmedLinePattern is the contract's pattern for names: no whitespace,
// format character or other blank (see isPatternEdge) at either end, and
// no line break, control character (but a tab inside) or format character
// of the BMP (but the joiners inside) anywhere.
const trimmedLinePattern = `^[^\u0000-\u0020\u007F-\u00A0\u00AD\u034F\u0600-\u0605\u061C\u06DD\u070F\u0890-\u0891\u08E2\u115F-\u1160\u1680\u17B4-\u17B5\u180E\u2000-\u200F\u2028-\u202F\u205F-\u206F\u2800\u3000\u3164\uFEFF\uFFA0\uFFF0-\uFFFB](?:[^\u0000-\u0008\n\v\f\r\u000E-\u001F\u007F-\u009F\u00AD\u0600-\u0605\u061C\u06DD\u070F\u0890-\u0891\u08E2\u180E\u200B\u200E\u200F\u2028-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]*[^\u0000-\u0020\u007F-\u00A0\u00AD\u034F\u0600-\u0605\u061C\u06DD\u070F\u0890-\u0891\u08E2\u115F-\u1160\u1680\u17B4-\u17B5\u180E\u2000-\u200F\u2028-\u202F\u205F-\u206F\u2800\u3000\u3164\uFEFF\uFFA0\uFFF0-\uFFFB])?$`

// isTrimmedLine is trimmedLinePattern: s is not empty, its first and last
// characters are not in the pattern's edge class, and no character is in
// its inner class (the edge class contains the inner one, so the inner
// class is checked for every character). Like regexp, ranging over a
// string reads each byte of invalid UTF-8 as U+FFFD, which neither class
// holds.
func isTrimmedLine(s string) bool {
	last := rune(-1)
	for i, r := range s {
		// Printable ASCII, most of a name, is in neither class.
		if (r <= ' ' || r >= 0x7F) && (isPatternInner(r) || (i == 0 && isPatternEdge(r))) {
			return false
		}
		last = r
	}
	return last >= 0 && !isPatternEdge(last)
}

// isPatternInner is trimmedLinePattern's inner class, negated: line
// breaks, control characters but the tab, and the BMP's format characters
// but the zero-width joiner and non-joiner (U+200C, U+200D), which Persian,
// the Indic scripts and emoji sequences need inside a word.
func isPatternInner(r rune) bool {
	switch {
	case r <= 0x08, 0x0A <= r && r <= 0x1F, 0x7F <= r && r <= 0x9F, r == 0xAD,
		0x0600 <= r && r <= 0x0605, r == 0x061C, r == 0x06DD, r == 0x070F,
		0x0890 <= r && r <= 0x0891, r == 0x08E2, r == 0x180E, r == 0x200B, r == 0x200E, r == 0x200F,
		0x2028 <= r && r <= 0x202E, 0x2060 <= r && r <= 0x2064, 0x2066 <= r && r <= 0x206F,
		r == 0xFEFF, 0xFFF9 <= r && r <= 0xFFFB:
		return true
	}
	return false
}

// isPatternEdge is trimmedLinePattern's edge class, negated: the inner
// class, the tab, Unicode's other White_Space, the joiners, and the BMP's
// characters that show as nothing or a blank although they are neither
// White_Space nor format characters: Other_Default_Ignorable_Code_Point
// (the combining grapheme joiner U+034F, the Hangul fillers U+115F,
// U+1160, U+3164, U+FFA0, the Khmer inherent vowels U+17B4, U+17B5, and
// the unassigned U+2065, U+FFF0-U+FFF8) and the blank Braille pattern
// (U+2800).
func isPatternEdge(r rune) bool {
	switch {
	case ' ' < r && r < 0x7F:
		return false
	case isPatternInner(r), r == '\t', r == ' ', r == 0xA0, r == 0x1680, 0x2000 <= r && r <= 0x200A,
		r == 0x200C, r == 0x200D, r == 0x202F, r == 0x205F, r == 0x3000,
		r == 0x034F, r == 0x115F, r == 0x1160, r == 0x17B4, r == 0x17B5, r == 0x2065, r == 0x2800, r == 0x3164,
		r == 0xFFA0, 0xFFF0 <= r && r <= 0xFFF8:
		return true
	}
	return false
}

// compilePattern returns the matcher for a schema's pattern: the known
// function, or regexp after the translation kin-openapi makes before
// compiling.
func compilePattern(pattern string) (func(string) bool, error) {
	if match, ok := knownPatterns[pattern]; ok {
		return match, nil
	}
	re, err := regexp.Compile(patRewriteCodepoints.ReplaceAllString(pattern, `\x{${code}}`))
	if err != nil {
		return nil, err
	}
	return re.MatchString, nil
}

// patRewriteCodepoints is kin-openapi's rewrite of \uXXXX in patterns.
var patRewriteCodepoints = regexp.MustCompile(`(?P<replaced_with_slash_x>\\u)(?P<code>[0-9A-F]{4})`)

// matchFunc is a known pattern's function as kin-openapi's RegexMatcher.
type matchFunc func(string) bool

// kinMatches counts the matches kin-openapi made with a known pattern's
// function, so that a test sees it does (a kin-openapi upgrade that kept
// its own matchers would bring regexp's cost back without a word).
var kinMatches atomic.Int64

func (m matchFunc) MatchString(s string) bool {
	kinMatches.Add(1)
	return m(s)
}

// kinCompile is compilePattern as kin-openapi's regex compiler.
func kinCompile(pattern string) (openapi3.RegexMatcher, error) {
	match, err := compilePattern(pattern)
	if err != nil {
		return nil, err
	}
	return matchFunc(match), nil
}

var knownPatternsInKin sync.Once

// useKnownPatternsInKin has kin-openapi match each known pattern with its
// function rather than Go's regexp. kin-openapi keeps one matcher per
// pattern text for the whole process, made by whichever compiler met the
// pattern first, except that a schema validated with a compiler of its own
// always stores that compiler's: one throwaway schema per pattern stores
// ours, whatever came before (but a validation running at the same time,
// which NewHandler, called before the server serves, does not meet).
//
// This is more than speed: a body the quick check refuses goes to
// kin-openapi, which matches the pattern over the whole string even past
// its maxLength, and regexp took 70 % of the 3.7 ms a POST /players
// refused for a 64 KiB name cost (BenchmarkRefusedLongName), CPU any
// client could ask for. kin-openapi stays the validator of record:
// TestKnownPatterns proves each function accepts exactly what regexp does.
// (Being kin-openapi's, the matchers serve every OpenAPI 3.0 validation in
// the process: another validator built beside this one, such as
// bench/compare's stock variant, uses them too. kin-openapi's JSON Schema
// 2020 mode, for OpenAPI 3.1, compiles patterns its own way.)
func useKnownPatternsInKin() {
	knownPatternsInKin.Do(func() {
		for pattern := range knownPatterns {
			s := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}, Pattern: pattern}
			if err := s.Validate(context.Background(), openapi3.SetRegexCompiler(kinCompile)); err != nil {
				panic("api: a known pattern kin-openapi refuses: " + err.Error())
			}
		}
	})
}
