package api

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gin-gonic/gin"

	"github.com/ninjagold/ninjagold-api/internal/accept"
)

// operation is what the validator needs to know about one operation of the
// contract, worked out once at start.
type operation struct {
	route *routers.Route
	// requestTypes are the media types the request body may have; nil when
	// the operation takes no body.
	requestTypes []string
	// offers are the media types of its successful responses, the
	// server's preference first (JSON).
	offers []accept.Offer
	// acceptPerResource: the handler negotiates Accept against the one
	// type of the resource asked for and answers 406 itself, naming that
	// type (the contract's x-accept-per-resource; /docs files).
	acceptPerResource bool
	// compressible: a success of it may come compressed (a 2xx declares
	// Content-Encoding: /docs files, the contract), so its answers vary with
	// Accept-Encoding, which its handler learns.
	compressible bool
	// security lists alternative sets of schemes; empty means public.
	security openapi3.SecurityRequirements
	// query names the query parameters it declares.
	query []string
	// singleQuery names the query parameters that take one value.
	singleQuery []string
	// singleHeaders and listHeaders name its header parameters (canonical
	// form). Sent on several lines, a single one is refused and a list one
	// joined (see listHeaders, validate.go).
	singleHeaders, listHeaders []string
	// quick says yes quickly to the plainly valid requests; nil when the
	// operation's parameters are beyond it.
	quick *quickCheck
	// unlimited: no limit applies to it (see limits.go).
	unlimited bool
	// intMembers are the top-level members its request body types
	// integer (see wholeNumbers).
	intMembers []string
	// maxMembers is the most members its request body may hold (the
	// schemas' maxProperties; 0: no bound). A body of more is refused
	// before kin-openapi reads it: kin-openapi makes an error of each
	// member that is not allowed before it looks at the bound, which for
	// a megabyte of short members is a second of CPU and a hundred
	// megabytes.
	maxMembers uint64
}

// operations indexes the contract by method and Gin route template
// ("/locations/:id"), so the middleware looks an operation up in a map
// instead of matching the path a second time after Gin has.
type operations struct {
	byRoute map[string]map[string]*operation // method -> template -> operation
	// methods lists, per Gin path template, the methods it declares.
	methods map[string][]string
}

// newOperations indexes spec. withResponses: the operations' routes keep
// their responses, for the response checker; without, the routes hold a
// copy of the contract with neither the operations' responses, which
// kin-openapi reads only to check responses, nor the components, which it
// does not look up at all. Every garbage collection marks what the routes
// hold, for the life of the process, so what nothing reads is left out
// (docs/benchmarks-history.md, "Twenty-eighth session", measures what
// that saves per GET). spec itself is only read.
func newOperations(spec *openapi3.T, withResponses bool) (operations, error) {
	ops := operations{byRoute: map[string]map[string]*operation{}, methods: map[string][]string{}}
	doc := spec
	if !withResponses {
		doc = requestSide(spec)
	}
	for path, item := range spec.Paths.Map() {
		ginPath := toGinPath(path)
		routeItem := item
		if !withResponses {
			copied := *item
			// Its own map of other methods' operations (OpenAPI 3.2), which
			// SetOperation below writes to.
			copied.AdditionalOperations = maps.Clone(item.AdditionalOperations)
			routeItem = &copied
			doc.Paths.Set(path, routeItem)
		}
		for method, op := range item.Operations() {
			routeOp := op
			if !withResponses {
				copied := *op
				copied.Responses = nil
				routeOp = &copied
				routeItem.SetOperation(method, routeOp)
			}
			o := newOperation(spec, item, op, &routers.Route{
				Spec: doc, Path: path, PathItem: routeItem, Method: method, Operation: routeOp,
			})
			if ops.byRoute[method] == nil {
				ops.byRoute[method] = map[string]*operation{}
			}
			ops.byRoute[method][ginPath] = o
			ops.methods[ginPath] = append(ops.methods[ginPath], method)
		}
	}
	if len(ops.byRoute) == 0 {
		return ops, fmt.Errorf("api: the contract declares no operations")
	}
	if err := namesOperations(spec, slices.Collect(maps.Keys(unlimited)), slices.Collect(maps.Keys(crossFieldRules))); err != nil {
		return ops, err
	}
	if err := noOverlaps(slices.Collect(maps.Keys(ops.methods))); err != nil {
		return ops, err
	}
	for _, m := range ops.methods {
		sort.Strings(m)
	}
	// A HEAD operation declares no content, but its GET twin's handler
	// answers it (head.go): it negotiates the same media types and is
	// limited as the GET is.
	for path, head := range ops.byRoute[http.MethodHead] {
		if get := ops.byRoute[http.MethodGet][path]; get != nil {
			head.offers = get.offers
			head.unlimited = get.unlimited
		}
	}
	return ops, nil
}

// newOperation works out what the validator needs of op, an operation of
// item in spec, from the contract as spec has it (its responses included);
// route is what kin-openapi is handed for it.
func newOperation(spec *openapi3.T, item *openapi3.PathItem, op *openapi3.Operation, route *routers.Route) *operation {
	o := &operation{route: route}
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		o.requestTypes = sortedTypes(rb.Value.Content)
		o.intMembers = integerMembers(rb.Value.Content)
		o.maxMembers = maxMembers(rb.Value.Content)
	}
	var types []string
	for code, resp := range op.Responses.Map() {
		if strings.HasPrefix(code, "2") && resp.Value != nil {
			types = append(types, sortedTypes(resp.Value.Content)...)
			o.compressible = o.compressible || resp.Value.Headers["Content-Encoding"] != nil
		}
	}
	o.offers = accept.Offers(dedupe(types)...)
	o.acceptPerResource = op.Extensions["x-accept-per-resource"] == true
	o.quick = newQuickCheck(spec, item, op)
	o.unlimited = unlimited[op.OperationID]
	for _, p := range operationParameters(item, op) {
		if p.Value == nil {
			continue
		}
		switch p.Value.In {
		case openapi3.ParameterInQuery:
			o.query = append(o.query, p.Value.Name)
			if p.Value.Schema == nil || !p.Value.Schema.Value.Type.Is("array") {
				o.singleQuery = append(o.singleQuery, p.Value.Name)
			}
		case openapi3.ParameterInHeader:
			name := http.CanonicalHeaderKey(p.Value.Name)
			if listHeaders[name] {
				o.listHeaders = append(o.listHeaders, name)
			} else {
				o.singleHeaders = append(o.singleHeaders, name)
			}
		}
	}
	if op.Security != nil {
		o.security = *op.Security
	} else {
		o.security = spec.Security
	}
	// Two Content-Type lines leave which one counts to whoever reads the
	// request (here the first; a proxy may take the last): an operation
	// that takes a body refuses two, as it does a header parameter sent
	// twice. (Authorization: see checkBeforeBody.)
	if o.requestTypes != nil {
		o.singleHeaders = append(o.singleHeaders, "Content-Type")
	}
	return o
}

// operationParameters are op's parameters with those of its path item
// that op does not override (OpenAPI 3: an operation's parameter of the
// same name and location replaces the path's), in a slice of their own.
func operationParameters(item *openapi3.PathItem, op *openapi3.Operation) openapi3.Parameters {
	params := make(openapi3.Parameters, 0, len(item.Parameters)+len(op.Parameters))
	for _, p := range item.Parameters {
		if p.Value == nil || op.Parameters.GetByInAndName(p.Value.In, p.Value.Name) == nil {
			params = append(params, p)
		}
	}
	return append(params, op.Parameters...)
}

// requestSide is the part of spec that kin-openapi reads to validate a
// request, with its paths left for newOperations to fill: the version, the
// global security and the security schemes. No other component is looked
// up (the loader resolved every $ref into the operations), so none is
// kept. Built field by field rather than copied whole, so as not to keep
// the loader's own tables (every schema it visited) with it.
func requestSide(spec *openapi3.T) *openapi3.T {
	doc := &openapi3.T{
		OpenAPI:  spec.OpenAPI,
		Paths:    openapi3.NewPaths(),
		Security: spec.Security,
	}
	if c := spec.Components; c != nil {
		doc.Components = &openapi3.Components{SecuritySchemes: c.SecuritySchemes}
	}
	return doc
}

// pathParams are the request's path parameters as kin-openapi takes them.
func pathParams(c *gin.Context) map[string]string {
	params := make(map[string]string, len(c.Params))
	for _, p := range c.Params {
		params[p.Key] = p.Value
	}
	return params
}

// allowed lists the methods declared for the path template matching path,
// for the Allow header of a 405. It finds the template by matching, not
// as Gin routes: the one template a path can match, since noOverlaps
// refuses a contract with two.
func (o operations) allowed(path string) string {
	for template, methods := range o.methods {
		if routeMatches(template, path) {
			return strings.Join(methods, ", ")
		}
	}
	return ""
}

// noOverlaps refuses two path templates that one request path can match,
// such as /players/me beside /players/:id. Gin would route that path to
// the fixed one, but allowed, which matches templates in no order, could
// name either's methods.
func noOverlaps(templates []string) error {
	sort.Strings(templates)
	for i, a := range templates {
		for _, b := range templates[i+1:] {
			if overlap(a, b) {
				return fmt.Errorf("api: the paths %s and %s can match the same request path", a, b)
			}
		}
	}
	return nil
}

// overlap reports whether some request path matches both Gin templates.
func overlap(a, b string) bool {
	as, bs := strings.Split(strings.Trim(a, "/"), "/"), strings.Split(strings.Trim(b, "/"), "/")
	if len(as) != len(bs) {
		return false
	}
	for i := range as {
		if as[i] != bs[i] && !strings.HasPrefix(as[i], ":") && !strings.HasPrefix(bs[i], ":") {
			return false
		}
	}
	return true
}

// routeMatches reports whether a Gin route template matches a request path.
func routeMatches(template, path string) bool {
	ts := strings.Split(strings.Trim(template, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if !strings.HasPrefix(ts[i], ":") && ts[i] != ps[i] {
			return false
		}
	}
	return true
}

// namesOperations checks that each operationId of the tables keyed by one
// (unlimited, crossFieldRules) is the contract's: a misspelt or renamed
// one would quietly turn its rule off.
func namesOperations(spec *openapi3.T, tables ...[]string) error {
	declared := map[string]bool{}
	for _, item := range spec.Paths.Map() {
		for _, op := range item.Operations() {
			declared[op.OperationID] = true
		}
	}
	for _, ids := range tables {
		for _, id := range ids {
			if !declared[id] {
				return fmt.Errorf("api: %q, a rule's operation, is no operationId of the contract", id)
			}
		}
	}
	return nil
}

// toGinPath turns /players/{id}/visits into /players/:id/visits.
func toGinPath(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			parts[i] = ":" + p[1:len(p)-1]
		}
	}
	return strings.Join(parts, "/")
}

// integerMembers names the top-level properties typed integer in any of
// content's schemas, sorted.
func integerMembers(content openapi3.Content) []string {
	var names []string
	for _, mt := range content {
		if mt.Schema == nil || mt.Schema.Value == nil {
			continue
		}
		for name, p := range mt.Schema.Value.Properties {
			if p.Value != nil && p.Value.Type.Is("integer") {
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	return dedupe(names)
}

// maxMembers is the largest maxProperties of content's schemas; 0 when one
// of them sets none.
func maxMembers(content openapi3.Content) uint64 {
	var most uint64
	for _, mt := range content {
		if mt.Schema == nil || mt.Schema.Value == nil || mt.Schema.Value.MaxProps == nil {
			return 0
		}
		most = max(most, *mt.Schema.Value.MaxProps)
	}
	return most
}

// sortedTypes returns a content map's media types, JSON first, then by name.
func sortedTypes(content openapi3.Content) []string {
	types := make([]string, 0, len(content))
	for t := range content {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool {
		if (types[i] == "application/json") != (types[j] == "application/json") {
			return types[i] == "application/json"
		}
		return types[i] < types[j]
	})
	return types
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
