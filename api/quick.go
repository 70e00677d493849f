package api

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
)

// The quick check says yes, quickly, to the requests the contract plainly
// allows, so that most requests skip kin-openapi's generic decoding of
// every parameter and body.
//
// kin-openapi remains the validator of record. The quick check answers only
// "valid" or "not sure"; "not sure" (which covers every invalid request)
// hands the request to kin-openapi, which decides and words the problem. So
// every rejection and every field message is kin-openapi's, and the quick
// check only has to be right when it says yes: it understands a small part
// of JSON Schema (strings with length, pattern and enum; integers with
// bounds; flat objects of those) and gives up on anything else, down to an
// escaped member name or a number written as 1.0. TestQuickCheckAgreesWithKin
// runs a large generated request set both ways and compares the outcomes.
type quickCheck struct {
	params []quickParam
	// bodies holds the compiled body schema per request media type; a
	// media type missing here is left to kin-openapi.
	bodies map[string]*quickObject
}

type quickParam struct {
	in, name string
	key      string // the header's canonical name
	required bool
	value    *quickValue
}

// quickValue checks one string or integer.
type quickValue struct {
	integer  bool
	nullable bool
	// strings
	minLen  uint64
	maxLen  uint64            // math.MaxUint64: none
	pattern func(string) bool // nil: none
	enum    []string
	// integers, compared as float64 as kin-openapi does
	min, max *float64
	bits     int // 32 or 64
}

// quickObject checks a flat JSON object.
type quickObject struct {
	names    []string // property names, in the order of values
	values   []*quickValue
	required uint64 // bit i: names[i] is required
}

// maxQuickMembers is how many properties an object the quick check reads
// may have: one bit each in quickObject.required and in body's seen.
const maxQuickMembers = 64

// newQuickCheck compiles what it can of op; nil when the operation's
// parameters are beyond it (its body alone being beyond it only leaves
// bodies empty).
func newQuickCheck(spec *openapi3.T, route *openapi3.PathItem, op *openapi3.Operation) *quickCheck {
	if spec.IsOpenAPI31OrLater() {
		// kin-openapi validates 3.1 documents as JSON Schema 2020-12
		// (where nullable means nothing, for one): not this check's reading.
		return nil
	}
	q := &quickCheck{bodies: map[string]*quickObject{}}
	for _, ref := range operationParameters(route, op) {
		p := ref.Value
		if p == nil || p.Schema == nil || p.Schema.Value == nil || p.Content != nil ||
			p.AllowEmptyValue || p.Style != "" || p.Explode != nil ||
			(p.In != openapi3.ParameterInPath && p.In != openapi3.ParameterInQuery && p.In != openapi3.ParameterInHeader) {
			return nil
		}
		v := compileValue(p.Schema.Value)
		if v == nil || v.nullable {
			return nil
		}
		q.params = append(q.params, quickParam{in: p.In, name: p.Name, key: http.CanonicalHeaderKey(p.Name), required: p.Required, value: v})
	}
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		for mediaType, content := range rb.Value.Content {
			if !strings.HasSuffix(mediaType, "json") || content.Schema == nil || content.Schema.Value == nil || len(content.Encoding) > 0 {
				continue
			}
			if obj := compileObject(content.Schema.Value); obj != nil {
				q.bodies[mediaType] = obj
			}
		}
	}
	return q
}

// plain reports whether s uses nothing but the keywords listed, so that a
// keyword added to the contract later switches the quick check off for it
// instead of being skipped. Two it clears take no part in validation here:
// default, because the validator runs kin-openapi with SkipSettingDefaults,
// and the x- extensions, which kin-openapi does not read (this project's
// x-pattern-message only words a problem).
func plain(s *openapi3.Schema) bool {
	c := *s
	c.Extensions, c.Origin = nil, nil
	c.Type, c.Title, c.Description, c.Example, c.Deprecated = nil, "", "", nil, false
	c.Format, c.Enum, c.Nullable, c.Default = "", nil, false, nil
	c.Min, c.Max = nil, nil
	c.MinLength, c.MaxLength, c.Pattern = 0, nil, ""
	c.Required, c.Properties = nil, nil
	if c.AdditionalProperties.Schema == nil {
		c.AdditionalProperties.Has = nil
	}
	return reflect.ValueOf(c).IsZero()
}

func compileValue(s *openapi3.Schema) *quickValue {
	if !plain(s) || s.Type == nil || len(s.Properties) > 0 || len(s.Required) > 0 {
		return nil
	}
	v := &quickValue{nullable: s.Nullable, maxLen: math.MaxUint64}
	switch {
	case s.Type.Is(openapi3.TypeString):
		if s.Format != "" || s.Min != nil || s.Max != nil {
			return nil
		}
		v.minLen = s.MinLength
		if s.MaxLength != nil {
			v.maxLen = *s.MaxLength
		}
		if s.Pattern != "" {
			match, err := compilePattern(s.Pattern)
			if err != nil {
				return nil
			}
			v.pattern = match
		}
		for _, e := range s.Enum {
			str, ok := e.(string)
			if !ok {
				return nil
			}
			v.enum = append(v.enum, str)
		}
	case s.Type.Is(openapi3.TypeInteger):
		if s.MinLength != 0 || s.MaxLength != nil || s.Pattern != "" || len(s.Enum) > 0 {
			return nil
		}
		switch s.Format {
		case "int32":
			v.bits = 32
		case "", "int64":
			v.bits = 64
		default:
			return nil
		}
		v.integer, v.min, v.max = true, s.Min, s.Max
	default:
		return nil
	}
	return v
}

func compileObject(s *openapi3.Schema) *quickObject {
	if s.MaxProps != nil {
		// A body the check accepts holds each property at most once and
		// nothing else, so a bound no smaller than their number never
		// decides here (the validator applies it before, see maxMembers).
		if *s.MaxProps < uint64(len(s.Properties)) {
			return nil
		}
		c := *s
		c.MaxProps = nil
		s = &c
	}
	if !plain(s) || s.Type == nil || !s.Type.Is(openapi3.TypeObject) || s.Nullable ||
		s.Format != "" || len(s.Enum) > 0 || s.Min != nil || s.Max != nil ||
		s.MinLength != 0 || s.MaxLength != nil || s.Pattern != "" || len(s.Properties) > maxQuickMembers {
		return nil
	}
	o := &quickObject{}
	for name, ref := range s.Properties {
		if ref.Value == nil {
			return nil
		}
		v := compileValue(ref.Value)
		if v == nil {
			return nil
		}
		o.names = append(o.names, name)
		o.values = append(o.values, v)
	}
	for _, name := range s.Required {
		i := slices.Index(o.names, name)
		if i < 0 {
			return nil // required but not a property: leave it to kin-openapi
		}
		o.required |= 1 << i
	}
	return o
}

// paramsOK reports whether every parameter of the request is one the
// contract plainly allows; query is the request's parsed query.
func (q *quickCheck) paramsOK(c *gin.Context, query url.Values) bool {
	for i := range q.params {
		p := &q.params[i]
		var raw string
		var found bool
		switch p.in {
		case openapi3.ParameterInPath:
			raw, found = c.Params.Get(p.name)
			if strings.IndexByte(raw, '%') >= 0 {
				// Gin has unescaped the path once; whether anything
				// unescapes again is not this check's to know.
				return false
			}
		case openapi3.ParameterInQuery:
			var vals []string
			vals, found = query[p.name]
			if found {
				if len(vals) != 1 {
					return false
				}
				raw = vals[0]
			}
		case openapi3.ParameterInHeader:
			var vals []string
			vals, found = c.Request.Header[p.key]
			if found {
				if len(vals) != 1 {
					return false
				}
				raw = vals[0]
			}
		}
		if !found {
			if p.required {
				return false
			}
			continue
		}
		if raw == "" || !p.value.text(raw) {
			return false
		}
	}
	return true
}

// text checks a parameter's text: an integer in a subset of the forms
// strconv.ParseInt reads (kin-openapi's parser; at most 19 digits here), or
// a string as it is.
func (v *quickValue) text(raw string) bool {
	if v.integer {
		n, ok := parseInt(raw, v.bits, true)
		return ok && v.inRange(n)
	}
	return v.str(raw)
}

func (v *quickValue) inRange(n int64) bool {
	f := float64(n)
	return (v.min == nil || f >= *v.min) && (v.max == nil || f <= *v.max)
}

func (v *quickValue) str(s string) bool {
	if v.minLen != 0 || v.maxLen != math.MaxUint64 {
		// Code points, as kin-openapi counts them: its branch counting a
		// surrogate as two never fires, as ranging over a Go string never
		// yields one.
		if n := uint64(utf8.RuneCountInString(s)); n < v.minLen || n > v.maxLen {
			return false
		}
	}
	if v.pattern != nil && !v.pattern(s) {
		return false
	}
	return v.enum == nil || slices.Contains(v.enum, s)
}

// parseInt reads decimal digits with an optional sign: "+" only where
// strconv.ParseInt takes it (parameters), never in JSON. It reports false
// for anything else and for values out of range for bits.
func parseInt(s string, bits int, plus bool) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '-' || (plus && s[0] == '+')) {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || len(s) > 19 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + uint64(d)
	}
	limit := uint64(1) << (bits - 1) // -limit is the minimum, limit-1 the maximum
	if neg {
		if n > limit {
			return 0, false
		}
		return -int64(n), true
	}
	if n >= limit {
		return 0, false
	}
	return int64(n), true
}

// body reports whether data, already known to be UTF-8, is a JSON object
// the schema plainly allows. It reads the object in one pass and gives up
// at anything beyond a flat object of strings, integers and nulls without
// escapes in member names, duplicate members or trailing bytes. members
// receives each member's value as encoding/json decodes it into an any,
// but for numbers, which it gives as json.Number.
func (o *quickObject) body(data []byte, members map[string]any) bool {
	s := scanner{data: data}
	s.space()
	if !s.next('{') {
		return false
	}
	var seen uint64
	s.space()
	if !s.next('}') {
		for {
			s.space()
			name, escaped, ok := s.str()
			if !ok || escaped {
				return false
			}
			i := -1
			for j, n := range o.names {
				if n == string(name) {
					i = j
					break
				}
			}
			if i < 0 || seen&(1<<i) != 0 {
				return false
			}
			seen |= 1 << i
			s.space()
			if !s.next(':') {
				return false
			}
			s.space()
			value, ok := s.value(o.values[i])
			if !ok {
				return false
			}
			members[o.names[i]] = value
			s.space()
			if s.next('}') {
				break
			}
			if !s.next(',') {
				return false
			}
		}
	}
	s.space()
	return s.i == len(data) && seen&o.required == o.required
}

// scanner reads the little of JSON the quick check understands.
type scanner struct {
	data []byte
	i    int
}

func (s *scanner) space() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) next(b byte) bool {
	if s.i < len(s.data) && s.data[s.i] == b {
		s.i++
		return true
	}
	return false
}

// str reads a string and returns its raw contents (escapes not undone).
func (s *scanner) str() (raw []byte, escaped, ok bool) {
	if !s.next('"') {
		return nil, false, false
	}
	start := s.i
	for s.i < len(s.data) {
		switch b := s.data[s.i]; {
		case b == '"':
			raw = s.data[start:s.i]
			s.i++
			return raw, escaped, true
		case b == '\\':
			escaped = true
			s.i += 2 // the escaped byte cannot end the string
		case b < 0x20:
			return nil, false, false
		default:
			s.i++
		}
	}
	return nil, false, false
}

// value reads one member value, checks it against v and returns it: nil,
// a string or a json.Number.
func (s *scanner) value(v *quickValue) (any, bool) {
	if s.i >= len(s.data) {
		return nil, false
	}
	switch b := s.data[s.i]; {
	case b == 'n':
		if !v.nullable || !hasPrefixAt(s.data, s.i, "null") {
			return nil, false
		}
		s.i += 4
		return nil, s.delimited()
	case b == '"':
		if v.integer {
			return nil, false
		}
		start := s.i
		raw, escaped, ok := s.str()
		if !ok {
			return nil, false
		}
		if !escaped {
			str := string(raw)
			return str, v.str(str)
		}
		var str string
		if json.Unmarshal(s.data[start:s.i], &str) != nil || !v.str(str) {
			return nil, false
		}
		return str, true
	case b == '-' || (b >= '0' && b <= '9'):
		if !v.integer {
			return nil, false
		}
		start := s.i
		if b == '-' {
			s.i++
		}
		digits := s.i
		for s.i < len(s.data) && s.data[s.i] >= '0' && s.data[s.i] <= '9' {
			s.i++
		}
		// JSON allows no leading zeros; a fraction or exponent is beyond
		// the quick check (kin-openapi accepts 1.0 as an integer).
		if s.i == digits || (s.data[digits] == '0' && s.i-digits > 1) || !s.delimited() {
			return nil, false
		}
		n, ok := parseInt(string(s.data[start:s.i]), v.bits, false)
		if !ok || !v.inRange(n) {
			return nil, false
		}
		return json.Number(s.data[start:s.i]), true
	}
	return nil, false
}

// delimited reports whether the value just read ends where JSON lets it.
func (s *scanner) delimited() bool {
	if s.i == len(s.data) {
		return true
	}
	switch s.data[s.i] {
	case ' ', '\t', '\n', '\r', ',', '}':
		return true
	}
	return false
}

func hasPrefixAt(data []byte, i int, prefix string) bool {
	return len(data)-i >= len(prefix) && string(data[i:i+len(prefix)]) == prefix
}

// body reports whether data, sent as mediaType and already known to be
// UTF-8, is a body the contract plainly allows, and returns its members
// (quickObject.body) for the handler, so that it need not decode data a
// second time.
func (q *quickCheck) body(mediaType string, data []byte) (map[string]any, bool) {
	o := q.bodies[mediaType]
	if o == nil || len(data) == 0 {
		return nil, false
	}
	members := make(map[string]any, len(o.names))
	if !o.body(data, members) {
		return nil, false
	}
	return members, true
}
