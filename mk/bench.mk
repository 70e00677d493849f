# Load benchmarks: real server processes under load from vegeta (pinned in
# go.mod). Numbers go to BENCHMARKS.md with the command that made them;
# nothing here asserts a target.

BENCH_N  ?= 20000
BENCH_PG ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable

VISITS_DURATION ?= 10s

.PHONY: bench-pg bench-visits

## bench-pg: N visits through two instances on PostgreSQL and through one on SQLite
bench-pg: build
	$(GO) run ./bench/visits -bin $(BIN) -db sqlite -instances 1 -n $(BENCH_N)
	$(GO) run ./bench/visits -bin $(BIN) -db '$(BENCH_PG)' -instances 2 -n $(BENCH_N)

# Like bench-load, the server runs on CPU 0 and wrk on CPU 1 when taskset
# and two CPUs are there, so the two do not take turns on one core.
VISITS_PIN := $(shell command -v taskset >/dev/null 2>&1 && [ "$$(nproc)" -ge 2 ] && echo "-server-cpus 0 -load-cpus 1")

## bench-visits: visits/s on the SQLite default under wrk (installed when missing), synchronous FULL then NORMAL
bench-visits: build wrk
	$(GO) run ./bench/visits -bin $(BIN) -load wrk -duration $(VISITS_DURATION) $(VISITS_PIN) -sqlite-synchronous FULL
	$(GO) run ./bench/visits -bin $(BIN) -load wrk -duration $(VISITS_DURATION) $(VISITS_PIN) -sqlite-synchronous NORMAL
