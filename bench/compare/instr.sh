#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind (`make bench-instr`).
#
# On this shared VM the loopback throughput of one binary swings by tens of
# percent from minute to minute, and a GET is cheap enough that the swing
# buries the difference between variants. Callgrind counts the instructions
# the server process executes in user space instead: the same binary, data
# and requests give the same count whatever else the machine is doing. It
# does not see the kernel's share (the socket reads and writes, the same for
# every variant) nor cache misses, so its ratios are those of what a request
# costs the server's own code: a proxy for throughput, not a throughput.
#
# For each variant: start bench/compare/cmd/benchserver under callgrind with
# instrumentation off (start-up runs at valgrind's uninstrumented speed),
# GOMAXPROCS=1 (the loopback load pins the server to one core),
# asynchronous preemption off, and RDTSCP off (valgrind 3.19 cannot run it:
# Go's clock uses it where the CPU reports it, as AMD EPYC VMs here do, and
# the server dies of SIGILL); once it is ready, switch instrumentation on,
# and for each operation send INSTR_WARMUP requests, zero the counters,
# send INSTR_N requests with bench/compare/cmd/benchclient, and dump. The
# report gives instructions per request and raw's count over the variant's
# (above 1: the variant runs fewer instructions than raw).
#
#   bench/compare/instr.sh path/to/benchserver path/to/benchclient
#
# Settings (environment):
#   INSTR_N         requests counted per operation          2000
#   INSTR_WARMUP    requests sent first, not counted        500
#   INSTR_CONNS     benchclient's connections               4
#   INSTR_VARIANTS  raw stock project ogen
#   INSTR_OPS       GetLocation CreatePlayer CreateVisit
#   INSTR_ROUNDS    rounds over all variants                1
#   INSTR_OUT       directory for callgrind's dumps         a new temp dir
set -euo pipefail

bin=${1:?usage: instr.sh path/to/benchserver path/to/benchclient}
client=${2:?usage: instr.sh path/to/benchserver path/to/benchclient}
n=${INSTR_N:-2000}
warmup=${INSTR_WARMUP:-500}
conns=${INSTR_CONNS:-4}
variants=${INSTR_VARIANTS:-raw stock project ogen}
ops=${INSTR_OPS:-GetLocation CreatePlayer CreateVisit}
rounds=${INSTR_ROUNDS:-1}
out=${INSTR_OUT:-$(mktemp -d -t bench-instr.XXXXXX)}
mkdir -p "$out"

for tool in valgrind callgrind_control; do
	if ! command -v "$tool" >/dev/null; then
		echo "$tool is not installed: apt-get update && apt-get install -y valgrind" >&2
		exit 1
	fi
done

sync=NORMAL
. "$(dirname "$0")/servers.sh"

# control ARGS...: callgrind_control on the server, failing loudly.
control() {
	if ! callgrind_control "$@" "${pids[-1]}" >>"$out/control.log" 2>&1; then
		echo "callgrind_control $* failed:" >&2
		tail -n 20 "$out/control.log" >&2
		exit 1
	fi
}

echo "callgrind, $n requests per operation after $warmup unrecorded, $conns connections, GOMAXPROCS=1; $rounds round(s)"
echo "callgrind output: $out"
results=$out/results.tsv
: >"$results"
for round in $(seq "$rounds"); do
	for v in $variants; do
		name=$v.$round
		start_server "$v" "$name" env GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off \
			valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/$name.cg"
		read -r _ url player token <<<"$ready"
		control --instr=on
		dumps=0
		for op in $ops; do
			"$client" -url "$url" -op "$op" -n "$warmup" -c "$conns" -player "$player" -token "$token"
			control --zero
			"$client" -url "$url" -op "$op" -n "$n" -c "$conns" -player "$player" -token "$token"
			control --dump="$op"
			dumps=$((dumps + 1))
			# callgrind numbers its dumps from 1 in the order they were asked.
			dump=$out/$name.cg.$dumps
			for _ in $(seq 100); do
				[ -s "$dump" ] && grep -qE '^(summary|totals):' "$dump" && break
				sleep 0.1
			done
			ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$dump")
			if [ -z "$ir" ]; then
				echo "$v $op: no instruction count in $dump" >&2
				exit 1
			fi
			printf '%s\t%s\t%s\t%s\n' "$op" "$v" "$((ir / n))" "$round" >>"$results"
			printf '  %-13s %-8s %12d instructions per request\n' "$op" "$v" "$((ir / n))"
		done
		stop_servers
	done
done

echo
echo "Medians over $rounds round(s); ratio = raw's instructions / the variant's (above 1: fewer than raw)"
for op in $ops; do
	awk -F'\t' -v op="$op" '$1 == op { print $2 "\t" $3 }' "$results" | sort -k1,1 -k2,2n | awk -F'\t' -v op="$op" -v order="$variants" '
		{ vals[$1] = vals[$1] " " $2 }
		END {
			nv = split(order, vs, " ")
			for (i = 1; i <= nv; i++) {
				v = vs[i]; k = split(vals[v], xs, " ")
				med[v] = (k % 2) ? xs[(k + 1) / 2] : (xs[k / 2] + xs[k / 2 + 1]) / 2
			}
			for (i = 1; i <= nv; i++) {
				v = vs[i]
				ratio = ("raw" in med) ? sprintf("   raw/variant %.3f", med["raw"] / med[v]) : ""
				printf "  %-13s %-8s %12.0f instructions per request%s\n", op, v, med[v], ratio
			}
		}'
done
