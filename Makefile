# Ninja Gold API. `make run` serves on :8080 with ninjagold.db; `make test`
# runs every check CI runs. Tools are pinned in go.mod (tools.go) and run
# with `go run`, so nothing needs a global install.

GO      ?= go
BIN     := bin/ninjagold
# `make run ADDR=127.0.0.1:9090 DB=other.db` picks the address and the
# database; without them the server's own defaults apply (:8080 and
# ninjagold.db), or its NINJAGOLD_ADDR and NINJAGOLD_DB. Only ADDR and DB
# given on make's command line are passed on: a variable of that common
# name in the environment must not point the server at another database.
# Each is passed quoted, as one word whatever it holds (a PostgreSQL URL's
# &, a space in a file name), and as given: $(value) keeps make from
# expanding a $ in it (a password's, a file name's). make_test.go holds
# this to it.
RUN_FLAGS = $(if $(filter command line,$(origin ADDR)),--addr $(call shell-quote,$(value ADDR))) $(if $(filter command line,$(origin DB)),--db $(call shell-quote,$(value DB)))
shell-quote = '$(subst ','\'',$(1))'

.PHONY: all help generate check-generated build run run-dev test test-go cc curl lint vet staticcheck fmt-check swagger-ui clean

all: build

## help: list the targets, each with what it does
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)

## generate: regenerate generated/ from openapi.yaml (the only writer of generated/)
generate:
	cd api && $(GO) generate ./...

## check-generated: fail when generated/ differs from a fresh generation
check-generated:
	@tmp=$$(mktemp -d) && mkdir -p $$tmp/api $$tmp/generated && \
	$(GO) build -o $$tmp/oapi-codegen github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen && \
	cp openapi.yaml $$tmp/ && cp api/oapi-codegen*.yaml $$tmp/api/ && \
	(cd $$tmp/api && for c in oapi-codegen*.yaml; do ../oapi-codegen --config=$$c ../openapi.yaml || exit 1; done) && \
	$(GO) run ./internal/writergen -spec openapi.yaml -types $$tmp/generated/ninjagold.gen.go -out $$tmp/generated/writers.gen.go && \
	if ! diff -ru generated $$tmp/generated; then \
		echo "generated/ is stale: run 'make generate' and commit the result" >&2; rm -rf $$tmp; exit 1; \
	fi; rm -rf $$tmp; echo "generated/ matches openapi.yaml"

## build: compile the server to bin/ninjagold
build:
	$(GO) build -o $(BIN) ./cmd/ninjagold

## run: build and serve on :8080 with the SQLite file ninjagold.db (created and seeded on first start); ADDR=, DB= change them
run: build
	./$(BIN) $(RUN_FLAGS)

# Checks that need more than Go (a browser, Node tools) live in mk/*.mk and
# add themselves to EXTRA_TESTS. They are named one by one: a file renamed
# or removed stops make, where a wildcard would drop its checks silently.
EXTRA_TESTS :=
include mk/apt.mk mk/bench.mk mk/client.mk mk/contract.mk mk/docs.mk mk/fuzz.mk mk/perf.mk

## run-dev: like run, and every response is checked against openapi.yaml (violations logged)
run-dev: build
	./$(BIN) $(RUN_FLAGS) --validate-responses --log-format text

## test: every check CI runs
test: check-generated lint test-go $(EXTRA_TESTS)

## test-go: the Go test suite with the race detector, then ./api's generated request tests at full size without it
# -timeout: ./api alone took 463-601 s under -race on 2 busy cores, at go
# test's default of 10 min for a package (about 3 min on a quiet machine).
test-go: cc curl
	$(GO) test -race -count=1 -timeout 20m ./...
	$(GO) test -count=1 -run 'TestContractFuzz|TestQuickCheckAgreesWithKin' ./api

# cc: the race detector needs cgo, so a C compiler that finds libc's
# headers; apt-get Debian's gcc and libc6-dev unless one compiles a line
# including one (gcc alone, without its recommended libc6-dev, does not).
# CC is left unquoted: like Go, it may carry arguments ("gcc -m64").
cc:
	@cc="$$($(GO) env CC)"; \
	compiles() { printf '#include <stdlib.h>\n' | $$cc -E -x c - >/dev/null 2>&1; }; \
	if ! compiles; then \
		echo "no C compiler that finds libc's headers: installing Debian gcc and libc6-dev with apt-get"; \
		sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q gcc libc6-dev; \
		compiles || { echo "$$cc still cannot compile a line including <stdlib.h>" >&2; exit 1; }; \
	fi

# curl: cmd/ninjagold's TestREADMEGame runs the README's game with it, as
# written; apt-get Debian's curl when it is missing.
curl:
	$(call apt-install,curl,curl)

## lint: gofmt, go vet and staticcheck on hand-written code
lint: fmt-check vet staticcheck

# gofmt from the Go that builds (not whichever is on PATH, or none: then
# the check would list nothing and pass); set -e fails it if gofmt fails.
## fmt-check: gofmt -l on hand-written Go (fails listing the files that need it)
fmt-check:
	@set -e; gofmt=$$($(GO) env GOROOT)/bin/gofmt; \
	bad=$$("$$gofmt" -l $$(git ls-files '*.go' 2>/dev/null | grep -v '^generated/' || find . -name '*.go' -not -path './generated/*')); \
	if [ -n "$$bad" ]; then echo "gofmt needed: $$bad" >&2; exit 1; fi

## vet: go vet ./..., for Linux and for Windows
# Windows too since the README tells its users how the file's access works
# there: a Unix-only call outside a build-tagged file fails only there.
vet:
	$(GO) vet ./...
	GOOS=windows $(GO) vet ./...

## staticcheck: staticcheck (pinned in go.mod) on hand-written packages
# generated/ and bench/ogen are the generators' style, not ours.
staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck $$($(GO) list ./... | grep -v -e '/generated' -e '/bench/ogen')

## swagger-ui: refresh swaggerui/dist from the pinned swagger-ui-dist version (swaggerui/dist/VERSION)
swagger-ui:
	@tmp=$$(mktemp -d) && v=$$(cat swaggerui/dist/VERSION) && \
	(cd $$tmp && npm pack --silent swagger-ui-dist@$$v >/dev/null && tar xzf swagger-ui-dist-$$v.tgz) && \
	for f in swagger-ui.css swagger-ui-bundle.js index.css favicon-16x16.png \
	         favicon-32x32.png LICENSE NOTICE swagger-ui-bundle.js.LICENSE.txt; do \
		cp $$tmp/package/$$f swaggerui/dist/; done; rm -rf $$tmp; echo "swaggerui/dist is swagger-ui-dist $$v"

## clean: remove bin/ and build/ (what make builds; the database files are kept)
clean:
	rm -rf bin build
