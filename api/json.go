package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"math"
	"strconv"
	"strings"
)

// jsonEncode writes v as JSON without escaping <, > and & (the bodies are
// not HTML) and with the trailing newline the generated responses use.
func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// wholeNumbers reads the integer members of a JSON object body, those
// named in ints (the top-level members the operation's body schema types
// integer; no request body of the contract nests one deeper), for what
// kin-openapi's check leaves to the handler:
//
//   - kin-openapi reads a number as a float64 and counts it an integer when
//     that is whole: 1.0, 1e0, 10E-1, but also 1.0000000000000001 and
//     0.99999999999999999, which a float64 cannot tell from 1. JSON Schema's
//     integer is a number whose value has no fraction, so the text decides
//     (exactInteger): such a number is refused, "must be an integer", as
//     kin-openapi refuses 1.5. (A client that meant 1 sent 1; one that sent
//     0.99999999999999999 for a location id did not name location 1.)
//   - encoding/json, which binds the body to the generated types, takes
//     only digits for an int64. rewritten is the body with each integer
//     written otherwise (1.0, 1e0) as digits (nil when there is none).
//   - An integer beyond int64 satisfies the schema and fits no field.
//
// refused names each member refused so, by why. A number with a fraction a float64
// keeps is left for kin-openapi to refuse. The work is bounded whatever the
// body holds: at most len(ints) numbers are read, each in time linear in
// its length.
func wholeNumbers(data []byte, ints []string) (rewritten []byte, refused numberRefusals) {
	if len(ints) == 0 {
		return nil, refused
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(data, &members) != nil {
		return nil, refused
	}
	refuse := func(m *map[string]string, name, msg string) {
		if *m == nil {
			*m = map[string]string{}
		}
		(*m)[name] = label(name) + msg
	}
	changed := false
	for _, name := range ints {
		raw, ok := members[name]
		if !ok || !isNumber(raw) {
			continue // absent, or not a number: kin-openapi says so
		}
		text := string(raw)
		if _, err := strconv.ParseInt(text, 10, 64); err == nil {
			continue // digits in range: as the handler wants it
		}
		n, whole, inRange := integerValue(text)
		switch {
		case !whole:
			continue
		case !exactInteger(text):
			refuse(&refused.notInteger, name, " must be an integer")
		case !inRange:
			refuse(&refused.outOfRange, name, " is out of range")
		default:
			members[name] = json.RawMessage(strconv.FormatInt(n, 10))
			changed = true
		}
	}
	if !changed || refused.any() {
		return nil, refused
	}
	var buf bytes.Buffer
	if jsonEncode(&buf, members) != nil {
		return nil, refused
	}
	return buf.Bytes(), refused
}

// numberRefusals are wholeNumbers' refusals, by member name.
type numberRefusals struct {
	// notInteger: the number's value, read from its digits, is no
	// integer. That outranks what kin-openapi found in the float64 it
	// rounded the number to (1e-400 is 0 to it, below a location id's
	// minimum of 1).
	notInteger map[string]string
	// outOfRange: an integer past int64's range. kin-openapi's message for
	// the member, if it has one (a minimum), stands: one below the
	// smallest is below the field's minimum.
	outOfRange map[string]string
}

func (r numberRefusals) any() bool { return len(r.notInteger)+len(r.outOfRange) > 0 }

// over puts r's messages into fields, the messages of kin-openapi's
// check: each notInteger replaces the member's message, each outOfRange
// goes where the member has none.
func (r numberRefusals) over(fields map[string]string) {
	maps.Copy(fields, r.notInteger)
	addAbsent(fields, r.outOfRange)
}

// isNumber reports whether raw, a valid JSON value, is a number.
func isNumber(raw json.RawMessage) bool {
	return len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'))
}

// decimal is JSON number text read from its digits: its value is
// digits × 10^scale, digits without leading or trailing zeros ("" for zero).
type decimal struct {
	negative bool
	digits   string
	scale    int64
}

// maxScale bounds a decimal's scale: an exponent beyond it makes a value
// that is an integer far out of any range (positive) or has a fraction
// (negative) whatever its digits, and bounding it keeps the sums below
// from wrapping (a body's digits are far fewer than 2^50).
const maxScale = 1 << 50

// parseNumber reads valid JSON number text. Linear in the text, whatever
// its exponent (no power of ten is computed).
func parseNumber(text string) decimal {
	neg := strings.HasPrefix(text, "-")
	mant, exp, _ := strings.Cut(strings.ToLower(strings.TrimPrefix(text, "-")), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return decimal{} // zero
	}
	trimmed := strings.TrimRight(digits, "0")
	scale := int64(len(digits)-len(trimmed)) - int64(len(frac))
	if exp != "" {
		e, err := strconv.ParseInt(strings.TrimPrefix(exp, "+"), 10, 64)
		switch {
		case err != nil && strings.HasPrefix(exp, "-"), e < -maxScale:
			e = -maxScale
		case err != nil, e > maxScale:
			e = maxScale
		}
		scale += e
	}
	return decimal{negative: neg, digits: trimmed, scale: scale}
}

// integer reports whether the number's value has no fraction.
func (n decimal) integer() bool { return n.digits == "" || n.scale >= 0 }

// int64 is the number's value when it is an integer within int64's range.
func (n decimal) int64() (int64, bool) {
	if n.digits == "" {
		return 0, true
	}
	if !n.integer() || int64(len(n.digits))+n.scale > 19 {
		return 0, false // a fraction, or 20 digits and more: beyond 2^63
	}
	u, err := strconv.ParseUint(n.digits, 10, 64)
	if err != nil {
		return 0, false
	}
	for range n.scale {
		if u > math.MaxUint64/10 {
			return 0, false
		}
		u *= 10
	}
	switch {
	case n.negative && u <= 1<<63:
		return int64(-u), true
	case !n.negative && u <= math.MaxInt64:
		return int64(u), true
	}
	return 0, false
}

// exactInteger reports whether JSON number text has an integer value, read
// from its digits, not through a float64.
func exactInteger(text string) bool { return parseNumber(text).integer() }

// integerValue reads the JSON number text as kin-openapi judges it:
// whole when its float64 value has no fraction. n is the integer its
// digits say (9007199254740993.0 is 9007199254740993, which a float64
// would round), when it has no fraction (exactInteger) and fits an int64,
// which inRange reports.
func integerValue(text string) (n int64, whole, inRange bool) {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false, false
	}
	if math.IsInf(f, 0) || f != math.Trunc(f) {
		return 0, false, false // beyond float64, or a fraction: kin-openapi refuses it
	}
	n, inRange = parseNumber(text).int64()
	return n, true, inRange
}

// maxJSONDepth is encoding/json's limit on nesting, and so kin-openapi's
// and the handlers': json.Valid refuses a document whose arrays and
// objects nest deeper, as RFC 8259 §9 lets a parser do.
const maxJSONDepth = 10000

// notJSON is the message for a body that is not JSON, whoever finds it
// out: invalidJSON, or kin-openapi failing to decode it (messages.go).
const notJSON = "request body must be valid JSON"

// invalidJSON is the message for a body json.Valid refused. It names the
// nesting limit when the body goes past it: such a body may be valid JSON
// but for that, and "must be valid JSON" alone would leave its sender
// looking for a syntax error.
func invalidJSON(data []byte) string {
	if nestsDeeper(data, maxJSONDepth) {
		return fmt.Sprintf("%s nested at most %d levels deep", notJSON, maxJSONDepth)
	}
	return notJSON
}

// nestsDeeper reports whether data opens more than limit arrays and
// objects at once, outside strings.
func nestsDeeper(data []byte, limit int) bool {
	depth := 0
	for b := range outsideStrings(data) {
		switch b {
		case '{', '[':
			if depth++; depth > limit {
				return true
			}
		case '}', ']':
			depth--
		}
	}
	return false
}

// outsideStrings yields the bytes of data, JSON text, that are not inside
// a string: the structure, the numbers and literals, and the quotes.
func outsideStrings(data []byte) iter.Seq[byte] {
	return func(yield func(byte) bool) {
		inString := false
		for i := 0; i < len(data); i++ {
			b := data[i]
			if inString {
				switch b {
				case '\\':
					i++ // the escaped byte cannot end the string
				case '"':
					inString = false
				}
				continue
			}
			inString = b == '"'
			if !yield(b) {
				return
			}
		}
	}
}

// objectMembers counts the members of data, valid JSON text, when it is an
// object, as written (a name given twice counts twice), up to one more than
// limit; 0 for anything else. It reads each byte once and keeps nothing.
func objectMembers(data []byte, limit uint64) uint64 {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) < 2 || data[0] != '{' {
		return 0
	}
	if rest := bytes.TrimLeft(data[1:], " \t\r\n"); len(rest) > 0 && rest[0] == '}' {
		return 0
	}
	n, depth := uint64(1), 0
	for b := range outsideStrings(data[1:]) {
		switch {
		case b == '{' || b == '[':
			depth++
		case b == '}' || b == ']':
			depth--
		case b == ',' && depth == 0:
			if n++; n > limit {
				return n
			}
		}
	}
	return n
}

// duplicateMembers names the members a JSON object body gives more than
// once ({"first_name":"Ab","first_name":"Cd"}): encoding/json, and so
// kin-openapi and the handler, would take the last, where another reader
// of the same bytes (a proxy, a log pipeline) may take the first. A name
// that cannot be a field's (see lexicalErrors) is reported as the body's.
func duplicateMembers(data []byte) map[string]string {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var seen map[string]bool
	var fields map[string]string
	for dec.More() {
		tok, err := dec.Token()
		name, ok := tok.(string)
		if err != nil || !ok {
			return fields
		}
		if seen[name] {
			if fields == nil {
				fields = map[string]string{}
			}
			if unnameableAt(0, name) {
				fields[bodyKey] = "request body must give each member only once"
			} else {
				fields[name] = memberLabel(name) + " must be given only once"
			}
		}
		if seen == nil {
			seen = map[string]bool{}
		}
		seen[name] = true
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return fields
		}
	}
	return fields
}
