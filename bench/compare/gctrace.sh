#!/usr/bin/env bash
# The collector's work per variant: each variant's benchserver runs with
# GODEBUG=gctrace=1 and GOMAXPROCS=1 under GCTRACE_WARMUP then GCTRACE_N
# GETs, and the collections of its whole life (start included) are summed
# from the trace: how many, their CPU (the STW phases, assists, background
# and idle marking), and the live heap after each (the trace gives it in
# whole MB, truncated: the average is of those). docs/benchmarks-history.md,
# "Seventeenth session", has what it found.
#
#   bench/compare/gctrace.sh path/to/benchserver path/to/benchclient
#
# Settings (environment): GCTRACE_N (30000), GCTRACE_WARMUP (2000),
# GCTRACE_VARIANTS (raw project), GCTRACE_OP (GetLocation).
set -euo pipefail
bin=${1:?usage: gctrace.sh path/to/benchserver path/to/benchclient}
client=${2:?usage: gctrace.sh path/to/benchserver path/to/benchclient}
n=${GCTRACE_N:-30000}
warmup=${GCTRACE_WARMUP:-2000}
op=${GCTRACE_OP:-GetLocation}
out=$(mktemp -d -t bench-gctrace.XXXXXX)
sync=NORMAL
. "$(dirname "$0")/servers.sh"
for v in ${GCTRACE_VARIANTS:-raw project}; do
	start_server "$v" "$v" env GOMAXPROCS=1 GODEBUG=gctrace=1
	read -r _ url player token <<<"$ready"
	"$client" -url "$url" -op "$op" -n "$warmup" -c 4 -player "$player" -token "$token"
	"$client" -url "$url" -op "$op" -n "$n" -c 4 -player "$player" -token "$token"
	stop_servers
	# "gc N @t s P%: a+b+c ms clock, a+b/c/d+e ms cpu, x->y->z MB, g MB goal, ..."
	awk -v v="$v" '/^gc / {
		for (i = 1; i <= NF; i++) {
			if ($(i+1) == "ms" && $(i+2) == "cpu,") {
				split($i, p, "+"); split(p[2], m, "/")
				cpu += p[1] + m[1] + m[2] + m[3] + p[3]
			}
			if ($i ~ /->.*->/) { split($i, h, "->"); live += h[3] }
		}
		gcs++
	}
	END { printf "%-8s %4d collections, %6.1f ms GC CPU (%.2f ms each), %.2f MB live after each on average\n", v, gcs, cpu, cpu / gcs, live / gcs }' "$out/$v.server.err"
done
