#!/usr/bin/env bash
# Loopback load test of the comparison variants (`make bench-load`).
#
# For each variant: start bench/compare/cmd/benchserver (a fresh SQLite file)
# on 127.0.0.1, pinned to CPU 0, and run wrk against each operation, pinned
# to CPU 1 (taskset, when there are at least 2 CPUs), then print req/s, p50
# and p99 per variant and operation and the throughput ratios.
#
#   bench/compare/load.sh path/to/benchserver
#
# Settings (environment):
#   LOAD_DURATION  wrk -d per run                          10s
#   LOAD_WARMUP    an unrecorded wrk run first ("" or 0 skips)   2s
#   LOAD_CONNS     wrk -c                                  64
#   LOAD_THREADS   wrk -t                                  1
#   LOAD_VARIANTS  raw stock project project-quiet project-validate-responses ogen
#   LOAD_OPS       get-location create-player create-visit
#   LOAD_SYNC      SQLite synchronous, NORMAL or FULL      NORMAL
#   LOAD_SQLITE_SHARED  non-empty: the file shared with other processes   empty
#   LOAD_ROUNDS    rounds over all variants; the report    1
#                  gives each figure's median over them
#   LOAD_OUT       directory for wrk's raw output          a new temp dir
#
# A run with any non-2xx response or socket error is marked FAILED: a
# variant must not look fast by failing.
set -euo pipefail

bin=${1:?usage: load.sh path/to/benchserver}
here=$(cd "$(dirname "$0")" && pwd)
duration=${LOAD_DURATION:-10s}
warmup=${LOAD_WARMUP-2s}
conns=${LOAD_CONNS:-64}
threads=${LOAD_THREADS:-1}
variants=${LOAD_VARIANTS:-raw stock project project-quiet project-validate-responses ogen}
ops=${LOAD_OPS:-get-location create-player create-visit}
sync=${LOAD_SYNC:-NORMAL}
rounds=${LOAD_ROUNDS:-1}
out=${LOAD_OUT:-$(mktemp -d -t bench-load.XXXXXX)}
mkdir -p "$out"

. "$here/servers.sh"
need_wrk
server_cpu=() client_cpu=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
	server_cpu=(taskset -c 0) client_cpu=(taskset -c 1)
	pinning="server on CPU 0, wrk on CPU 1"
else
	pinning="no CPU pinning (taskset missing or one CPU)"
fi

echo "wrk -t$threads -c$conns -d$duration --latency (warm-up ${warmup:-none}); $pinning; SQLite synchronous=$sync${LOAD_SQLITE_SHARED:+, file shared}; $rounds round(s)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "raw wrk output: $out"

results=$out/results.tsv
: >"$results"
for round in $(seq "$rounds"); do
for v in $variants; do
	start_server "$v" "$v" "${server_cpu[@]}"
	read -r _ url player token <<<"$ready"
	for op in $ops; do
		script=$here/wrk/$op.lua
		if [ -n "$warmup" ] && [ "$warmup" != 0 ]; then
			NG_PLAYER=$player NG_TOKEN=$token "${client_cpu[@]}" wrk -t"$threads" -c"$conns" -d"$warmup" -s "$script" "$url" >/dev/null
		fi
		NG_PLAYER=$player NG_TOKEN=$token "${client_cpu[@]}" wrk -t"$threads" -c"$conns" -d"$duration" --latency -s "$script" "$url" >"$out/$v.$op.$round.txt"
		awk -v v="$v" -v op="$op" -v round="$round" '
			function ms(s) {
				if (s ~ /us$/) return substr(s, 1, length(s) - 2) / 1000
				if (s ~ /ms$/) return substr(s, 1, length(s) - 2) + 0
				if (s ~ /s$/) return substr(s, 1, length(s) - 1) * 1000
				return s + 0
			}
			$1 == "50%" { p50 = ms($2) }
			$1 == "99%" { p99 = ms($2) }
			/^Requests\/sec:/ { rps = $2 }
			/Non-2xx or 3xx responses:/ { bad += $NF }
			/Socket errors:/ { bad += 1 }
			END { printf "%s\t%s\t%.0f\t%.3f\t%.3f\t%s\t%d\n", op, v, rps, p50, p99, (bad ? "FAILED" : "ok"), round }
		' "$out/$v.$op.$round.txt" >>"$results"
		tail -n1 "$results" | awk -F'\t' '{ printf "  %-14s %-27s %9s req/s  p50 %7.3f ms  p99 %7.3f ms  %s\n", $1, $2, $3, $4, $5, $6 }'
	done
	stop_servers
done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
# One line per op and variant: the median of each column over the rounds
# (the middle value; the upper middle for an even count).
sort -t$'\t' -k1,1 -k2,2 -k3,3n "$results" | awk -F'\t' '
	function flush() { if (key != "") { split(key, k, SUBSEP); printf "%s\t%s\t%s\t%s\t%s\t%s\n", k[1], k[2], r[int(c / 2) + 1], a[int(c / 2) + 1], b[int(c / 2) + 1], st } }
	{ if (($1 SUBSEP $2) != key) { flush(); key = $1 SUBSEP $2; c = 0; st = "ok" }
	  r[++c] = $3; a[c] = $4; b[c] = $5; if ($6 != "ok") st = $6 }
	END { flush() }
' >"$out/medians.tsv"
sort -t$'\t' -k1,1 -k2,2 -k4,4n "$results" | awk -F'\t' '
	function flush() { if (key != "") { split(key, k, SUBSEP); print k[1] "\t" k[2] "\t" a[int(c / 2) + 1] } }
	{ if (($1 SUBSEP $2) != key) { flush(); key = $1 SUBSEP $2; c = 0 } a[++c] = $4 }
	END { flush() }
' >"$out/p50.tsv"
sort -t$'\t' -k1,1 -k2,2 -k5,5n "$results" | awk -F'\t' '
	function flush() { if (key != "") { split(key, k, SUBSEP); print k[1] "\t" k[2] "\t" a[int(c / 2) + 1] } }
	{ if (($1 SUBSEP $2) != key) { flush(); key = $1 SUBSEP $2; c = 0 } a[++c] = $5 }
	END { flush() }
' >"$out/p99.tsv"

awk -F'\t' '
	FILENAME ~ /p50.tsv$/ { p50[$1, $2] = $3; next }
	FILENAME ~ /p99.tsv$/ { p99[$1, $2] = $3; next }
	FILENAME ~ /medians.tsv$/ { rps[$1, $2] = $3; st[$1, $2] = $6; next }
	# results.tsv, last: the order ops and variants ran in.
	{ if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
	  if (!($2 in vseen)) { vseen[$2] = 1; vorder[++m] = $2 } }
	function ratio(a, b) { return (b > 0 && a != "") ? sprintf("%.2f", a / b) : "-" }
	END {
		printf "%-14s %-27s %10s %10s %10s\n", "op", "variant", "req/s", "p50 ms", "p99 ms"
		for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) {
			o = order[i]; v = vorder[j]
			if ((o, v) in rps)
				printf "%-14s %-27s %10s %10.3f %10.3f%s\n", o, v, rps[o, v], p50[o, v], p99[o, v], (st[o, v] == "ok" ? "" : "  FAILED")
		}
		print ""
		print "throughput ratios (req/s; 1.00 = as fast, below 1 = slower)"
		printf "%-14s %12s %14s %10s %12s %12s %10s %22s\n", "op", "project/raw", "project/stock", "quiet/raw", "quiet/stock", "quiet/ogen", "ogen/raw", "validate-resp/project"
		for (i = 1; i <= n; i++) {
			o = order[i]
			printf "%-14s %12s %14s %10s %12s %12s %10s %22s\n", o,
				ratio(rps[o, "project"], rps[o, "raw"]), ratio(rps[o, "project"], rps[o, "stock"]),
				ratio(rps[o, "project-quiet"], rps[o, "raw"]), ratio(rps[o, "project-quiet"], rps[o, "stock"]),
				ratio(rps[o, "project-quiet"], rps[o, "ogen"]),
				ratio(rps[o, "ogen"], rps[o, "raw"]), ratio(rps[o, "project-validate-responses"], rps[o, "project"])
		}
	}' "$out/p50.tsv" "$out/p99.tsv" "$out/medians.tsv" "$results"

# The medians above come from each variant's own rounds; a slow spell on
# this shared VM can land on one variant's runs and not another's. Variants
# of one round run within minutes of each other, so the ratio within a
# round, and the median of those, is the steadier figure.
if [ "$rounds" -gt 1 ]; then
	echo
	echo "ratios within each round, and their median"
	awk -F'\t' '
		{ rps[$1, $2, $7] = $3; if ($7 > rounds) rounds = $7
		  if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
		function line(o, a, b,   r, k, i, j, t, list) {
			k = 0
			for (r = 1; r <= rounds; r++)
				if ((o, a, r) in rps && (o, b, r) in rps && rps[o, b, r] > 0) x[++k] = rps[o, a, r] / rps[o, b, r]
			if (k == 0) return
			list = ""
			for (i = 1; i <= k; i++) list = list sprintf(" %.2f", x[i])
			for (i = 2; i <= k; i++) { t = x[i]; for (j = i - 1; j >= 1 && x[j] > t; j--) x[j + 1] = x[j]; x[j + 1] = t }
			printf "%-14s %-15s%s   median %.2f\n", o, a "/" b, list, x[int(k / 2) + 1]
		}
		END { for (i = 1; i <= n; i++) { line(order[i], "project", "raw"); line(order[i], "project", "stock"); line(order[i], "project-quiet", "raw"); line(order[i], "ogen", "raw") } }
	' "$results"
fi
