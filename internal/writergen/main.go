// Command writergen writes generated/writers.gen.go: for every JSON success
// response of the contract, a response type that writes the same status,
// headers and bytes as oapi-codegen's writer of it, without reflection.
//
//	go run ./internal/writergen -spec openapi.yaml -types generated/ninjagold.gen.go -out generated/writers.gen.go
//
// `make generate` runs it after oapi-codegen, and `make check-generated`
// holds generated/ to what it writes.
//
// Why: oapi-codegen's strict handlers write a JSON body with
// json.NewEncoder(&buf).Encode, reflection over the value, a Marshaler
// call and a compacting pass per time.Time, which costs a GET more than
// everything but the database read. The types are known when the code is
// generated, so the writer can be too. For each response writergen reads
// the Go type oapi-codegen made (its fields, their order and JSON tags, as
// encoding/json sees them: go/ast over oapi-codegen's output, which is
// the source of truth for the bytes) and the response's header names from
// the contract (the Go field names lose the hyphens). The string, time and
// null rules are package jsonwrite's.
//
// It writes only what it can write exactly as encoding/json would: a type
// with a shape it does not know (a map, a float, a pointer, an omitempty
// member, a type with its own MarshalJSON, ...) leaves that response to
// oapi-codegen's writer, and the generated file's header says which and
// why. The test (writers_test.go) writes random values of every generated
// response with both writers and compares status, headers and bytes.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	spec := flag.String("spec", "openapi.yaml", "the contract")
	types := flag.String("types", "generated/ninjagold.gen.go", "oapi-codegen's output for the contract")
	out := flag.String("out", "generated/writers.gen.go", "the file to write")
	flag.Parse()
	src, err := generate(*spec, *types, *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "writergen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "writergen:", err)
		os.Exit(1)
	}
}
