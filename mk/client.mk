# The TypeScript client in clients/typescript, -included by the Makefile (which
# defines GO).
#
#   client         regenerate clients/typescript/src/schema.ts from openapi.yaml
#                  (openapi-typescript); commit the result
#   client-check   fail when the committed schema.ts differs from a fresh generation
#   client-build   compile the client and its tests with tsc --strict into
#                  clients/typescript/build (git-ignored)
#   client-test    the end-to-end test: a short game against the real server,
#                  started on a free port with a throwaway database
#
# Its Node dependencies are pinned in clients/typescript/package-lock.json and
# installed with `npm ci`.

CLIENT_DIR        := clients/typescript
CLIENT_SCHEMA     := $(CLIENT_DIR)/src/schema.ts
CLIENT_BIN        := $(CLIENT_DIR)/node_modules/.bin
# openapi-typescript with its own Redocly config (spec validity only), not the
# root redocly.yaml it would otherwise find: linting is lint-contract's job.
CLIENT_GEN        := $(CLIENT_BIN)/openapi-typescript openapi.yaml --redocly $(CLIENT_DIR)/redocly.yaml
CLIENT_SERVER_BIN := build/client/ninjagold

.PHONY: client client-deps client-check client-build client-server client-test

## client-deps: install the client's pinned Node dependencies with npm ci when its package-lock.json changed
client-deps: $(CLIENT_DIR)/node_modules/.package-lock.json

$(CLIENT_DIR)/node_modules/.package-lock.json: $(CLIENT_DIR)/package.json $(CLIENT_DIR)/package-lock.json
	cd $(CLIENT_DIR) && npm ci --no-audit --no-fund
	@touch $@

## client: regenerate the client's types from openapi.yaml
client: client-deps
	$(CLIENT_GEN) --output $(CLIENT_SCHEMA)

## client-check: fail when clients/typescript/src/schema.ts is stale
client-check: client-deps
	@tmp=$$(mktemp -d) && \
	$(CLIENT_GEN) --output $$tmp/schema.ts >/dev/null && \
	if ! diff -u $(CLIENT_SCHEMA) $$tmp/schema.ts; then \
		echo "$(CLIENT_SCHEMA) is stale: run 'make client' and commit the result" >&2; rm -rf $$tmp; exit 1; \
	fi; rm -rf $$tmp; echo "$(CLIENT_SCHEMA) matches openapi.yaml"

## client-build: type-check and compile the client and its tests (tsc --strict)
client-build: client-deps
	cd $(CLIENT_DIR) && node_modules/.bin/tsc --project tsconfig.json --strict

# client-server: the server binary the end-to-end tests start
client-server:
	$(GO) build -o $(CLIENT_SERVER_BIN) ./cmd/ninjagold

## client-test: the client's end-to-end test against a live server
client-test: client-build client-server
	$(CLIENT_DIR)/scripts/e2e.sh $(CLIENT_SERVER_BIN)

EXTRA_TESTS += client-check client-test
