# Contract gates on openapi.yaml, -included by the Makefile (which defines GO).
#
#   lint-contract       Redocly CLI lint (redocly.yaml: recommended-strict, so any
#                       error or warning fails)
#   contract-breaking   oasdiff: fail when openapi.yaml breaks clients of the last
#                       released contract, contract/baseline.yaml
#   contract-baseline   on release: make openapi.yaml the new baseline (commit it)
#   prism-test          the TypeScript end-to-end test through a Prism validating
#                       proxy (prism proxy --errors): fails on any request or
#                       response violation Prism reports
#
# The Node tools are pinned in package.json / package-lock.json and installed
# with `npm ci` into node_modules/; oasdiff is pinned in go.mod (tools.go) and run with `go run`.

CONTRACT_SPEC     := openapi.yaml
CONTRACT_BASELINE := contract/baseline.yaml
# Breaking changes made on purpose since the baseline, one oasdiff message a line
# (METHOD PATH message): each one reviewed and said in the commit that made it.
CONTRACT_ACCEPTED := contract/accepted-breaks.txt
# oasdiff rates a changed pattern a warning (it cannot tell a narrower one
# from a wider one), so the gate fails on warnings too, but for those
# reviewed and accepted here: the names' pattern that refuses invisible
# characters, each place it shows.
CONTRACT_ACCEPTED_WARNINGS := contract/accepted-warnings.txt
OASDIFF           ?= $(GO) run github.com/oasdiff/oasdiff
CONTRACT_NODE_BIN := node_modules/.bin
# Redocly and Scarf (a Prism dependency) report usage over the network unless told not to.
CONTRACT_NODE_ENV := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true SCARF_ANALYTICS=false

.PHONY: contract-deps lint-contract contract-breaking contract-baseline prism-test

# Prism is pinned at 5.14.2, the last release that declares Node >= 18 (5.15 and
# 5.16 declare Node >= 24, and this project runs on Node 20). It asks for
# prism-core ^5.8.0 and prism-http-server ^5.12.0 (prism-http it pins at
# 5.12.0, which prism-http-server asks for as a range), which npm would
# resolve to 5.16.0 and Node 24; package.json's "overrides" hold the three at
# the versions prism-cli 5.14.2 was released with, so npm ci warns of no
# engine mismatch.
## contract-deps: install the pinned Node tools (redocly, prism) with npm ci when package-lock.json changed
contract-deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	$(CONTRACT_NODE_ENV) npm ci --no-audit --no-fund
	@touch $@

## lint-contract: Redocly lint of openapi.yaml with redocly.yaml; zero errors, zero warnings
lint-contract: contract-deps
	$(CONTRACT_NODE_ENV) $(CONTRACT_NODE_BIN)/redocly lint $(CONTRACT_SPEC) --config redocly.yaml

## contract-breaking: fail when openapi.yaml breaks contract/baseline.yaml, or may (a warning), but for what contract/accepted-*.txt accept
contract-breaking:
	$(OASDIFF) breaking $(CONTRACT_BASELINE) $(CONTRACT_SPEC) --fail-on WARN --err-ignore $(CONTRACT_ACCEPTED) --warn-ignore $(CONTRACT_ACCEPTED_WARNINGS)
	@echo "$(CONTRACT_SPEC): no breaking change against $(CONTRACT_BASELINE)"

## contract-baseline: on release, record openapi.yaml as the released contract (then commit contract/baseline.yaml)
contract-baseline:
	cp $(CONTRACT_SPEC) $(CONTRACT_BASELINE)
	@echo "$(CONTRACT_BASELINE) is now $(CONTRACT_SPEC); commit it with the release"

## prism-test: the TypeScript e2e test through `prism proxy openapi.yaml <server> --errors`
prism-test: contract-deps client-build client-server
	$(CONTRACT_NODE_ENV) clients/typescript/scripts/e2e.sh $(CLIENT_SERVER_BIN) $(CONTRACT_NODE_BIN)/prism $(CONTRACT_SPEC)

EXTRA_TESTS += lint-contract contract-breaking prism-test
