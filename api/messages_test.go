package api

import (
	"errors"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// schemaMessage words keywords the contract does not use today (exclusive
// bounds, an int32 without bounds of its own), so that a contract that
// starts to use them gets messages like the seed's, not kin-openapi's.
// Each violation comes from kin-openapi itself, as a request's would.
func TestSchemaMessageForKeywordsTheContractDoesNotUseYet(t *testing.T) {
	integer := func() *openapi3.Schema { return openapi3.NewIntegerSchema() }
	for _, tt := range []struct {
		name   string
		schema *openapi3.Schema
		value  any
		want   string
	}{
		{"an exclusive minimum", integer().WithMin(1).WithExclusiveMin(true), 1.0, "gold must be greater than 1"},
		{"an exclusive minimum below it", integer().WithMin(1).WithExclusiveMin(true), 0.0, "gold must be greater than 1"},
		{"an OpenAPI 3.1 exclusive minimum", integer().WithExclusiveMinValue(1), 1.0, "gold must be greater than 1"},
		{"an inclusive minimum", integer().WithMin(1), 0.0, "gold must be at least 1"},
		{"an exclusive maximum", integer().WithMax(10).WithExclusiveMax(true), 10.0, "gold must be less than 10"},
		{"an OpenAPI 3.1 exclusive maximum", integer().WithExclusiveMaxValue(10.5), 11.0, "gold must be less than 10.5"},
		{"an inclusive maximum", integer().WithMax(10), 11.0, "gold must be at most 10"},
		{"an int32 without bounds", openapi3.NewInt32Schema(), float64(1 << 40), "gold must be between -2147483648 and 2147483647"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.schema.VisitJSON(tt.value)
			var se *openapi3.SchemaError
			if !errors.As(err, &se) {
				t.Fatalf("VisitJSON(%v) = %v, want a schema error", tt.value, err)
			}
			if got, _ := schemaMessage("gold", se); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
