package api

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	ninjagold "github.com/ninjagold/ninjagold-api"
)

// TestRoutesHoldNoResponses: without the response checker, the validator's
// routes hold a copy of the contract that keeps each request's operation
// but not its responses, which only that checker reads, nor any component
// but the security schemes, and the caller's document is left as it was;
// with the checker, the routes are the document's own.
func TestRoutesHoldNoResponses(t *testing.T) {
	spec, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	lean, err := newOperations(spec, false)
	if err != nil {
		t.Fatal(err)
	}
	full, err := newOperations(spec, true)
	if err != nil {
		t.Fatal(err)
	}
	if c := spec.Components; c.Responses == nil || c.Headers == nil || c.Schemas == nil || c.Parameters == nil || c.SecuritySchemes == nil {
		t.Fatal("the contract declares no response, header, schema, parameter or security scheme components: this test would not see them dropped or kept")
	}
	n := 0
	for method, byPath := range lean.byRoute {
		for path, o := range byPath {
			n++
			r := o.route
			own := spec.Paths.Value(r.Path).GetOperation(method)
			switch {
			case r.Operation == own:
				t.Errorf("%s %s: the route holds the document's own operation", method, path)
			case r.Operation.Responses != nil:
				t.Errorf("%s %s: the route keeps the responses", method, path)
			case own.Responses == nil || own.Responses.Len() == 0:
				t.Errorf("%s %s: the document lost its responses", method, path)
			case r.Operation.OperationID != own.OperationID || r.Operation.RequestBody != own.RequestBody ||
				len(r.Operation.Parameters) != len(own.Parameters) || r.Operation.Security != own.Security:
				t.Errorf("%s %s: the route's operation differs from the document's in what a request is checked against", method, path)
			}
			if r.PathItem == spec.Paths.Value(r.Path) || r.PathItem.GetOperation(method) != r.Operation ||
				r.Spec.Paths.Value(r.Path) != r.PathItem {
				t.Errorf("%s %s: the route's path item is not its own copy, holding its operation", method, path)
			}
			if c := r.Spec.Components; c.Responses != nil || c.Headers != nil || c.Examples != nil ||
				c.Schemas != nil || c.Parameters != nil || c.RequestBodies != nil || len(c.SecuritySchemes) != len(spec.Components.SecuritySchemes) {
				t.Errorf("%s %s: the route's components keep more than the security schemes, or lost some", method, path)
			}
			if r.Spec.OpenAPI != spec.OpenAPI || len(r.Spec.Security) != len(spec.Security) {
				t.Errorf("%s %s: the route's document has another version or global security", method, path)
			}
			if f := full.byRoute[method][path].route; f.Operation != own || f.Spec != spec {
				t.Errorf("%s %s: with the response checker, the route is not the document's own", method, path)
			}
		}
	}
	if n < 40 {
		t.Errorf("%d operations indexed; the contract has more", n)
	}

	// An operation of another method (OpenAPI 3.2's additionalOperations)
	// is copied as the others are, into the route's own path item.
	item := spec.Paths.Value("/locations")
	own := *item.Get
	item.AdditionalOperations = map[string]*openapi3.Operation{"COPY": &own}
	if _, err := newOperations(spec, false); err != nil {
		t.Fatal(err)
	}
	if item.AdditionalOperations["COPY"] != &own {
		t.Error("newOperations put its copy of COPY /locations into the document's path item")
	}
}

// TestOperationParameters: an operation's parameter replaces its path
// item's of the same name and location, and the path item's others stay,
// in a slice that is neither's.
func TestOperationParameters(t *testing.T) {
	param := func(in, name, typ string) *openapi3.ParameterRef {
		return &openapi3.ParameterRef{Value: &openapi3.Parameter{In: in, Name: name,
			Schema: &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{typ}}}}}
	}
	// The path item's limit in the query is replaced; its id, and its
	// cookie of the same name as the operation's header, stay.
	pathID, pathLimit, pathCookie := param("path", "id", "integer"), param("query", "limit", "integer"), param("cookie", "limit", "integer")
	opLimit, opHeader := param("query", "limit", "string"), param("header", "limit", "string")
	item := &openapi3.PathItem{Parameters: make(openapi3.Parameters, 0, 8)}
	item.Parameters = append(item.Parameters, pathID, pathLimit, pathCookie)
	op := &openapi3.Operation{Parameters: openapi3.Parameters{opLimit, opHeader}}

	got := operationParameters(item, op)
	want := openapi3.Parameters{pathID, pathCookie, opLimit, opHeader}
	if len(got) != len(want) {
		t.Fatalf("got %d parameters, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("parameter %d: got %s %s (%v), want %s %s (%v)", i, got[i].Value.In, got[i].Value.Name,
				got[i].Value.Schema.Value.Type, want[i].Value.In, want[i].Value.Name, want[i].Value.Schema.Value.Type)
		}
	}
	// Neither the result nor its growth is in the path item's spare room.
	_ = append(got, param("query", "extra", "string"))
	for i, spare := range item.Parameters[3:5] {
		if spare != nil {
			t.Errorf("the path item's backing array was written at %d: %s", 3+i, spare.Value.Name)
		}
	}
}
