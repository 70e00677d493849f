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

## bench-visits: visits/s on the SQLite default under wrk (installed when missing), synchronous FULL then NORMAL
bench-visits: build wrk
	$(GO) run ./bench/visits -bin $(BIN) -load wrk -duration $(VISITS_DURATION) -sqlite-synchronous FULL
	$(GO) run ./bench/visits -bin $(BIN) -load wrk -duration $(VISITS_DURATION) -sqlite-synchronous NORMAL
