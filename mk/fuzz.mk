# fuzz: the long pass of the contract fuzzing test (api/contractfuzz_test.go,
# generator in internal/specfuzz). `go test ./...` already runs a short pass
# (300 requests per operation, seed 1; test-go runs it with -race at 100 per
# operation, then without it at 300); this one sends
# FUZZ_N requests per operation with a fresh seed, printed so that a failure
# can be replayed:
#   go test ./api -run 'TestContractFuzz/<operationId>$' -args -contractfuzz.seed=S -contractfuzz.n=N
# Without the race detector by default, to send more requests in the time
# (5000 per operation take about two minutes on two cores); FUZZ_FLAGS=-race
# adds it. Not in EXTRA_TESTS: CI runs the short pass through test-go.
#
# It then runs the quick check's differential test (api/quick_test.go) with
# QUICK_N random requests per operation on the same seed, and Go's fuzzer on
# FuzzQuickBody, FuzzQuickBodyBindsAsDecoded (api/quickbody_test.go),
# FuzzLexicalErrors (api/lexical_test.go) and FuzzKnownPatterns
# (api/pattern_test.go) for QUICK_FUZZTIME each; then the
# generated response writers' differential test
# (internal/writergen/writers_test.go) with ENCODE_N random values per
# response type, and Go's fuzzer on jsonwrite's FuzzString, and on impl's
# FuzzCSVBody and FuzzDecodeCursor, for QUICK_FUZZTIME each.

FUZZ_N          ?= 5000
FUZZ_FLAGS      ?=
QUICK_N         ?= 20000
QUICK_FUZZTIME  ?= 2m
ENCODE_N        ?= 200000
# Evaluated once, so the seed printed is the seed used.
ifndef FUZZ_SEED
FUZZ_SEED := $(shell date +%s)
endif

.PHONY: fuzz

## fuzz: long contract fuzzing pass (FUZZ_N requests per operation, seed FUZZ_SEED)
fuzz:
	@echo "contract fuzzing: seed $(FUZZ_SEED), $(FUZZ_N) requests per operation"
	$(GO) test $(FUZZ_FLAGS) -count=1 -timeout 0 -run 'TestContractFuzz' ./api -args \
		-contractfuzz.n=$(FUZZ_N) -contractfuzz.seed=$(FUZZ_SEED)
	$(GO) test $(FUZZ_FLAGS) -count=1 -timeout 0 -run 'TestQuickCheckAgreesWithKin' ./api -args \
		-quick.n=$(QUICK_N) -quick.seed=$(FUZZ_SEED)
	$(GO) test -run '^$$' -fuzz 'FuzzQuickBody$$' -fuzztime $(QUICK_FUZZTIME) ./api
	$(GO) test -run '^$$' -fuzz FuzzQuickBodyBindsAsDecoded -fuzztime $(QUICK_FUZZTIME) ./api
	$(GO) test -run '^$$' -fuzz FuzzLexicalErrors -fuzztime $(QUICK_FUZZTIME) ./api
	$(GO) test -run '^$$' -fuzz FuzzKnownPatterns -fuzztime $(QUICK_FUZZTIME) ./api
	$(GO) test -count=1 -timeout 0 -run 'TestWritersMatchGenerated' ./internal/writergen -args \
		-encode.n=$(ENCODE_N) -encode.seed=$(FUZZ_SEED)
	$(GO) test -run '^$$' -fuzz FuzzString -fuzztime $(QUICK_FUZZTIME) ./internal/jsonwrite
	$(GO) test -run '^$$' -fuzz 'FuzzCSVBody$$' -fuzztime $(QUICK_FUZZTIME) ./impl
	$(GO) test -run '^$$' -fuzz 'FuzzDecodeCursor$$' -fuzztime $(QUICK_FUZZTIME) ./impl
