//go:build tools

// The tools build tag pins the Go tools the build runs with `go run`, so that
// `make generate` and the contract gates need no global install and every
// machine uses the same versions recorded in go.mod.
package ninjagold

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "github.com/oasdiff/oasdiff"
	_ "github.com/ogen-go/ogen/cmd/ogen"
	_ "golang.org/x/perf/cmd/benchstat"
	_ "honnef.co/go/tools/cmd/staticcheck"
)
