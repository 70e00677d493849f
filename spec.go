// Package ninjagold embeds the contract, openapi.yaml, so the binary serves
// it byte for byte and the tests validate against the very same document.
package ninjagold

import _ "embed"

// OpenAPIYAML is openapi.yaml as written.
//
//go:embed openapi.yaml
var OpenAPIYAML []byte
