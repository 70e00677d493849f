# Load benchmarks: real server processes under load from vegeta (pinned in
# go.mod). Numbers go to BENCHMARKS.md with the command that made them;
# nothing here asserts a target.

BENCH_N  ?= 20000
BENCH_PG ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable

.PHONY: bench-pg

## bench-pg: N visits through two instances on PostgreSQL and through one on SQLite
bench-pg: build
	$(GO) run ./bench/visits -bin $(BIN) -db sqlite -instances 1 -n $(BENCH_N)
	$(GO) run ./bench/visits -bin $(BIN) -db '$(BENCH_PG)' -instances 2 -n $(BENCH_N)
