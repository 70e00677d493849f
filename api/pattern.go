package api

import "regexp"

// Go's regexp, which kin-openapi compiles every pattern with, runs the
// contract's name pattern with its backtracker at a few hundred instructions
// a character: the two names of a POST /players cost about 4,500
// instructions, about a third of the quick check's work on that request.
// knownPatterns holds a plain Go function for such a pattern, keyed on the
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

// trimmedLinePattern is the contract's pattern for names: no whitespace at
// either end, no line break and no NUL anywhere.
const trimmedLinePattern = `^[^\u0000\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF](?:[^\u0000\n\v\f\r\u0085\u2028\u2029]*[^\u0000\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF])?$`

// isTrimmedLine is trimmedLinePattern: s is not empty, its first and last
// characters are not in the pattern's space class, and no character is in
// its line-break class (NUL included; the space class contains that class,
// so the middle class is checked for every character). Like
// regexp, ranging over a string reads each byte of invalid UTF-8 as
// U+FFFD, which neither class holds.
func isTrimmedLine(s string) bool {
	last := rune(-1)
	for i, r := range s {
		if isPatternLineBreak(r) || (i == 0 && isPatternSpace(r)) {
			return false
		}
		last = r
	}
	return last >= 0 && !isPatternSpace(last)
}

// isPatternLineBreak is trimmedLinePattern's middle class, negated: the
// line breaks and NUL.
func isPatternLineBreak(r rune) bool {
	switch r {
	case 0, '\n', '\v', '\f', '\r', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// isPatternSpace is trimmedLinePattern's first and last class, negated.
func isPatternSpace(r rune) bool {
	switch r {
	case 0, '\t', '\n', '\v', '\f', '\r', ' ', '\u0085', '\u00A0', '\u1680',
		'\u2028', '\u2029', '\u202F', '\u205F', '\u3000', '\uFEFF':
		return true
	}
	return '\u2000' <= r && r <= '\u200A'
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
