// Package ninjagold embeds the contract, openapi.yaml, so the binary serves
// it byte for byte and the server and the tests work from the very same
// document.
package ninjagold

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// OpenAPIYAML is openapi.yaml as written.
//
//go:embed openapi.yaml
var OpenAPIYAML []byte

// Spec parses and validates openapi.yaml. Each call returns a new document,
// so callers may adjust theirs.
func Spec() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(OpenAPIYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.yaml is not a valid OpenAPI document: %w", err)
	}
	return doc, nil
}
