// Package ninjagold embeds the contract, openapi.yaml, so the binary serves
// it byte for byte and the server and the tests work from the very same
// document.
package ninjagold

import (
	_ "embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// OpenAPIYAML is openapi.yaml as written.
//
//go:embed openapi.yaml
var OpenAPIYAML []byte

// Spec parses openapi.yaml. Each call returns a new document, so callers
// may adjust theirs.
//
// It does not validate the document: these bytes are fixed when the binary
// is built, and TestSpecIsValid validates the very same bytes (as `make
// lint-contract` does with Redocly). Validating them again at every start
// took about 10 ms of the 100 ms from start to first answer that issue 7
// allows (BENCHMARKS.md).
func Spec() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPIYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return doc, nil
}
