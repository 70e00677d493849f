#!/usr/bin/env bash
# Paired loopback load test (`make bench-paired`): two variants at once, on
# one core, so that they share every slow spell of the machine.
#
# load.sh runs one variant at a time; on this shared VM the throughput of
# the same server differs by 10-30 % from one minute to the next, which
# buries a 5 % difference between variants unless many rounds are run.
# Here, for each pair (raw and a variant) and operation, both servers start
# pinned to CPU 0 and two wrk processes (each with half the connections)
# load them at the same time from CPU 1; which of the two starts and is
# loaded first alternates by round. Both servers have more requests waiting
# than they can answer, so the kernel shares CPU 0 between them and the
# ratio of their req/s is about the inverse ratio of what one request costs
# each, network stack included, under the same conditions.
#
# It is a second view, not the figure load.sh gives: two servers taking
# turns on one core share its caches and pay for switching between them, so
# every request costs more than it does alone, and not necessarily by the
# same amount for both. Pairing the base with itself (the default list
# starts with it) shows the method's own spread.
#
#   bench/compare/paired.sh path/to/benchserver
#
# Settings (environment):
#   LOAD_DURATION  wrk -d per run                          10s
#   LOAD_WARMUP    an unrecorded wrk run first ("" or 0 skips)   2s
#   LOAD_CONNS     wrk -c, split between the two servers   64
#   LOAD_BASE      the variant every other is paired with  raw
#   LOAD_VARIANTS  the variants paired with it; the base   raw stock project ogen
#                  itself is the control: the spread of
#                  its ratio is the method's own
#   LOAD_OPS       get-location create-player create-visit
#   LOAD_SYNC      SQLite synchronous, NORMAL or FULL      NORMAL
#   LOAD_SQLITE_SHARED  non-empty: the file shared with other processes   empty
#   LOAD_ROUNDS    rounds over all pairs; the report gives 5
#                  the median (the lower middle for an
#                  even count)
#   LOAD_OUT       directory for wrk's raw output          a new temp dir
#
# A run with any non-2xx response or socket error is marked FAILED.
set -euo pipefail

bin=${1:?usage: paired.sh path/to/benchserver}
here=$(cd "$(dirname "$0")" && pwd)
duration=${LOAD_DURATION:-10s}
warmup=${LOAD_WARMUP-2s}
conns=${LOAD_CONNS:-64}
base=${LOAD_BASE:-raw}
variants=${LOAD_VARIANTS:-raw stock project ogen}
ops=${LOAD_OPS:-get-location create-player create-visit}
sync=${LOAD_SYNC:-NORMAL}
rounds=${LOAD_ROUNDS:-5}
out=${LOAD_OUT:-$(mktemp -d -t bench-paired.XXXXXX)}
mkdir -p "$out"

. "$here/servers.sh"
need_wrk
if ! command -v taskset >/dev/null || [ "$(nproc)" -lt 2 ]; then
	echo "paired.sh needs taskset and 2 CPUs: both servers share CPU 0, the load runs on CPU 1" >&2
	exit 1
fi
half=$((conns / 2))

echo "two servers on CPU 0, two wrk -t1 -c$half -d$duration on CPU 1 (warm-up ${warmup:-none}); SQLite synchronous=$sync${LOAD_SQLITE_SHARED:+, file shared}; $rounds round(s)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "raw wrk output: $out"

# load URL PLAYER TOKEN SCRIPT SECONDS [OUTPUT]: one wrk on CPU 1, in the background.
load() {
	NG_PLAYER=$2 NG_TOKEN=$3 taskset -c 1 wrk -t1 -c"$half" -d"$5" --latency -s "$4" "$1" >"${6:-/dev/null}" &
}

# rps FILE: req/s of a wrk output, or FAILED.
rps() {
	awk '/^Requests\/sec:/ { r = $2 } /Non-2xx or 3xx responses:|Socket errors:/ { bad = 1 }
		END { if (bad || r == "") print "FAILED"; else printf "%.0f\n", r }' "$1"
}

results=$out/results.tsv
: >"$results"
for round in $(seq "$rounds"); do
	for v in $variants; do
		# Side 0 is the base and side 1 the variant; which of them starts
		# and is loaded first alternates from round to round.
		variant=("$base" "$v") order=(0 1)
		[ $((round % 2)) = 1 ] || order=(1 0)
		url=() player=() token=()
		for i in "${order[@]}"; do
			start_server "${variant[i]}" "side$i" taskset -c 0
			read -r _ "url[i]" "player[i]" "token[i]" <<<"$ready"
		done
		for op in $ops; do
			script=$here/wrk/$op.lua
			files=("$out/$op.$base-vs-$v.$round.a.txt" "$out/$op.$base-vs-$v.$round.b.txt")
			for run in warmup measure; do
				d=$duration to=("${files[@]}")
				if [ $run = warmup ]; then
					[ -n "$warmup" ] && [ "$warmup" != 0 ] || continue
					d=$warmup to=(/dev/null /dev/null)
				fi
				waiting=()
				for i in "${order[@]}"; do
					load "${url[i]}" "${player[i]}" "${token[i]}" "$script" "$d" "${to[i]}"
					waiting+=($!)
				done
				wait "${waiting[@]}"
			done
			ra=$(rps "${files[0]}") rb=$(rps "${files[1]}")
			ratio=-
			if [ "$ra" != FAILED ] && [ "$rb" != FAILED ]; then ratio=$(awk -v a="$rb" -v b="$ra" 'BEGIN { printf "%.3f", a / b }'); fi
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$op" "$v" "$round" "$ra" "$rb" "$ratio" >>"$results"
			printf '  %-14s round %-3s %-8s %9s req/s   %-8s %9s req/s   %s/%s %s\n' "$op" "$round" "$base" "$ra" "$v" "$rb" "$v" "$base" "$ratio"
		done
		stop_servers
	done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "ratios per round (variant req/s / $base req/s, measured at the same time), and their median"
sort -t$'\t' -k1,1 -k2,2 -k3,3n "$results" | awk -F'\t' '
	function flush(   i, j, t, list) {
		if (key == "") return
		split(key, kk, SUBSEP)
		list = ""
		for (i = 1; i <= c; i++) list = list " " x[i]
		for (i = 2; i <= c; i++) { t = x[i]; for (j = i - 1; j >= 1 && x[j] + 0 > t + 0; j--) x[j + 1] = x[j]; x[j + 1] = t }
		if (bad) printf "%-14s %-9s%s   FAILED\n", kk[1], kk[2], list
		else printf "%-14s %-9s%s   median %.2f  (min %.2f, max %.2f)\n", kk[1], kk[2], list, x[int((c + 1) / 2)], x[1], x[c]
	}
	{ if (($1 SUBSEP $2) != key) { flush(); key = $1 SUBSEP $2; c = 0; bad = 0 }
	  if ($6 == "-") bad = 1; else x[++c] = sprintf("%.2f", $6) }
	END { flush() }
'
