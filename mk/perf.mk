# The cost of enforcing the contract, -included by the Makefile (which defines
# GO). Four engines, in seven variants, serve the same operations over the
# same SQLite store:
# raw Gin (also as raw-headers, sending the project's headers), the stock
# oapi-codegen gin-middleware validator, the project's api.NewHandler (as
# project, in production's configuration; project-quiet, without access
# lines; and project-validate-responses), and an ogen server (bench/compare,
# whose env.go lists the variants, and bench/ogen). Numbers go to BENCHMARKS.md with
# the command that made them; nothing here asserts a target, and none of the
# measuring targets is part of `make test` (bench-check, which runs each
# benchmark once to keep it working, is, as is bench-instr-check, which
# counts 20 requests per operation for the same reason).
#
#   bench        in-process Go benchmarks: ns/op and allocs/op per variant and
#                operation (BENCH_COUNT runs each, 6 by default: benchstat needs
#                6 samples for a confidence interval)
#   bench-load   loopback load with wrk (installed with apt-get when missing): req/s, p50,
#                p99 per variant and operation, and the ratios
#                project/raw, project/stock, quiet/raw, quiet/stock, ogen/raw
#   bench-paired loopback load on two variants at once, sharing one core
#                (bench/compare/paired.sh): the ratio of what a request costs
#                each, with the machine's slow spells landing on both
#   bench-instr  instructions per request, counted by valgrind's callgrind
#                (bench/compare/instr.sh): the same count whatever else the
#                machine does, for the differences the VM's noise buries
#   bench-gctrace the collector's collections, CPU and live heap per variant
#                over GETs (bench/compare/gctrace.sh)

BENCH_COUNT     ?= 6
BENCH_TIME      ?= 1s
BENCH_FILTER    ?= .
BENCH_OUT       ?= bin/bench-compare.txt
# SQLite synchronous for both: NORMAL (no fsync per commit) or FULL (production's
# default; every write then waits for the disk).
BENCH_SYNC      ?= NORMAL
# Non-empty: the SQLite file opened shared with other processes (ninjagold
# --sqlite-shared) instead of held by one, to measure what holding it saves.
BENCH_SHARED    ?=
# Pinned in go.mod through tools.go (golang.org/x/perf has no tagged releases).
BENCHSTAT       ?= $(GO) run golang.org/x/perf/cmd/benchstat
BENCHSERVER     := bin/benchserver
LOAD_DURATION   ?= 10s
LOAD_WARMUP     ?= 2s
LOAD_CONNS      ?= 64
LOAD_THREADS    ?= 1
LOAD_VARIANTS   ?= raw stock project project-quiet project-validate-responses ogen
LOAD_ROUNDS     ?= 1
LOAD_OPS        ?= get-location create-player create-visit
BENCHCLIENT     := bin/benchclient
INSTR_N         ?= 10000
INSTR_WARMUP    ?= 1000
INSTR_CONNS     ?= 4
INSTR_VARIANTS  ?= raw stock project ogen
INSTR_OPS       ?= GetLocation CreatePlayer CreateVisit
INSTR_ROUNDS    ?= 3
LOAD_PAIRED     ?= raw stock project ogen
PAIRED_ROUNDS   ?= 5

.PHONY: check-ogen bench bench-load bench-paired bench-instr bench-gctrace bench-instr-check bench-check wrk valgrind

## bench-check: every Go benchmark runs once, so none rots between measurements (part of make test)
# One iteration each proves a benchmark still sets up and serves what it
# expects; it measures nothing (bench/lists loads its million rows in about
# 8 s).
bench-check:
	$(GO) test -run '^$$' -bench . -benchtime 1x $$($(GO) list ./... | grep -v -e /generated -e /bench/ogen)

EXTRA_TESTS += bench-check

## check-ogen: fail when bench/ogen differs from what the pinned ogen generates from openapi.yaml (part of make test)
# The ogen variant is a peer measured on the contract as it is: a stale
# bench/ogen would measure an older contract, and nothing else would notice.
check-ogen:
	@tmp=$$(mktemp -d) && \
	$(GO) run github.com/ogen-go/ogen/cmd/ogen -clean -config bench/ogen/ogen.yml -package ogenapi -target $$tmp openapi.yaml >/dev/null 2>$$tmp.log || { cat $$tmp.log >&2; rm -rf $$tmp $$tmp.log; exit 1; }; \
	if ! diff -ru -x generate.go -x ogen.yml bench/ogen $$tmp; then \
		echo "bench/ogen is stale: run 'go generate ./bench/ogen' and commit the result" >&2; rm -rf $$tmp $$tmp.log; exit 1; \
	fi; rm -rf $$tmp $$tmp.log; echo "bench/ogen matches openapi.yaml"

EXTRA_TESTS += check-ogen

## bench: Go benchmarks of every variant (BENCH_COUNT=6 BENCH_TIME=1s BENCH_FILTER=. BENCH_SYNC=NORMAL), raw output in BENCH_OUT
# The test binary runs BENCH_COUNT times with -count 1 rather than once with
# -count BENCH_COUNT: go test repeats each sub-benchmark back to back, so a
# slow minute on this shared VM would land on one variant; run by run, every
# variant gets its share of it.
bench:
	@mkdir -p $(dir $(BENCH_OUT))
	$(GO) test -c -o bin/compare.test ./bench/compare
	@: >$(BENCH_OUT)
	@for i in $$(seq $(BENCH_COUNT)); do \
		echo "round $$i of $(BENCH_COUNT)" >&2; \
		BENCH_SQLITE_SYNC=$(BENCH_SYNC) BENCH_SQLITE_SHARED=$(if $(BENCH_SHARED),1) bin/compare.test -test.run '^$$' -test.bench '$(BENCH_FILTER)' -test.benchmem \
			-test.count 1 -test.benchtime $(BENCH_TIME) >>$(BENCH_OUT) || { cat $(BENCH_OUT); exit 1; }; \
	done; cat $(BENCH_OUT)
	@$(BENCHSTAT) $(BENCH_OUT) || echo "benchstat unavailable; raw results are in $(BENCH_OUT)"

## bench-load: loopback wrk load on each variant (LOAD_DURATION=10s LOAD_CONNS=64 LOAD_VARIANTS=... LOAD_OPS=...)
bench-load: wrk
	$(GO) build -o $(BENCHSERVER) ./bench/compare/cmd/benchserver
	LOAD_DURATION='$(LOAD_DURATION)' LOAD_WARMUP='$(LOAD_WARMUP)' LOAD_CONNS='$(LOAD_CONNS)' \
	LOAD_THREADS='$(LOAD_THREADS)' LOAD_VARIANTS='$(LOAD_VARIANTS)' LOAD_OPS='$(LOAD_OPS)' \
	LOAD_SYNC='$(BENCH_SYNC)' LOAD_SQLITE_SHARED='$(BENCH_SHARED)' LOAD_ROUNDS='$(LOAD_ROUNDS)' bench/compare/load.sh $(BENCHSERVER)

## bench-paired: raw and each variant loaded at once on one core (PAIRED_ROUNDS=5 LOAD_DURATION=10s LOAD_PAIRED=... LOAD_OPS=...)
bench-paired: wrk
	$(GO) build -o $(BENCHSERVER) ./bench/compare/cmd/benchserver
	LOAD_DURATION='$(LOAD_DURATION)' LOAD_WARMUP='$(LOAD_WARMUP)' LOAD_CONNS='$(LOAD_CONNS)' \
	LOAD_VARIANTS='$(LOAD_PAIRED)' LOAD_OPS='$(LOAD_OPS)' LOAD_SYNC='$(BENCH_SYNC)' LOAD_SQLITE_SHARED='$(BENCH_SHARED)' \
	LOAD_ROUNDS='$(PAIRED_ROUNDS)' bench/compare/paired.sh $(BENCHSERVER)

## bench-instr: instructions per request under callgrind (INSTR_N=10000 INSTR_ROUNDS=3 INSTR_VARIANTS=... INSTR_OPS=...)
bench-instr: valgrind
	$(GO) build -o $(BENCHSERVER) ./bench/compare/cmd/benchserver
	$(GO) build -o $(BENCHCLIENT) ./bench/compare/cmd/benchclient
	INSTR_N='$(INSTR_N)' INSTR_WARMUP='$(INSTR_WARMUP)' INSTR_CONNS='$(INSTR_CONNS)' INSTR_VARIANTS='$(INSTR_VARIANTS)' \
	INSTR_OPS='$(INSTR_OPS)' INSTR_ROUNDS='$(INSTR_ROUNDS)' bench/compare/instr.sh $(BENCHSERVER) $(BENCHCLIENT)

## bench-gctrace: the collector's work per variant over GETs (bench/compare/gctrace.sh; GCTRACE_N, GCTRACE_VARIANTS)
bench-gctrace:
	$(GO) build -o $(BENCHSERVER) ./bench/compare/cmd/benchserver
	$(GO) build -o $(BENCHCLIENT) ./bench/compare/cmd/benchclient
	bench/compare/gctrace.sh $(BENCHSERVER) $(BENCHCLIENT)

## bench-instr-check: bench-instr on a few requests of every operation, so the script and benchclient do not rot (part of make test)
bench-instr-check:
	$(MAKE) --no-print-directory bench-instr INSTR_N=20 INSTR_WARMUP=5 INSTR_VARIANTS=project INSTR_ROUNDS=1

EXTRA_TESTS += bench-instr-check

# valgrind: apt-get Debian's valgrind unless it is there already.
valgrind:
	$(call apt-install,callgrind_control,valgrind)

# wrk: apt-get Debian's wrk unless it is there already.
wrk:
	$(call apt-install,wrk,wrk)
