package api

// The server (Gin strict server, models, embedded spec) and the Go client are
// both generated from the contract; `make generate` runs these.
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen --config=oapi-codegen.yaml ../openapi.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen --config=oapi-codegen-client.yaml ../openapi.yaml
