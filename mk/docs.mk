# docs-test: drive the Swagger UI page at /docs in a real browser (Debian
# chromium + playwright-core pinned in e2e/docs/package-lock.json; no browser
# is ever downloaded). It builds the server, the test starts it on a free
# port with a fresh database, and node's test runner runs
# e2e/docs/docs.test.mjs, which leaves a full-page screenshot in
# build/docs/swagger-ui.png.

DOCS_CHROMIUM ?= /usr/bin/chromium
DOCS_TEST_BIN := build/docs/ninjagold

.PHONY: docs-test docs-chromium

## docs-test: real-browser test of /docs (installs chromium with apt when it is missing)
docs-test: docs-chromium
	cd e2e/docs && npm ci --no-audit --no-fund
	$(GO) build -o $(DOCS_TEST_BIN) ./cmd/ninjagold
	cd e2e/docs && NINJAGOLD_BIN=$(CURDIR)/$(DOCS_TEST_BIN) CHROMIUM=$(DOCS_CHROMIUM) \
		node --test --test-reporter=spec docs.test.mjs

# docs-chromium: apt-get the Debian chromium unless it is there already
# (through sudo when not root).
docs-chromium:
	$(call apt-install,$(DOCS_CHROMIUM),chromium)

EXTRA_TESTS += docs-test
