# Shared by load.sh and paired.sh (sourced): wrk's presence, and starting
# and stopping benchserver processes. Needs bin (the benchserver), out (the
# output directory) and sync (SQLite synchronous) set.

if ! command -v wrk >/dev/null; then
	echo "wrk is not installed: apt-get update && apt-get install -y wrk" >&2
	exit 1
fi

pids=()

# stop_servers stops every server start_server started.
stop_servers() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	pids=()
}
trap stop_servers EXIT

# start_server VARIANT NAME [PINNING...]: start a benchserver (through
# PINNING, e.g. taskset -c 0), its output in $out/NAME.server.*, and wait
# until it is ready; sets ready to its "ready <url> <player> <token>" line.
start_server() {
	local variant=$1 name=$2
	shift 2
	"$@" "$bin" -variant "$variant" -sqlite-synchronous "$sync" ${LOAD_SQLITE_SHARED:+-sqlite-shared} >"$out/$name.server.out" 2>"$out/$name.server.err" &
	pids+=($!)
	ready=
	for _ in $(seq 300); do
		ready=$(grep -m1 '^ready ' "$out/$name.server.out" || true)
		[ -n "$ready" ] && return
		kill -0 "${pids[-1]}" 2>/dev/null || break
		sleep 0.1
	done
	echo "$variant: benchserver did not start:" >&2
	cat "$out/$name.server.err" >&2
	exit 1
}
