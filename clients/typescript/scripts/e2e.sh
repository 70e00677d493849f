#!/usr/bin/env bash
# Runs the compiled end-to-end test (build/test/e2e.test.js) against a live
# server: starts SERVER_BINARY on a free port (127.0.0.1:0) with a throwaway
# SQLite database and response validation on, waits for it, runs the test with
# NINJAGOLD_URL pointing at it, and stops it afterwards.
#
#   e2e.sh SERVER_BINARY                        # the test talks to the server
#   e2e.sh SERVER_BINARY PRISM_BINARY SPEC      # ... through `prism proxy SPEC <server> --errors`
#
# It fails when the test fails, when the server logs a response that breaks
# openapi.yaml, or, through Prism, when Prism reports any request or response
# violation (--errors turns them into error responses and "Request terminated
# with error" lines; warnings show up as "Violation:" lines).
set -euo pipefail

if [ $# -ne 1 ] && [ $# -ne 3 ]; then
	echo "usage: $0 SERVER_BINARY [PRISM_BINARY SPEC]" >&2
	exit 2
fi
server_bin=$(realpath "$1")
prism_bin=${2:+$(realpath "$2")}
spec=${3:+$(realpath "$3")}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ninjagold-e2e.XXXXXX")
server_pid=
prism_pid=

stop() { # stop PID: SIGTERM, then wait for it (SIGKILL after 10 s)
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local status=$?
	[ -z "$prism_pid" ] || stop "$prism_pid"
	[ -z "$server_pid" ] || stop "$server_pid"
	if [ "$status" -ne 0 ]; then
		for f in server.out server.log prism.log; do
			[ -s "$work/$f" ] || continue
			echo "----- $f (last 40 lines) -----" >&2
			tail -n 40 "$work/$f" >&2
		done
	fi
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for_url FILE PATTERN WHAT PID: prints the URL a process announced in FILE.
wait_for_url() {
	local file=$1 pattern=$2 what=$3 pid=$4 url i
	for i in $(seq 600); do
		url=$(sed -n "s#.*$pattern \(http://[^ ]*\).*#\1#p" "$file" | head -n 1)
		if [ -n "$url" ]; then
			echo "$url"
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "$what exited before listening" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "$what did not start listening within 60 s" >&2
	return 1
}

admin="e2e-admin-token-$$-$RANDOM"
NINJAGOLD_ADMIN_TOKEN="$admin" "$server_bin" \
	--addr 127.0.0.1:0 --db "$work/ninjagold.db" --validate-responses --log-flush 0 \
	>"$work/server.out" 2>"$work/server.log" &
server_pid=$!
url=$(wait_for_url "$work/server.out" "listening on" "the server" "$server_pid")
echo "server: $url (database $work/ninjagold.db)"

prism=0
if [ -n "$prism_bin" ]; then
	# Prism watches its spec and restarts (on a new port) when the file
	# changes; a snapshot keeps the run on the contract it started with.
	cp "$spec" "$work/openapi.yaml"
	"$prism_bin" proxy "$work/openapi.yaml" "$url" --errors --host 127.0.0.1 --port 0 >"$work/prism.log" 2>&1 &
	prism_pid=$!
	url=$(wait_for_url "$work/prism.log" "Prism is listening on" "prism" "$prism_pid")
	echo "prism:  $url -> server (prism proxy --errors)"
	prism=1
fi

status=0
(cd "$here" && NINJAGOLD_URL="$url" NINJAGOLD_PRISM="$prism" NINJAGOLD_ADMIN_TOKEN="$admin" \
	node --test --test-reporter=spec build/test/e2e.test.js) || status=$?

# --log-flush 0: each log line is in server.log before its response is
# sent, so the last requests' lines are there to grep too.
if grep -F "response breaks the contract" "$work/server.log" >&2; then
	echo "the server logged responses that break openapi.yaml (above)" >&2
	status=1
fi
if [ "$prism" = 1 ]; then
	if grep -E "Violation:|Request terminated with error|\[VALIDATOR\]" "$work/prism.log" >&2; then
		echo "prism reported contract violations (above)" >&2
		status=1
	else
		echo "prism: no request or response violations in $(grep -c 'Request received' "$work/prism.log" || true) requests"
	fi
fi
exit "$status"
