# Shared by load.sh, paired.sh and instr.sh (sourced): starting and stopping
# benchserver processes, and need_wrk. Needs bin (the benchserver), out (the
# output directory) and sync (SQLite synchronous) set.

# need_wrk exits unless wrk is installed.
need_wrk() {
	if ! command -v wrk >/dev/null; then
		echo "wrk is not installed: apt-get update && apt-get install -y wrk" >&2
		exit 1
	fi
}

pids=()

# stop_servers stops every server start_server started.
stop_servers() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	pids=()
}
trap stop_servers EXIT

# start_server VARIANT NAME [PINNING...]: start a benchserver (through
# PINNING, e.g. taskset -c 0, or any command that runs the rest of its
# arguments), its output in $out/NAME.server.*, and wait until it is ready;
# sets ready to its "ready <url> <player> <token>" line; its pid is
# ${pids[-1]}.
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
