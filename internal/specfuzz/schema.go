package specfuzz

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// Expect is what the contract says about a generated request.
type Expect int

const (
	// Valid: the contract allows it, so the server must accept it (or
	// answer with a documented domain outcome the caller works out).
	Valid Expect = iota
	// Invalid: it breaks the contract, so the server must reject it with a
	// problem naming the field.
	Invalid
	// Either: the contract does not settle it (1.0 for an integer, a
	// repeated query parameter): the server may accept it, or reject it
	// naming the field, but nothing else.
	Either
)

func (e Expect) String() string {
	switch e {
	case Valid:
		return "valid"
	case Invalid:
		return "invalid"
	}
	return "either"
}

// Place is where a value travels; it decides how a value is written and
// which characters a generated string may hold.
type Place int

const (
	// InBody is a JSON value: strings may hold any Unicode.
	InBody Place = iota
	// InPath is a path segment, sent percent-encoded; never a '/'.
	InPath
	// InQuery is a query parameter, sent percent-encoded.
	InQuery
	// InHeader is a header field: visible ASCII with inner spaces only, as
	// net/http trims the ends and refuses control characters.
	InHeader
)

// Variant is one value for a slot: a boundary the contract allows, or a
// value breaking one constraint.
type Variant struct {
	// Name says what the value is ("maxLength+1", "type boolean").
	Name string
	// Value is a JSON value (InBody; Raw for lexical tricks) or the
	// string sent (parameters).
	Value  any
	Expect Expect
	// Lexical is set when the problem is in the JSON text rather than in
	// the value it decodes to (invalid UTF-8): kin-openapi, which sees the
	// decoded value, cannot judge it, but the server must still name the
	// field whose text holds it.
	Lexical bool
}

// Gen makes values for schemas from one source of randomness, so a run is
// reproducible from its seed.
type Gen struct {
	R *rand.Rand
}

// NewGen returns a Gen seeded with seed.
func NewGen(seed uint64) *Gen { return &Gen{R: rand.New(rand.NewPCG(seed, 0x5eed))} }

// Character pools for generated strings. Body strings mix in characters
// that trip up encoders, databases and regular expressions.
var (
	alnum   = []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
	fancy   = []rune(" '\"\\<>&/%+?#{}[]éß\u07eeΩЖ日本語🥷🏯\u0301\u202e\u00a0\u3000\t")
	visible = func() []rune {
		var r []rune
		for c := rune(0x21); c < 0x7f; c++ {
			r = append(r, c)
		}
		return r
	}()
	patternMu  sync.Mutex
	patternMap = map[string]*regexp.Regexp{}
)

// patCodepoints matches \uXXXX, which kin-openapi rewrites to \x{XXXX}
// before compiling a pattern with Go's regexp: compiled does the same, to
// judge strings as kin-openapi does.
var patCodepoints = regexp.MustCompile(`\\u([0-9A-F]{4})`)

func compiled(pattern string) *regexp.Regexp {
	patternMu.Lock()
	defer patternMu.Unlock()
	re, ok := patternMap[pattern]
	if !ok {
		re = regexp.MustCompile(patCodepoints.ReplaceAllString(pattern, `\x{$1}`))
		patternMap[pattern] = re
	}
	return re
}

// Type is the schema's JSON type ("" when it names none and has no
// properties).
func Type(s *openapi3.Schema) string {
	if s.Type != nil && len(s.Type.Slice()) > 0 {
		return s.Type.Slice()[0]
	}
	if len(s.Properties) > 0 || len(s.AllOf) > 0 {
		return "object"
	}
	return ""
}

// Flatten merges an allOf of objects into one object schema; other
// schemas come back as they are.
func Flatten(s *openapi3.Schema) *openapi3.Schema {
	if len(s.AllOf) == 0 {
		return s
	}
	out := *s
	out.AllOf = nil
	out.Properties = openapi3.Schemas{}
	for k, v := range s.Properties {
		out.Properties[k] = v
	}
	out.Required = slices.Clone(s.Required)
	for _, ref := range s.AllOf {
		part := Flatten(ref.Value)
		for k, v := range part.Properties {
			out.Properties[k] = v
		}
		out.Required = append(out.Required, part.Required...)
		if part.AdditionalProperties.Has != nil && !*part.AdditionalProperties.Has {
			out.AdditionalProperties = part.AdditionalProperties
		}
	}
	t := openapi3.Types{"object"}
	out.Type = &t
	return &out
}

// StringOK reports whether v meets the string constraints of s: length
// in code points, pattern and enum.
func StringOK(s *openapi3.Schema, v string) bool {
	n := uint64(utf8.RuneCountInString(v))
	if n < s.MinLength || (s.MaxLength != nil && n > *s.MaxLength) {
		return false
	}
	if s.Pattern != "" && !compiled(s.Pattern).MatchString(v) {
		return false
	}
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, any(v)) {
		return false
	}
	return true
}

// intBounds are the inclusive bounds of an integer schema, from minimum,
// maximum and the format.
func intBounds(s *openapi3.Schema) (lo, hi *big.Int) {
	lo, hi = big.NewInt(math.MinInt64), big.NewInt(math.MaxInt64)
	if s.Format == "int32" {
		lo, hi = big.NewInt(math.MinInt32), big.NewInt(math.MaxInt32)
	}
	if s.Min != nil {
		m := new(big.Int)
		new(big.Float).SetFloat64(math.Ceil(*s.Min)).Int(m)
		if s.ExclusiveMin.IsTrue() && float64(int64(*s.Min)) == *s.Min {
			m.Add(m, big.NewInt(1))
		}
		if m.Cmp(lo) > 0 {
			lo = m
		}
	}
	if s.Max != nil {
		m := new(big.Int)
		new(big.Float).SetFloat64(math.Floor(*s.Max)).Int(m)
		if s.ExclusiveMax.IsTrue() && float64(int64(*s.Max)) == *s.Max {
			m.Sub(m, big.NewInt(1))
		}
		if m.Cmp(hi) < 0 {
			hi = m
		}
	}
	return lo, hi
}

// lengthBounds are the bounds of a generated string's length; an open
// maximum is capped so generated values stay small.
func lengthBounds(s *openapi3.Schema) (lo, hi int) {
	lo, hi = int(s.MinLength), int(s.MinLength)+24
	if s.MaxLength != nil {
		hi = int(*s.MaxLength)
	}
	return lo, hi
}

// pool is the characters a string at place may be generated from.
func pool(place Place, plain bool) []rune {
	switch {
	case place == InHeader:
		return visible
	case plain:
		return alnum
	}
	return append(slices.Clone(alnum), fancy...)
}

// String returns a string of n code points meeting s (length, pattern)
// for place, or ok false when no attempt met the pattern.
func (g *Gen) String(s *openapi3.Schema, n int, place Place) (string, bool) {
	try := func(chars []rune) string {
		r := make([]rune, n)
		for i := range r {
			r[i] = chars[g.R.IntN(len(chars))]
		}
		if place == InHeader && n > 2 {
			// An inner space is fine in a header; the ends are trimmed.
			if g.R.IntN(3) == 0 {
				r[1+g.R.IntN(n-2)] = ' '
			}
		}
		if place == InPath && (string(r) == "." || string(r) == "..") {
			r[0] = 'x'
		}
		return string(r)
	}
	ok := func(v string) bool {
		if place == InPath && strings.Contains(v, "/") {
			return false
		}
		return StringOK(&openapi3.Schema{MinLength: s.MinLength, MaxLength: s.MaxLength, Pattern: s.Pattern}, v)
	}
	for i := 0; i < 8; i++ {
		if v := try(pool(place, false)); ok(v) {
			return v, true
		}
	}
	for _, chars := range [][]rune{alnum, []rune("abcdefghijklmnopqrstuvwxyz"), []rune("0123456789")} {
		for i := 0; i < 4; i++ {
			if v := try(chars); ok(v) {
				return v, true
			}
		}
	}
	return "", false
}

// mustString is String with the length moved as little as needed when
// no string of n characters meets the pattern (^[a-z]+$ with minLength 0);
// it panics, naming the pattern, when no length does.
func (g *Gen) mustString(s *openapi3.Schema, n int, place Place) string {
	lo, hi := lengthBounds(s)
	for d := 0; d <= hi-lo; d++ {
		for _, m := range []int{n + d, n - d} {
			if m < lo || m > hi {
				continue
			}
			if v, ok := g.String(s, m, place); ok {
				return v
			}
		}
	}
	panic(fmt.Sprintf("specfuzz: cannot generate a string for pattern %q", s.Pattern))
}

// length picks a length favouring the bounds.
func (g *Gen) length(lo, hi int) int {
	switch g.R.IntN(4) {
	case 0:
		return lo
	case 1:
		return hi
	}
	return lo + g.R.IntN(hi-lo+1)
}

// Int returns a random integer within s, favouring the bounds and small
// numbers.
func (g *Gen) Int(s *openapi3.Schema) int64 {
	blo, bhi := intBounds(s)
	lo, hi := blo.Int64(), bhi.Int64()
	switch g.R.IntN(6) {
	case 0:
		return lo
	case 1:
		return hi
	case 2:
		v := int64(g.R.IntN(21) - 10)
		return max(lo, min(hi, v))
	}
	span := uint64(hi) - uint64(lo)
	if span == math.MaxUint64 {
		return int64(g.R.Uint64())
	}
	return lo + int64(g.R.Uint64N(span+1))
}

// Value returns a random JSON value valid against s, for a body; optional
// object properties are present or absent at random.
func (g *Gen) Value(s *openapi3.Schema) any {
	s = Flatten(s)
	if s.Nullable && g.R.IntN(8) == 0 {
		return nil
	}
	if len(s.Enum) > 0 {
		return s.Enum[g.R.IntN(len(s.Enum))]
	}
	switch Type(s) {
	case "string":
		lo, hi := lengthBounds(s)
		return g.mustString(s, g.length(lo, hi), InBody)
	case "integer":
		return g.Int(s)
	case "number":
		lo, hi := -1e6, 1e6
		if s.Min != nil {
			lo = *s.Min
		}
		if s.Max != nil {
			hi = *s.Max
		}
		return lo + g.R.Float64()*(hi-lo)
	case "boolean":
		return g.R.IntN(2) == 0
	case "array":
		n := int(s.MinItems)
		hi := n + 3
		if s.MaxItems != nil {
			hi = int(*s.MaxItems)
		}
		n += g.R.IntN(hi - n + 1)
		out := make([]any, n)
		for i := range out {
			out[i] = g.Value(s.Items.Value)
		}
		return out
	case "object":
		return g.Object(s, func(string) bool { return g.R.IntN(2) == 0 })
	}
	return "x"
}

// Object returns a valid object for s with every required property and the
// optional ones for which include says so, in the order of the schema's
// property names.
func (g *Gen) Object(s *openapi3.Schema, include func(name string) bool) Object {
	s = Flatten(s)
	var o Object
	for _, name := range PropertyNames(s) {
		if slices.Contains(s.Required, name) || include(name) {
			o = append(o, Member{name, g.Value(s.Properties[name].Value)})
		}
	}
	return o
}

// PropertyNames lists the properties of s in a stable order.
func PropertyNames(s *openapi3.Schema) []string {
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Text returns a random valid value for a parameter as the text sent.
func (g *Gen) Text(s *openapi3.Schema, place Place) string {
	if len(s.Enum) > 0 {
		return fmt.Sprint(s.Enum[g.R.IntN(len(s.Enum))])
	}
	switch Type(s) {
	case "integer":
		return strconv.FormatInt(g.Int(s), 10)
	case "boolean":
		return strconv.FormatBool(g.R.IntN(2) == 0)
	case "number":
		return strconv.FormatFloat(g.Value(s).(float64), 'g', -1, 64)
	}
	lo, hi := lengthBounds(s)
	if place == InHeader && lo == 0 {
		lo = 1 // an empty header is no header
	}
	return g.mustString(s, g.length(lo, hi), place)
}

// Variants lists, for a scalar or array schema, the valid values at its
// boundaries and one value breaking each of its constraints, as JSON
// values for a body (place InBody) or as parameter texts.
func (g *Gen) Variants(s *openapi3.Schema, place Place) []Variant {
	s = Flatten(s)
	var out []Variant
	add := func(name string, v any, e Expect) { out = append(out, Variant{Name: name, Value: v, Expect: e}) }
	body := place == InBody
	if body {
		if s.Nullable {
			add("null", nil, Valid)
		} else {
			add("null", nil, Invalid)
		}
	}
	switch Type(s) {
	case "string":
		out = append(out, g.stringVariants(s, place)...)
	case "integer":
		out = append(out, g.intVariants(s, place)...)
	case "number":
		if body {
			add("type string", "1", Invalid)
			add("type boolean", true, Invalid)
		} else {
			add("not a number", "abc", Invalid)
		}
	case "boolean":
		if body {
			add("true", true, Valid)
			add("false", false, Valid)
			add("type string", "true", Invalid)
			add("type integer", 1, Invalid)
		} else {
			add("true", "true", Valid)
			add("false", "false", Valid)
			add("not a boolean", "yes", Invalid)
		}
	case "array":
		if body {
			add("type object", Object{}, Invalid)
			add("type string", "[]", Invalid)
			if s.MinItems > 0 {
				short := make([]any, s.MinItems-1)
				for i := range short {
					short[i] = g.Value(s.Items.Value)
				}
				add("minItems-1", short, Invalid)
			}
			if s.MaxItems != nil {
				long := make([]any, *s.MaxItems+1)
				for i := range long {
					long[i] = g.Value(s.Items.Value)
				}
				add("maxItems+1", long, Invalid)
			}
		}
	}
	if body {
		switch Type(s) {
		case "string", "integer", "number", "boolean":
			add("type array", []any{}, Invalid)
			add("type object", Object{}, Invalid)
			add("nested object", Object{{"a", Object{{"b", []any{1, nil}}}}}, Invalid)
		}
	}
	return out
}

func (g *Gen) stringVariants(s *openapi3.Schema, place Place) []Variant {
	var out []Variant
	body := place == InBody
	// judge decides a candidate by the schema itself, so a value that
	// happens to meet the constraints is never claimed to break them.
	judge := func(name, v string) {
		e := Invalid
		if StringOK(s, v) {
			e = Valid
		}
		out = append(out, Variant{Name: name, Value: v, Expect: e})
	}
	lo, hi := lengthBounds(s)
	if len(s.Enum) > 0 {
		for _, e := range s.Enum {
			out = append(out, Variant{Name: fmt.Sprintf("enum %v", e), Value: fmt.Sprint(e), Expect: Valid})
		}
		first := fmt.Sprint(s.Enum[0])
		judge("not in enum", "not-"+strings.Trim(first, "-"))
		judge("enum upper case", strings.ToUpper(first))
		judge("enum with trailing space", first+" ")
		judge("enum empty", "")
		if place != InHeader {
			judge("enum with NUL", first+"\x00")
		}
	} else {
		if v, ok := g.String(s, lo, place); ok && !(place == InHeader && lo == 0) {
			judge("minLength", v)
		}
		if s.MaxLength != nil {
			if v, ok := g.String(s, hi, place); ok {
				judge("maxLength", v)
			}
			if place != InHeader {
				// Multi-byte characters: the limit counts code points.
				if v, ok := g.wide(s, hi); ok {
					judge("maxLength in multi-byte characters", v)
				}
			}
		}
		if s.MinLength > 0 {
			judge("minLength-1", strings.Repeat("a", int(s.MinLength)-1))
		}
		if s.MaxLength != nil {
			judge("maxLength+1", strings.Repeat("a", hi+1))
			if place != InHeader {
				judge("maxLength+1 in multi-byte characters", strings.Repeat("日", hi+1))
			}
		}
		if s.Pattern != "" {
			n := max(lo, min(hi, 4))
			base := strings.Repeat("a", n)
			for _, v := range []string{" " + base[1:], base[1:] + " ", "\t" + base[1:], base[:n/2] + "\n" + base[n/2+1:], "." + base[1:], "-" + base[1:], base[:n/2] + " " + base[n/2+1:],
				// Whitespace and line breaks beyond ASCII, and the CR
				// that Go's . takes.
				"\u00a0" + base[1:], base[1:] + "\u3000", "\ufeff" + base[1:], base[:n/2] + "\r" + base[n/2+1:], base[:n/2] + "\u2028" + base[n/2+1:]} {
				if place == InHeader && (strings.ContainsAny(v, "\t\n\r") || strings.ContainsFunc(v, func(r rune) bool { return r > 0x7e })) {
					continue
				}
				if place == InHeader && strings.TrimSpace(v) != v {
					continue
				}
				if !compiled(s.Pattern).MatchString(v) {
					judge("pattern broken by "+strconv.Quote(v), v)
				}
			}
		}
		if place != InHeader && hi >= 3 {
			// NUL and odd characters inside: valid wherever the pattern
			// allows them, and then they must survive a round trip.
			n := max(lo, 3)
			judge("NUL inside", "a\x00"+strings.Repeat("b", n-2))
			judge("HTML and quotes", g.fit(s, `<b>"x"&'y'</b>\`))
			judge("emoji", g.fit(s, "🥷🏯ninja"))
		}
	}
	if place != InBody && place != InHeader && hi >= 3 {
		judge("invalid UTF-8", "a\xff"+strings.Repeat("b", max(1, lo-2)))
	}
	if place == InHeader && len(s.Enum) == 0 && hi >= 3 {
		judge("obs-text byte", "a\xffb")
	}
	if body {
		// JSON text must be UTF-8 (RFC 8259 §8.1): a decoder that swaps a
		// bad byte for U+FFFD stores what nobody sent. A lone surrogate
		// escape is well-formed JSON naming no character (§8.2): swapped
		// for U+FFFD, it too would store what nobody sent, so this server
		// refuses it.
		n := max(lo, 3)
		base := strings.Repeat("a", n-1)
		out = append(out,
			Variant{Name: "invalid UTF-8", Value: Raw(`"` + base[:1] + "\xff" + base[1:] + `"`), Expect: Invalid, Lexical: true},
			Variant{Name: "lone surrogate escape", Value: Raw(`"` + base[:1] + `\ud800` + base[1:] + `"`), Expect: Invalid, Lexical: true},
			Variant{Name: "lone low surrogate escape", Value: Raw(`"` + base[:1] + `\uDC00` + base[1:] + `"`), Expect: Invalid, Lexical: true},
			Variant{Name: "type integer", Value: 7, Expect: Invalid},
			Variant{Name: "type number", Value: 1.5, Expect: Invalid},
			Variant{Name: "type boolean", Value: true, Expect: Invalid},
		)
		// The escaped pair of a character beyond the BMP names it.
		if pair := base[:1] + "🥷" + base[1:]; StringOK(s, pair) {
			out = append(out, Variant{Name: "surrogate pair escape", Value: Raw(`"` + base[:1] + `\ud83e\udd77` + base[1:] + `"`), Expect: Valid})
		}
	}
	return out
}

// wide returns a string of n multi-byte code points meeting s, if any.
func (g *Gen) wide(s *openapi3.Schema, n int) (string, bool) {
	for _, r := range []string{"日", "é", "🥷"} {
		v := strings.Repeat(r, n)
		if StringOK(&openapi3.Schema{MinLength: s.MinLength, MaxLength: s.MaxLength, Pattern: s.Pattern}, v) {
			return v, true
		}
	}
	return "", false
}

// fit cuts or pads v to the length bounds of s.
func (g *Gen) fit(s *openapi3.Schema, v string) string {
	lo, hi := lengthBounds(s)
	r := []rune(v)
	if len(r) > hi {
		r = r[:hi]
	}
	for len(r) < lo {
		r = append(r, 'z')
	}
	return string(r)
}

func (g *Gen) intVariants(s *openapi3.Schema, place Place) []Variant {
	var out []Variant
	body := place == InBody
	blo, bhi := intBounds(s)
	in := func(v *big.Int) bool { return v.Cmp(blo) >= 0 && v.Cmp(bhi) <= 0 }
	// num writes an integer as a body value or a parameter text.
	num := func(v *big.Int) any {
		if body {
			return Raw(v.String())
		}
		return v.String()
	}
	text := func(t string) any {
		if body {
			return Raw(t)
		}
		return t
	}
	add := func(name string, v any, e Expect) { out = append(out, Variant{Name: name, Value: v, Expect: e}) }
	byValue := func(name string, v *big.Int) {
		e := Invalid
		if in(v) {
			e = Valid
		}
		add(name, num(v), e)
	}
	one := big.NewInt(1)
	byValue("minimum", blo)
	byValue("maximum", bhi)
	byValue("minimum+1", new(big.Int).Add(blo, one))
	byValue("maximum-1", new(big.Int).Sub(bhi, one))
	byValue("minimum-1", new(big.Int).Sub(blo, one))
	byValue("maximum+1", new(big.Int).Add(bhi, one))
	byValue("zero", big.NewInt(0))
	byValue("-1", big.NewInt(-1))
	for _, t := range []string{"2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
		"-9223372036854775808", "-9223372036854775809", "99999999999999999999", "-99999999999999999999"} {
		v, _ := new(big.Int).SetString(t, 10)
		byValue(t, v)
	}
	// Exponents beyond any int64: integer bounds here are at most int64's.
	for _, t := range []string{"1e30", "-1e30", "1e400"} {
		add(t, text(t), Invalid)
	}
	lo := blo.String()
	if body {
		add("fraction", Raw(lo+".5"), Invalid)
		// JSON Schema counts 1.0 as an integer; a server may take it, or
		// refuse it naming the field.
		add("integral float "+lo+".0", Raw(lo+".0"), Either)
		add("exponent "+lo+"e0", Raw(lo+"e0"), Either)
		add("type string", lo, Invalid)
		add("type string word", "abc", Invalid)
		add("type boolean", true, Invalid)
	} else {
		for _, t := range []string{"abc", "1.5", "0x10", "1_000", "true", "null", "NaN", "Infinity", "１", "\x00", lo + "\x00", "\xff"} {
			add("not an integer "+strconv.Quote(t), t, Invalid)
		}
		if place != InHeader {
			add("leading space", " "+lo, Invalid)
			add("trailing space", lo+" ", Invalid)
		}
		if place == InQuery {
			add("empty", "", Invalid)
		}
		// Other spellings of a valid number.
		for _, t := range []string{"+" + strings.TrimPrefix(lo, "+"), "0" + lo, lo + ".0", lo + "e0"} {
			if strings.HasPrefix(lo, "-") {
				continue
			}
			add("spelled "+strconv.Quote(t), t, Either)
		}
	}
	return out
}
