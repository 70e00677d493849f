// Package ogenapi is an ogen server generated from the project's
// openapi.yaml, used only by the comparison benchmark in bench/compare. It is
// not part of the product: nothing outside bench/ imports it.
//
// Regenerate with `go generate ./bench/ogen` after openapi.yaml changes (the
// generator is pinned in go.mod through tools.go). The spec is generated in
// full: ogen v1.25.0 accepts every operation of openapi.yaml.
package ogenapi

//go:generate go run github.com/ogen-go/ogen/cmd/ogen -clean -config ogen.yml -package ogenapi -target . ../../openapi.yaml
