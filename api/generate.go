package api

// The server (Gin strict server and models) and the Go client are
// both generated from the contract, and then the reflection-free writers of
// the server's JSON responses from the contract and the server's types
// (internal/writergen); `make generate` runs these, in this order.
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen --config=oapi-codegen.yaml ../openapi.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen --config=oapi-codegen-client.yaml ../openapi.yaml
//go:generate go run ../internal/writergen -spec ../openapi.yaml -types ../generated/ninjagold.gen.go -out ../generated/writers.gen.go
