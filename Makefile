# Ninja Gold API. `make run` serves on :8080 with ninjagold.db; `make test`
# runs every check CI runs. Tools are pinned in go.mod (tools.go) and run
# with `go run`, so nothing needs a global install.

GO      ?= go
BIN     := bin/ninjagold
ADDR    ?= :8080
DB      ?= ninjagold.db

.PHONY: all generate check-generated build run test test-go lint vet fmt-check clean

all: build

## generate: regenerate generated/ from openapi.yaml (the only writer of generated/)
generate:
	cd api && $(GO) generate ./...

## check-generated: fail when generated/ differs from a fresh generation
check-generated:
	@tmp=$$(mktemp -d) && mkdir -p $$tmp/api $$tmp/generated && \
	$(GO) build -o $$tmp/oapi-codegen github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen && \
	cp openapi.yaml $$tmp/ && cp api/oapi-codegen.yaml $$tmp/api/ && \
	(cd $$tmp/api && ../oapi-codegen --config=oapi-codegen.yaml ../openapi.yaml) && \
	if ! diff -ru generated $$tmp/generated; then \
		echo "generated/ is stale: run 'make generate' and commit the result" >&2; rm -rf $$tmp; exit 1; \
	fi; rm -rf $$tmp; echo "generated/ matches openapi.yaml"

## build: compile the server to bin/ninjagold
build:
	$(GO) build -o $(BIN) ./cmd/ninjagold

## run: build and serve on $(ADDR) with the SQLite file $(DB) (created and seeded on first start)
run: build
	./$(BIN) --addr $(ADDR) --db $(DB)

## test: every check CI runs
test: check-generated lint test-go

## test-go: the Go test suite with the race detector
test-go:
	$(GO) test -race -count=1 ./...

## lint: gofmt and go vet on hand-written code
lint: fmt-check vet

fmt-check:
	@bad=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null | grep -v '^generated/' || find . -name '*.go' -not -path './generated/*')); \
	if [ -n "$$bad" ]; then echo "gofmt needed: $$bad" >&2; exit 1; fi

vet:
	$(GO) vet ./...

clean:
	rm -rf bin
