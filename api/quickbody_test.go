package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/oapi-codegen/runtime"

	"github.com/ninjagold/ninjagold-api/generated"
)

// quickBodyTargets are the operations that take a JSON body, with the type
// their generated handler binds it into.
var quickBodyTargets = []struct {
	method, path, mediaType string
	newBody                 func() any
}{
	{http.MethodPost, "/players", "application/json", func() any { return new(generated.CreatePlayerJSONRequestBody) }},
	{http.MethodPost, "/locations", "application/json", func() any { return new(generated.CreateLocationJSONRequestBody) }},
	{http.MethodPut, "/locations/:id", "application/json", func() any { return new(generated.ReplaceLocationJSONRequestBody) }},
	{http.MethodPatch, "/locations/:id", "application/merge-patch+json", func() any {
		return new(generated.UpdateLocationApplicationMergePatchPlusJSONRequestBody)
	}},
	{http.MethodPost, "/players/:id/visits", "application/json", func() any { return new(generated.CreateVisitJSONRequestBody) }},
}

// bindsAsDecoded checks, for every body operation whose quick check accepts
// data, that the handler gets from the members the check kept
// (runtime.BindJSONValue, what the generated handlers call) exactly what
// encoding/json would have decoded from data; it returns how many accepted.
func bindsAsDecoded(t *testing.T, ops operations, data string) int {
	t.Helper()
	accepted := 0
	for _, tg := range quickBodyTargets {
		op := ops.byRoute[tg.method][tg.path]
		if op == nil || op.quick == nil {
			t.Fatalf("%s %s: no quick check", tg.method, tg.path)
		}
		members, ok := op.quick.body(tg.mediaType, []byte(data))
		if !ok {
			continue
		}
		accepted++
		bound, decoded := tg.newBody(), tg.newBody()
		if err := runtime.BindJSONValue(members, bound); err != nil {
			t.Errorf("%s %s %s: binding the kept members: %v", tg.method, tg.path, data, err)
			continue
		}
		if err := json.Unmarshal([]byte(data), decoded); err != nil {
			t.Errorf("%s %s %s: the quick check accepted what encoding/json cannot decode: %v", tg.method, tg.path, data, err)
			continue
		}
		if !reflect.DeepEqual(bound, decoded) {
			t.Errorf("%s %s %s:\n  bound:   %#v\n  decoded: %#v", tg.method, tg.path, data, bound, decoded)
		}
	}
	return accepted
}

// TestQuickBodyBindsAsDecoded: a body the quick check accepts reaches the
// handler as encoding/json would have decoded it, escapes, nulls, integer
// limits and member order included.
func TestQuickBodyBindsAsDecoded(t *testing.T) {
	_, ops := testOperations(t)
	for _, data := range []string{
		`{"first_name":"Hattori","last_name":"Hanzo"}`,
		` { "last_name" : "Hanzo" , "first_name" : "Hattori" } `,
		`{"first_name":"H\u0061ttori \"Ninja\"","last_name":"Hanzo\\"}`,
		`{"first_name":"服部","last_name":"半蔵 🥷"}`,
		`{"name":"Dojo","min_gold":15,"max_gold":30,"description":"Spar."}`,
		`{"name":"Dojo","min_gold":0,"max_gold":0}`,
		`{"name":"Dojo","min_gold":0,"max_gold":1,"description":null}`,
		`{"max_gold":40,"description":null}`,
		`{"description":"Tend the fields.\u00e9"}`,
		`{"min_gold":-5}`,
		`{"location_id":1}`,
		`{"location_id":9223372036854775807}`,
	} {
		if bindsAsDecoded(t, ops, data) == 0 {
			t.Errorf("%s: no quick check accepted it; the case tests nothing", data)
		}
	}
}

// FuzzQuickBodyBindsAsDecoded is TestQuickBodyBindsAsDecoded on arbitrary
// bodies.
func FuzzQuickBodyBindsAsDecoded(f *testing.F) {
	for _, seed := range []string{
		`{"first_name":"Hattori","last_name":"Hanzo"}`,
		`{"name":"Dojo","min_gold":15,"max_gold":30,"description":"Spar."}`,
		`{"max_gold":40,"description":null}`,
		`{"location_id":1}`,
		`{"first_name":"H\u0061ttori","last_name":"Hanzo"}`,
	} {
		f.Add(seed)
	}
	_, ops := testOperations(f)
	f.Fuzz(func(t *testing.T, data string) {
		// The validator runs the quick check only on text that names
		// characters (validate.go): invalid UTF-8 and lone surrogates get
		// their own 400 first (lexical.go), as encoding/json would replace
		// them with U+FFFD instead of refusing them.
		if lexical, _ := lexicalErrors([]byte(data)); lexical != nil {
			return
		}
		bindsAsDecoded(t, ops, data)
	})
}
