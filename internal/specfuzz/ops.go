package specfuzz

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Op is one operation of the document, with what a generator needs of it.
type Op struct {
	Method    string
	Path      string // the template, e.g. /players/{id}/visits
	Operation *openapi3.Operation
	// Params are the path item's and the operation's parameters, the
	// operation's replacing a path item's of the same name and place.
	Params openapi3.Parameters
	// Secured is true when every alternative of the operation's security
	// needs credentials.
	Secured bool
	// BodyTypes are the media types the request body may have, sorted;
	// nil when the operation takes no body.
	BodyTypes []string
	// Body is the schema of the request body (that of the first JSON
	// media type), nil when there is none.
	Body         *openapi3.Schema
	BodyRequired bool
	// Produces are the media types of the operation's 2xx responses.
	Produces []string
	// Methods are the methods the path declares, sorted.
	Methods []string
}

// ID is the operationId, or "METHOD path" when there is none.
func (op Op) ID() string {
	if op.Operation.OperationID != "" {
		return op.Operation.OperationID
	}
	return op.Method + " " + op.Path
}

// Param returns the parameter called name in place in ("path", "query",
// "header"), or nil.
func (op Op) Param(in, name string) *openapi3.Parameter {
	for _, p := range op.Params {
		if p.Value.In == in && p.Value.Name == name {
			return p.Value
		}
	}
	return nil
}

// Operations lists the document's operations, sorted by path and method.
func Operations(doc *openapi3.T) []Op {
	var ops []Op
	for path, item := range doc.Paths.Map() {
		methods := make([]string, 0, len(item.Operations()))
		for m := range item.Operations() {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		for _, method := range methods {
			o := item.Operations()[method]
			op := Op{Method: method, Path: path, Operation: o, Methods: methods}
			op.Params = slices.Clone(item.Parameters)
			for _, p := range o.Parameters {
				op.Params = slices.DeleteFunc(op.Params, func(q *openapi3.ParameterRef) bool {
					return q.Value.In == p.Value.In && q.Value.Name == p.Value.Name
				})
				op.Params = append(op.Params, p)
			}
			security := doc.Security
			if o.Security != nil {
				security = *o.Security
			}
			op.Secured = len(security) > 0
			for _, alt := range security {
				if len(alt) == 0 {
					op.Secured = false
				}
			}
			if rb := o.RequestBody; rb != nil && rb.Value != nil {
				op.BodyRequired = rb.Value.Required
				for mt, media := range rb.Value.Content {
					op.BodyTypes = append(op.BodyTypes, mt)
					if isJSON(mt) && media.Schema != nil && (op.Body == nil || mt == "application/json") {
						op.Body = media.Schema.Value
					}
				}
				sort.Strings(op.BodyTypes)
			}
			for code, resp := range o.Responses.Map() {
				if strings.HasPrefix(code, "2") && resp.Value != nil {
					for mt := range resp.Value.Content {
						if !slices.Contains(op.Produces, mt) {
							op.Produces = append(op.Produces, mt)
						}
					}
				}
			}
			sort.Strings(op.Produces)
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops
}

func isJSON(mediaType string) bool {
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

// probeMethods are the methods tried on every path: the standard ones,
// WebDAV's PROPFIND and one nobody defines.
var probeMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "FUZZ"}

// UndeclaredMethods lists the methods op's path does not declare.
func UndeclaredMethods(op Op) []string {
	var out []string
	for _, m := range probeMethods {
		if !slices.Contains(op.Methods, m) {
			out = append(out, m)
		}
	}
	return out
}

// Slot names what a case sets: a parameter (In "path", "query" or
// "header", which also covers Accept, Content-Type and Authorization), a
// body property (In "body", Name its dotted path), the whole body (In
// "body", Name ""), or the method (In "method").
type Slot struct {
	In   string
	Name string
}

func (s Slot) String() string {
	if s.Name == "" {
		return s.In
	}
	return s.In + " " + s.Name
}

// Auth says which credentials a request carries.
type Auth string

const (
	// AuthValid asks the caller for credentials the operation accepts.
	AuthValid Auth = ""
	// AuthNone sends no Authorization header.
	AuthNone Auth = "none"
	// AuthSent sends the Authorization header in Input.Header as it is (a
	// malformed one, or a token nobody was given).
	AuthSent Auth = "sent"
)

// Param is one query parameter; a name may repeat.
type Param struct {
	Name, Value string
}

// Input is one request to an operation, before the caller adds what only
// the domain knows (credentials).
type Input struct {
	Method string
	Path   map[string]string // unescaped path parameter values
	Query  []Param
	// Header holds header parameters and Accept, Content-Type and (with
	// AuthSent) Authorization. An empty value is sent as a blank header.
	Header map[string]string
	Auth   Auth
	// Body is the JSON value sent when HasBody (an Object, a Raw, ...).
	Body    any
	HasBody bool
}

// QueryValue returns the first value of the query parameter name.
func (in Input) QueryValue(name string) (string, bool) {
	for _, p := range in.Query {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// SetQuery replaces every value of name with v.
func (in *Input) SetQuery(name, v string) {
	in.DeleteQuery(name)
	in.Query = append(in.Query, Param{name, v})
}

// SetParam sets the parameter name in place in ("path", "query", "header")
// to v.
func (in *Input) SetParam(place, name, v string) {
	switch place {
	case "path":
		in.Path[name] = v
	case "query":
		in.SetQuery(name, v)
	case "header":
		in.Header[name] = v
	}
}

// DeleteQuery removes every value of name.
func (in *Input) DeleteQuery(name string) {
	in.Query = slices.DeleteFunc(in.Query, func(p Param) bool { return p.Name == name })
}

// Target is the request target: template with the path parameters
// percent-encoded, and the query.
func (in Input) Target(template string) string {
	path := template
	for name, v := range in.Path {
		path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(v))
	}
	if len(in.Query) == 0 {
		return path
	}
	parts := make([]string, len(in.Query))
	for i, p := range in.Query {
		parts[i] = url.QueryEscape(p.Name) + "=" + url.QueryEscape(p.Value)
	}
	return path + "?" + strings.Join(parts, "&")
}

// BodyText is the body as sent, "" when there is none.
func (in Input) BodyText() string {
	if !in.HasBody {
		return ""
	}
	return Encode(in.Body)
}

// Case is one generated request and what the contract says about it.
type Case struct {
	Name   string
	Slot   Slot // what the case changed from a valid request
	Input  Input
	Expect Expect
	// Status is the status of the problem an Invalid case must get (400,
	// 401, 405, 406, 415).
	Status int
	// Keys are the errors keys that may name the problem of an Invalid or
	// Either case: a rejection names at least one and nothing else. Nil
	// means the problem names no field (401, 405).
	Keys []string
}

// Generator makes requests for the operations of a document.
type Generator struct {
	*Gen
	// Values returns, for a slot, a value the domain accepts beyond what
	// the schema says (an id that exists, a location that exists): a JSON
	// value for a body property, the text for a parameter. ok false leaves
	// the slot to the schema. It may be nil.
	Values func(op Op, slot Slot) (v any, ok bool)
	// Fix adjusts a valid input to rules the schema cannot state
	// (min_gold <= max_gold), leaving alone pinned, the slot a boundary
	// case set. It may be nil.
	Fix func(op Op, in *Input, pinned Slot)
}

// include decides which optional slots a valid input fills.
type include func(Slot) bool

// Valid returns a random valid input: each optional parameter and body
// property present or absent at random.
func (g *Generator) Valid(op Op) Input {
	return g.valid(op, func(Slot) bool { return g.R.IntN(2) == 0 })
}

func (g *Generator) valid(op Op, inc include) Input {
	in := Input{Method: op.Method, Path: map[string]string{}, Header: map[string]string{}}
	for _, ref := range op.Params {
		p := ref.Value
		slot := Slot{p.In, p.Name}
		if !p.Required && !inc(slot) {
			continue
		}
		v := g.paramText(op, p)
		switch p.In {
		case "path":
			in.Path[p.Name] = v
		case "query":
			in.Query = append(in.Query, Param{p.Name, v})
		case "header":
			in.Header[p.Name] = v
		}
	}
	if len(op.Produces) > 0 && inc(Slot{"header", "Accept"}) {
		accepts := g.accepts(op)
		in.Header["Accept"] = accepts[g.R.IntN(len(accepts))]
	}
	if op.Body != nil {
		in.HasBody = true
		in.Body = g.bodyValue(op, op.Body, "", inc)
		in.Header["Content-Type"] = op.BodyTypes[0]
		if inc(Slot{"header", "Content-Type"}) {
			in.Header["Content-Type"] = op.BodyTypes[g.R.IntN(len(op.BodyTypes))] + "; charset=utf-8"
		}
	}
	if g.Fix != nil {
		g.Fix(op, &in, Slot{})
	}
	return in
}

func (g *Generator) paramText(op Op, p *openapi3.Parameter) string {
	if g.Values != nil {
		if v, ok := g.Values(op, Slot{p.In, p.Name}); ok {
			return v.(string)
		}
	}
	return g.Text(p.Schema.Value, place(p.In))
}

func place(in string) Place {
	switch in {
	case "path":
		return InPath
	case "header":
		return InHeader
	}
	return InQuery
}

// bodyValue is a valid value for the body or body property at path.
func (g *Generator) bodyValue(op Op, s *openapi3.Schema, path string, inc include) any {
	if path != "" && g.Values != nil {
		if v, ok := g.Values(op, Slot{"body", path}); ok {
			return v
		}
	}
	s = Flatten(s)
	if Type(s) != "object" || (path != "" && s.Nullable && g.R.IntN(8) == 0) {
		return g.Value(s)
	}
	var o Object
	for _, name := range PropertyNames(s) {
		p := join(path, name)
		if slices.Contains(s.Required, name) || inc(Slot{"body", p}) {
			o = append(o, Member{name, g.bodyValue(op, s.Properties[name].Value, p, inc)})
		}
	}
	return o
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// accepts are Accept values that allow one of op's media types.
func (g *Generator) accepts(op Op) []string {
	first := op.Produces[0]
	typ, _, _ := strings.Cut(first, "/")
	// first;; has empty parameters, which RFC 9110 §5.6.6 allows.
	out := []string{"*/*", typ + "/*", first + ";q=0.5, */*;q=0.1", "text/html, " + first, first + ";;", first + "; ;q=0.5"}
	out = append(out, op.Produces...)
	for _, p := range op.Produces {
		if !strings.Contains(p, ";") {
			// Every type offered without a charset is UTF-8 (or has no
			// characters), and JSON is UTF-8 whatever the charset says.
			out = append(out, p+"; charset=utf-8", p+";charset=UTF-8")
			if isJSON(p) {
				out = append(out, p+"; charset=iso-8859-1")
			}
		}
	}
	return out
}

// mutator is one kind of case, applied to a fresh valid input.
type mutator struct {
	name   string
	slot   Slot
	expect Expect
	status int
	keys   []string
	// base, when set, decides the optional slots of the valid input.
	base  include
	apply func(in *Input)
}

func (g *Generator) build(op Op, m mutator) Case {
	inc := m.base
	if inc == nil {
		inc = func(Slot) bool { return g.R.IntN(2) == 0 }
	}
	in := g.valid(op, inc)
	if m.apply != nil {
		m.apply(&in)
	}
	if m.expect == Valid && g.Fix != nil && m.slot.In != "" {
		g.Fix(op, &in, m.slot)
	}
	return Case{Name: m.name, Slot: m.slot, Input: in, Expect: m.expect, Status: m.status, Keys: m.keys}
}

// Cases returns every systematic case for op, each on a fresh valid input:
// all optional slots present and all absent; each boundary of each
// parameter and body property; each constraint broken in turn; wrong
// types, unknown and missing members, duplicate keys, broken JSON; wrong
// Content-Type and Accept; missing and wrong credentials; every method the
// path does not declare.
func (g *Generator) Cases(op Op) []Case {
	n, build := g.Systematic(op)
	out := make([]Case, n)
	for i := range out {
		out[i] = build(i)
	}
	return out
}

// Systematic is Cases built one at a time: it returns how many there are
// and a function building the i-th, so that each input is made (and the
// Values and Fix hooks consulted) just before it is sent.
func (g *Generator) Systematic(op Op) (int, func(i int) Case) {
	ms := g.mutators(op)
	return len(ms), func(i int) Case { return g.build(op, ms[i]) }
}

// Random returns one random case for op: a random valid input a third of
// the time, else one systematic case drawn at random (on a fresh input).
func (g *Generator) Random(op Op) Case {
	if g.R.IntN(3) == 0 {
		return Case{Name: "random valid", Input: g.Valid(op), Expect: Valid}
	}
	ms := g.mutators(op)
	return g.build(op, ms[g.R.IntN(len(ms))])
}

func (g *Generator) mutators(op Op) []mutator {
	all := func(Slot) bool { return true }
	none := func(Slot) bool { return false }
	ms := []mutator{
		{name: "every optional slot present", base: all},
		{name: "every optional slot absent", base: none},
	}
	for _, ref := range op.Params {
		ms = append(ms, g.paramMutators(op, ref.Value)...)
	}
	if op.Body != nil {
		ms = append(ms, g.bodyMutators(op, op.Body, "")...)
		ms = append(ms, g.wholeBodyMutators(op)...)
	} else {
		ms = append(ms, mutator{
			name: "a body the operation does not take", slot: Slot{"body", ""}, expect: Either,
			status: 400, keys: []string{"body", "Content-Type"},
			apply: func(in *Input) {
				in.HasBody, in.Body = true, Object{{"x", 1}}
				in.Header["Content-Type"] = "application/json"
			},
		})
	}
	ms = append(ms, g.acceptMutators(op)...)
	ms = append(ms, authMutators(op)...)
	for _, m := range UndeclaredMethods(op) {
		ms = append(ms, mutator{
			name: "method " + m, slot: Slot{"method", ""}, expect: Invalid, status: 405,
			apply: func(in *Input) { in.Method = m },
		})
	}
	return ms
}

func (g *Generator) paramMutators(op Op, p *openapi3.Parameter) []mutator {
	slot := Slot{p.In, p.Name}
	var ms []mutator
	set := func(in *Input, v string) { in.SetParam(p.In, p.Name, v) }
	for _, v := range g.Variants(p.Schema.Value, place(p.In)) {
		text := v.Value.(string)
		if p.In == "path" && !pathSafe(text) {
			continue // it would name another route, not a bad value
		}
		ms = append(ms, mutator{
			name: fmt.Sprintf("%s %s", slot, v.Name), slot: slot, expect: v.Expect,
			status: 400, keys: []string{p.Name},
			apply: func(in *Input) { set(in, text) },
		})
	}
	if p.Required && p.In != "path" {
		ms = append(ms, mutator{
			name: fmt.Sprintf("%s missing", slot), slot: slot, expect: Invalid, status: 400, keys: []string{p.Name},
			apply: func(in *Input) {
				in.DeleteQuery(p.Name)
				delete(in.Header, p.Name)
			},
		})
	}
	if p.In == "query" {
		ms = append(ms, mutator{
			name: fmt.Sprintf("%s repeated", slot), slot: slot, expect: Either, status: 400, keys: []string{p.Name},
			apply: func(in *Input) {
				in.SetQuery(p.Name, g.paramText(op, p))
				in.Query = append(in.Query, Param{p.Name, g.paramText(op, p)})
			},
		})
	}
	return ms
}

// bodyMutators covers the body or body property at path: each variant of
// a scalar, and for an object each member's own cases plus missing,
// unknown and duplicate members.
func (g *Generator) bodyMutators(op Op, s *openapi3.Schema, path string) []mutator {
	s = Flatten(s)
	all := func(Slot) bool { return true }
	key := path
	if key == "" {
		key = "body"
	}
	slot := Slot{"body", path}
	var ms []mutator
	if Type(s) != "object" {
		for _, v := range g.Variants(s, InBody) {
			ms = append(ms, mutator{
				name: fmt.Sprintf("%s %s", slot, v.Name), slot: slot, expect: v.Expect, status: 400, keys: []string{key},
				apply: func(in *Input) { in.Body = setPath(in.Body, path, v.Value) },
			})
		}
		return ms
	}
	for _, name := range PropertyNames(s) {
		p := join(path, name)
		ps := s.Properties[name].Value
		ms = append(ms, g.bodyMutators(op, ps, p)...)
		required := slices.Contains(s.Required, name)
		ms = append(ms, mutator{
			name: fmt.Sprintf("body %s missing", p), slot: Slot{"body", p}, expect: map[bool]Expect{true: Invalid, false: Valid}[required],
			status: 400, keys: []string{p},
			apply: func(in *Input) { in.Body = deletePath(in.Body, p) },
		})
		// A duplicate member: the last one decides with encoding/json. A
		// server may refuse duplicates; if it takes the body it must keep
		// the value it validated.
		if Type(Flatten(ps)) != "object" {
			bad := g.firstInvalid(ps)
			ms = append(ms,
				mutator{
					name: fmt.Sprintf("body %s duplicated, first invalid", p), slot: Slot{"body", p}, expect: Either, base: all,
					status: 400, keys: []string{p, "body"},
					apply: func(in *Input) { in.Body = duplicate(in.Body, p, bad, true) },
				},
				mutator{
					name: fmt.Sprintf("body %s duplicated, last invalid", p), slot: Slot{"body", p}, expect: Invalid, base: all,
					status: 400, keys: []string{p, "body"},
					apply: func(in *Input) { in.Body = duplicate(in.Body, p, bad, false) },
				})
		}
	}
	closed := s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has
	unknown := []string{"x_unknown"}
	if names := PropertyNames(s); len(names) > 0 {
		// The same name in another case: a case-insensitive decoder would
		// take it for the real one.
		unknown = append(unknown, strings.ToUpper(names[0][:1])+names[0][1:])
	}
	for _, u := range unknown {
		e := Valid
		if closed {
			e = Invalid
		}
		ms = append(ms, mutator{
			name: fmt.Sprintf("body unknown member %q", join(path, u)), slot: Slot{"body", join(path, u)}, expect: e,
			status: 400, keys: []string{join(path, u)},
			apply: func(in *Input) { in.Body = setPath(in.Body, join(path, u), "Iga") },
		})
	}
	var required []string
	for _, r := range s.Required {
		required = append(required, join(path, r))
	}
	emptyKeys := required
	e := Valid
	if len(required) > 0 {
		e = Invalid
	}
	ms = append(ms, mutator{
		name: fmt.Sprintf("%s empty object", slot), slot: slot, expect: e, status: 400, keys: emptyKeys,
		apply: func(in *Input) { in.Body = setPath(in.Body, path, Object{}) },
	})
	if path != "" {
		return ms
	}
	for _, v := range []struct {
		name string
		v    any
	}{{"array", []any{}}, {"string", "text"}, {"number", 7}, {"boolean", true}, {"null", nil}} {
		ms = append(ms, mutator{
			name: "body is " + v.name, slot: slot, expect: Invalid, status: 400, keys: []string{"body"},
			apply: func(in *Input) { in.Body = v.v },
		})
	}
	return ms
}

// firstInvalid is a JSON value breaking s, for duplicate members.
func (g *Generator) firstInvalid(s *openapi3.Schema) any {
	for _, v := range g.Variants(s, InBody) {
		if v.Expect == Invalid && !v.Lexical {
			return v.Value
		}
	}
	return Object{}
}

// wholeBodyMutators break the body as a document, or its Content-Type.
func (g *Generator) wholeBodyMutators(op Op) []mutator {
	slot := Slot{"body", ""}
	body := []string{"body"}
	ms := []mutator{
		{name: "body truncated", slot: slot, expect: Invalid, status: 400, keys: body, apply: func(in *Input) {
			text := Encode(in.Body)
			in.Body = Raw(text[:1+g.R.IntN(len(text)-1)])
		}},
		{name: "body empty with a Content-Type", slot: slot, expect: Invalid, status: 400, keys: body, apply: func(in *Input) {
			in.Body = Raw("")
		}},
		{name: "body followed by garbage", slot: slot, expect: Invalid, status: 400, keys: body, apply: func(in *Input) {
			in.Body = Raw(Encode(in.Body) + " garbage")
		}},
		{name: "body twice", slot: slot, expect: Invalid, status: 400, keys: body, apply: func(in *Input) {
			in.Body = Raw(Encode(in.Body) + Encode(in.Body))
		}},
		{name: "body form-encoded", slot: slot, expect: Invalid, status: 400, keys: body, apply: func(in *Input) {
			in.Body = Raw("a=1&b=2")
		}},
		{name: "body with a byte order mark", slot: slot, expect: Either, status: 400, keys: body, apply: func(in *Input) {
			in.Body = Raw("\ufeff" + Encode(in.Body))
		}},
		{name: "body with invalid UTF-8 between members", slot: slot, expect: Invalid, status: 400, keys: body, apply: func(in *Input) {
			in.Body = Raw("{\xff" + strings.TrimPrefix(Encode(in.Body), "{"))
		}},
	}
	missing := Valid
	if op.BodyRequired {
		missing = Invalid
	}
	ms = append(ms, mutator{name: "no body", slot: slot, expect: missing, status: 400, keys: body, apply: func(in *Input) {
		in.HasBody, in.Body = false, nil
		delete(in.Header, "Content-Type")
	}})
	ct := Slot{"header", "Content-Type"}
	ctKeys := []string{"Content-Type"}
	ms = append(ms, mutator{name: "Content-Type missing", slot: ct, expect: Invalid, status: 415, keys: ctKeys, apply: func(in *Input) {
		delete(in.Header, "Content-Type")
	}})
	candidates := []string{"application/json", "application/merge-patch+json", "text/plain", "application/xml",
		"application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", "json", "*/*"}
	for _, t := range op.BodyTypes {
		candidates = append(candidates, t+"; charset=UTF-8", strings.ToUpper(t), t+"; charset=latin1", t+";;", t+"; ;",
			t+";;charset=utf-8", t+"; ;charset=latin1", t+"; charset=\"utf-8\"")
	}
	for _, c := range candidates {
		e, status := Invalid, 415
		mt, params, _ := strings.Cut(c, ";")
		if slices.Contains(op.BodyTypes, strings.ToLower(mt)) {
			// Empty parameters are allowed (RFC 9110 §5.6.6); the only
			// other parameter these candidates carry is a charset, which
			// must be UTF-8. (The server ignores parameters other than
			// charset; no candidate has one.)
			var given []string
			for p := range strings.SplitSeq(params, ";") {
				if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
					given = append(given, p)
				}
			}
			switch {
			case len(given) == 0, len(given) == 1 && (given[0] == "charset=utf-8" || given[0] == `charset="utf-8"`):
				e = Valid
			}
		}
		ms = append(ms, mutator{name: "Content-Type " + c, slot: ct, expect: e, status: status, keys: ctKeys, apply: func(in *Input) {
			in.Header["Content-Type"] = c
		}})
	}
	return ms
}

func (g *Generator) acceptMutators(op Op) []mutator {
	slot := Slot{"header", "Accept"}
	var ms []mutator
	if len(op.Produces) == 0 {
		return []mutator{{name: "Accept image/gif on an operation with no content", slot: slot, expect: Valid,
			apply: func(in *Input) { in.Header["Accept"] = "image/gif" }}}
	}
	for _, a := range g.accepts(op) {
		ms = append(ms, mutator{name: "Accept " + a, slot: slot, expect: Valid, apply: func(in *Input) { in.Header["Accept"] = a }})
	}
	bad := []string{op.Produces[0] + ";q=0", op.Produces[0] + ";;q=0"}
	for _, t := range []string{"image/gif", "application/xml", "text/csv"} {
		if !slices.ContainsFunc(op.Produces, func(p string) bool { return essence(p) == t }) {
			bad = append(bad, t)
		}
	}
	// A type offered with parameters (text/csv; charset=utf-8) is also
	// acceptable by its name alone, and not with another charset.
	for _, p := range op.Produces {
		if e := essence(p); e != p {
			a := e
			ms = append(ms, mutator{name: "Accept " + a, slot: slot, expect: Valid, apply: func(in *Input) { in.Header["Accept"] = a }})
			if strings.Contains(p, "charset=") {
				bad = append(bad, e+"; charset=iso-8859-1")
			}
		} else if !isJSON(p) {
			// A type offered without a charset is UTF-8: it does not
			// match a range asking for another charset.
			bad = append(bad, p+"; charset=iso-8859-1")
		}
	}
	for _, a := range bad {
		ms = append(ms, mutator{name: "Accept " + a, slot: slot, expect: Invalid, status: 406, keys: []string{"Accept"},
			apply: func(in *Input) { in.Header["Accept"] = a }})
	}
	return ms
}

// essence is a media type without its parameters.
func essence(mediaType string) string {
	e, _, _ := strings.Cut(mediaType, ";")
	return strings.TrimSpace(e)
}

// authMutators send no, malformed and unknown credentials: a 401 where the
// operation is secured, ignored where it is public.
func authMutators(op Op) []mutator {
	slot := Slot{"header", "Authorization"}
	e, status := Valid, 0
	if op.Secured {
		e, status = Invalid, 401
	}
	ms := []mutator{{name: "Authorization missing", slot: slot, expect: e, status: status,
		apply: func(in *Input) { in.Auth = AuthNone }}}
	for _, h := range []string{"Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc", "Bearer ngp_not-a-token", "Bearer a b", "Bearer test-admin-token-but-longer"} {
		ms = append(ms, mutator{name: "Authorization " + h, slot: slot, expect: e, status: status,
			apply: func(in *Input) { in.Auth, in.Header["Authorization"] = AuthSent, h }})
	}
	return ms
}

// setPath sets the member at the dotted path of v (an Object) to x; an
// empty path replaces v.
func setPath(v any, path string, x any) any {
	if path == "" {
		return x
	}
	o, _ := v.(Object)
	name, rest, nested := strings.Cut(path, ".")
	if !nested {
		return o.With(name, x)
	}
	inner, _ := o.Get(name)
	return o.With(name, setPath(inner, rest, x))
}

// deletePath removes the member at the dotted path of v.
func deletePath(v any, path string) any {
	o, _ := v.(Object)
	name, rest, nested := strings.Cut(path, ".")
	if !nested {
		return o.Without(name)
	}
	inner, _ := o.Get(name)
	return o.With(name, deletePath(inner, rest))
}

// duplicate gives the member at path a second occurrence holding bad:
// before the valid one when first, after it otherwise. A missing member
// gets bad and a valid-looking copy of nothing, so it stays a duplicate.
func duplicate(v any, path string, bad any, first bool) any {
	name, rest, nested := strings.Cut(path, ".")
	o, _ := v.(Object)
	if nested {
		inner, _ := o.Get(name)
		return o.With(name, duplicate(inner, rest, bad, first))
	}
	good, ok := o.Get(name)
	if !ok {
		return o.With(name, bad)
	}
	out := Object{}
	for _, m := range o {
		if m.Name != name {
			out = append(out, m)
			continue
		}
		if first {
			out = append(out, Member{name, bad}, Member{name, good})
		} else {
			out = append(out, Member{name, good}, Member{name, bad})
		}
	}
	return out
}

// pathSafe reports whether v, percent-encoded, stays one path segment
// that routes like any other value.
func pathSafe(v string) bool {
	return v != "" && v != "." && v != ".." && !strings.Contains(v, "/")
}
