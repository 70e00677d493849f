package api

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// This file turns kin-openapi's validation errors into field messages; the
// checks this package makes where kin-openapi cannot (json.go, lexical.go,
// crossfield.go) word theirs alike. A message is derived from the violated
// schema keyword and the field's name, so the seed's {"first_name": "first
// name must be at least 2 characters long"} comes out of minLength: 2 on
// first_name, and every other field gets an equally plain sentence without
// anyone writing it.

// bodyKey keys problems with the request body as a whole (not JSON, empty).
const bodyKey = "body"

// faults are a kin-openapi request validation error's field messages, by
// where the fault lies: a parameter and a body member of the same name (PUT
// /locations/abc with {"id": 1}) are two fields under one key, and a member
// the schema does not allow is a fault of its name, whatever else is wrong
// with it (given twice, say). Where several errors hit one field of a kind,
// the most specific (see the prio constants) wins.
type faults struct {
	params  map[string]string // the parameters'
	body    map[string]string // the body's, but for unknown
	unknown map[string]string // the members not allowed, by name
	// unrecognised holds the errors of a kind this file does not know,
	// each answered with the body's plain "request is not valid": no input
	// is known to reach them, so the caller logs them, to be named here.
	unrecognised []error
}

// collectFaults collects the faults of err. The caller adds to body what else
// it finds in the body, then joins the three with join.
func collectFaults(err error) faults {
	c := collector{params: newFieldSet(), body: newFieldSet(), unknown: newFieldSet()}
	c.add(err)
	return faults{params: c.params.fields, body: c.body.fields, unknown: c.unknown.fields, unrecognised: c.unrecognised}
}

// join returns the body's messages with the unknown members' and the
// parameters' put in: under a key two of them use, each is named, joined by
// "; " (the parameter's first, then the name's), where one would hide the
// other.
func (f faults) join() map[string]string {
	return prepend(f.params, prepend(f.unknown, f.body))
}

// collector gathers the parameters' messages, the body's and the unknown
// members', which may use the same keys, apart.
type collector struct {
	params, body, unknown fieldSet
	unrecognised          []error
}

// The priorities of a field's messages: where several faults hit one
// field, the highest is told (fieldSet.set), and of equals the first.
const (
	prioGeneric  = iota // "is not valid": nothing more specific is known
	prioFormat          // a format, or not JSON: the form of the value
	prioBound           // a declared bound (length, range, enum, pattern, items, members), or a parameter that does not parse as its type
	prioPresence        // required, a body member's type, null, an empty parameter, not allowed: the value is not there, or not of its kind
)

// fieldSet holds a message per key, the one of highest priority.
type fieldSet struct {
	fields map[string]string
	prio   map[string]int
}

func newFieldSet() fieldSet {
	return fieldSet{fields: map[string]string{}, prio: map[string]int{}}
}

func (s fieldSet) set(key, msg string, prio int) {
	if old, ok := s.prio[key]; ok && old >= prio {
		return
	}
	s.fields[key], s.prio[key] = msg, prio
}

// add walks err by its concrete types: kin-openapi's MultiError answers
// errors.As for any of its members, so errors.As would find only the first.
func (c *collector) add(err error) {
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, m := range e {
			c.add(m)
		}
	case *openapi3filter.RequestError:
		switch {
		case e.Parameter != nil:
			c.addParameter(e.Parameter, e.Err)
		case e.RequestBody != nil:
			c.addBody(e)
		default:
			c.unrecognise(e)
		}
	case *openapi3.SchemaError:
		c.addSchema(e)
	default:
		c.unrecognise(err)
	}
}

// unrecognise answers err, of a kind add does not know, with the plain
// message the body's fault of lowest priority gets, and keeps it to be
// logged.
func (c *collector) unrecognise(err error) {
	c.body.set(bodyKey, "request is not valid", prioGeneric)
	c.unrecognised = append(c.unrecognised, err)
}

func (c *collector) addParameter(p *openapi3.Parameter, err error) {
	// The key is the parameter's name; its messages name it in words
	// (visit_id: "visit id must be at least 1"), as body fields are.
	key, name := p.Name, label(p.Name)
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, m := range e {
			c.addParameter(p, m)
		}
		return
	case *openapi3.SchemaError:
		msg, prio := schemaMessage(name, e)
		c.params.set(key, msg, prio)
		return
	case *openapi3filter.ParseError:
		var schema *openapi3.Schema
		if p.Schema != nil {
			schema = p.Schema.Value
		}
		var ne *strconv.NumError
		if errors.Is(e.RootCause(), strconv.ErrRange) || errors.As(e, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			// An integer too long for its format: the declared bound it
			// is beyond says more than "out of range".
			c.params.set(key, outOfRange(name, schema, strings.HasPrefix(fmt.Sprint(e.Value), "-")), prioBound)
			return
		}
		typ := ""
		if schema != nil {
			typ = schemaType(schema)
		}
		c.params.set(key, name+" must be "+typeNoun(typ), prioBound)
		return
	}
	switch {
	case errors.Is(err, openapi3filter.ErrInvalidRequired):
		c.params.set(key, name+" is required", prioPresence)
		return
	case errors.Is(err, openapi3filter.ErrInvalidEmptyValue):
		c.params.set(key, name+" must not be empty", prioPresence)
		return
	}
	c.params.set(key, name+" is not valid", prioGeneric)
}

func (c *collector) addBody(re *openapi3filter.RequestError) {
	switch e := re.Err.(type) {
	case openapi3.MultiError:
		for _, m := range e {
			if se, ok := m.(*openapi3.SchemaError); ok {
				c.addSchema(se)
			} else {
				c.body.set(bodyKey, "request body is not valid", prioGeneric)
			}
		}
		return
	case *openapi3.SchemaError:
		c.addSchema(e)
		return
	}
	switch {
	case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
		c.body.set(bodyKey, "request body is required", prioPresence)
	case re.Reason == "failed to decode request body":
		c.body.set(bodyKey, notJSON, prioFormat)
	default:
		c.body.set(bodyKey, "request body is not valid", prioGeneric)
	}
}

// addSchema adds the message of one schema error in a request body.
func (c *collector) addSchema(se *openapi3.SchemaError) {
	path := se.JSONPointer()
	if se.SchemaField == "properties" {
		// additionalProperties: false names the field only in the reason.
		if name, ok := unsupportedProperty(se.Reason); ok {
			if unnameableAt(len(path), name) {
				// No key of its own: "" has no label, "a.b" would read
				// as a path, and body means the whole body. Its object
				// says it instead.
				if len(path) == 0 {
					c.body.set(bodyKey, "request body has a member that is not allowed", prioPresence)
				} else {
					c.body.set(strings.Join(path, "."), label(path[len(path)-1])+" has a member that is not allowed", prioPresence)
				}
				return
			}
			key := strings.Join(append(path, name), ".")
			c.unknown.set(key, memberLabel(name)+" is not allowed", prioPresence)
			return
		}
	}
	if len(path) == 0 {
		msg, prio := schemaMessage("request body", se)
		c.body.set(bodyKey, msg, prio)
		return
	}
	msg, prio := schemaMessage(label(path[len(path)-1]), se)
	c.body.set(strings.Join(path, "."), msg, prio)
}

// unsupportedProperty extracts NAME from kin-openapi's reason
// `property "NAME" is unsupported`.
func unsupportedProperty(reason string) (string, bool) {
	rest, ok := strings.CutPrefix(reason, "property ")
	if !ok {
		return "", false
	}
	quoted, ok := strings.CutSuffix(rest, " is unsupported")
	if !ok {
		return "", false
	}
	name, err := strconv.Unquote(quoted)
	return name, err == nil
}

// outOfRange words an integer parameter beyond what its format holds, by
// the schema's bound on that side when it declares one.
func outOfRange(name string, s *openapi3.Schema, negative bool) string {
	switch {
	case s != nil && negative && s.Min != nil:
		return name + " must be at least " + number(*s.Min)
	case s != nil && !negative && s.Max != nil:
		return name + " must be at most " + number(*s.Max)
	}
	return name + " is out of range"
}

// label is how a message names a field: first_name -> "first name".
func label(name string) string {
	return strings.ReplaceAll(name, "_", " ")
}

// memberLabel is how a message names a body member the contract does not
// declare: as label does when it is a snake_case word, else as a JSON
// string, cut at maxLabel characters, with every character that does not
// print escaped (\u202e, not a right-to-left mark). A name a client made
// up ("_", "__proto__", one with a control or format character, one of
// thousands of characters) is then named visibly, and the message stays
// short.
func memberLabel(name string) string {
	if snakeCase(name) && len(name) <= maxLabel {
		return label(name)
	}
	r := []rune(name)
	cut := len(r) > maxLabel
	if cut {
		r = r[:maxLabel]
	}
	b := []byte{'"'}
	for _, c := range r {
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', byte(c))
		case unicode.IsPrint(c):
			b = utf8.AppendRune(b, c)
		case c > 0xffff:
			hi, lo := utf16.EncodeRune(c)
			b = fmt.Appendf(b, `\u%04x\u%04x`, hi, lo)
		default:
			b = fmt.Appendf(b, `\u%04x`, c)
		}
	}
	if cut {
		b = append(b, "…"...)
	}
	return string(append(b, '"'))
}

// maxLabel is the most characters of a field's name a message repeats.
const maxLabel = 64

// snakeCase reports whether name is lower-case ASCII letters and digits
// in words joined by single underscores, starting with a letter, as every
// name the contract declares is. FIRST_NAME, firstName and 1x are not:
// written as "FIRST NAME is not allowed", the first would read as if
// first_name were refused.
func snakeCase(name string) bool {
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	word := false
	for i := 0; i < len(name); i++ {
		switch b := name[i]; {
		case 'a' <= b && b <= 'z', '0' <= b && b <= '9':
			word = true
		case b == '_' && word:
			word = false
		default:
			return false
		}
	}
	return word
}

// schemaMessage words the violation of one schema keyword. The priority
// ranks messages for the same field: a wrong type hides range checks made
// on the wrong type, and a declared bound beats the generic format check.
func schemaMessage(field string, se *openapi3.SchemaError) (string, int) {
	s := se.Schema
	if s == nil {
		return field + " is not valid", prioGeneric
	}
	switch se.SchemaField {
	case "required":
		return field + " is required", prioPresence
	case "type":
		return field + " must be " + typeNoun(schemaType(s)), prioPresence
	case "nullable":
		return field + " must not be null", prioPresence
	case "minLength":
		if s.MinLength == 1 {
			// Only "" is too short: said as ?limit= is.
			return field + " must not be empty", prioBound
		}
		return fmt.Sprintf("%s must be at least %s long", field, quantity(s.MinLength, "character")), prioBound
	case "maxLength":
		if s.MaxLength != nil {
			return fmt.Sprintf("%s must be at most %s long", field, quantity(*s.MaxLength, "character")), prioBound
		}
	case "minimum":
		if s.Min != nil {
			if s.ExclusiveMin.IsTrue() {
				return fmt.Sprintf("%s must be greater than %s", field, number(*s.Min)), prioBound
			}
			return fmt.Sprintf("%s must be at least %s", field, number(*s.Min)), prioBound
		}
	case "maximum":
		if s.Max != nil {
			if s.ExclusiveMax.IsTrue() {
				return fmt.Sprintf("%s must be less than %s", field, number(*s.Max)), prioBound
			}
			return fmt.Sprintf("%s must be at most %s", field, number(*s.Max)), prioBound
		}
	case "exclusiveMinimum":
		if b, ok := exclusiveBound(s.ExclusiveMin, s.Min); ok {
			return fmt.Sprintf("%s must be greater than %s", field, number(b)), prioBound
		}
	case "exclusiveMaximum":
		if b, ok := exclusiveBound(s.ExclusiveMax, s.Max); ok {
			return fmt.Sprintf("%s must be less than %s", field, number(b)), prioBound
		}
	case "enum":
		vals := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			vals[i] = fmt.Sprint(v)
		}
		return field + " must be one of: " + strings.Join(vals, ", "), prioBound
	case "pattern":
		if m, ok := s.Extensions["x-pattern-message"].(string); ok {
			return field + " " + m, prioBound
		}
		return field + " must match the pattern " + s.Pattern, prioBound
	case "format":
		switch s.Format {
		case "int32":
			return fmt.Sprintf("%s must be between %d and %d", field, math.MinInt32, math.MaxInt32), prioFormat
		case "int64":
			return field + " is out of range", prioFormat
		}
		return field + " must be a valid " + s.Format, prioFormat
	case "minItems":
		return fmt.Sprintf("%s must have at least %d items", field, s.MinItems), prioBound
	case "maxItems":
		if s.MaxItems != nil {
			return fmt.Sprintf("%s must have at most %d items", field, *s.MaxItems), prioBound
		}
	case "maxProperties":
		if s.MaxProps != nil {
			return tooManyMembers(field, *s.MaxProps), prioBound
		}
	}
	return field + " is not valid", prioGeneric
}

// tooManyMembers words a maxProperties of limit broken: the validator says it
// before kin-openapi runs (see operation.maxMembers), in kin-openapi's words.
func tooManyMembers(field string, limit uint64) string {
	return fmt.Sprintf("%s must have at most %d members", field, limit)
}

// quantity words n of unit: "1 character", "2 characters".
func quantity(n uint64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.FormatUint(n, 10) + " " + unit + "s"
}

func schemaType(s *openapi3.Schema) string {
	if s.Type == nil || len(s.Type.Slice()) == 0 {
		return ""
	}
	return s.Type.Slice()[0]
}

func typeNoun(typ string) string {
	switch typ {
	case "string":
		return "a string"
	case "integer":
		return "an integer"
	case "number":
		return "a number"
	case "boolean":
		return "true or false"
	case "object":
		return "an object"
	case "array":
		return "an array"
	}
	return "valid"
}

func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// exclusiveBound is the bound an exclusiveMinimum or exclusiveMaximum
// sets: its number (OpenAPI 3.1), or, when it is true, the minimum or
// maximum beside it (3.0).
func exclusiveBound(eb openapi3.ExclusiveBound, inclusive *float64) (float64, bool) {
	switch {
	case eb.Value != nil:
		return *eb.Value, true
	case eb.IsTrue() && inclusive != nil:
		return *inclusive, true
	}
	return 0, false
}
