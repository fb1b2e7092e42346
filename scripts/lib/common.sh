# Shared helpers for scripts/quickstart and scripts/test (source it; do not execute it).
# Everything listens on 127.0.0.1 only; every wait is bounded.

CENSUS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

say() { printf 'census: %s\n' "$*" >&2; }
die() { printf 'census: error: %s\n' "$*" >&2; exit 1; }

# port_busy PORT -> success when something accepts TCP connections on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port -> prints a port nobody listens on (the kernel picks it).
free_port() {
  python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# wait_http URL SECONDS [PID] -> success once URL answers 2xx; fails early when PID (if given) has exited.
wait_http() {
  local url=$1 secs=$2 pid=${3:-} i
  for ((i = 0; i < secs * 5; i++)); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.2
  done
  return 1
}

# wait_first_line FILE SECONDS PID -> prints the first line of FILE once it is complete.
wait_first_line() {
  local file=$1 secs=$2 pid=$3 i
  for ((i = 0; i < secs * 10; i++)); do
    if [ -s "$file" ] && [ "$(wc -l <"$file")" -ge 1 ]; then head -n 1 "$file"; return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# Processes started by the calling script, stopped in reverse order by stop_all.
STARTED_PIDS=()
STARTED_NAMES=()
track() { STARTED_PIDS+=("$1"); STARTED_NAMES+=("$2"); }

# stop_pid PID NAME [SECONDS]: SIGTERM, wait up to SECONDS (default 30), then SIGKILL.
stop_pid() {
  local pid=$1 name=$2 secs=${3:-30} i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  say "$name (pid $pid) did not stop within ${secs}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_all() {
  local i
  for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do
    stop_pid "${STARTED_PIDS[$i]}" "${STARTED_NAMES[$i]}"
  done
  STARTED_PIDS=()
  STARTED_NAMES=()
}

# build_census -> builds the release binary and prints its path on stdout (build output goes to stderr).
build_census() {
  local log=$1
  if [ -x "$CENSUS_ROOT/.build/release/census" ]; then
    say "building census (release; incremental)"
  else
    say "building census (release). The first build takes several minutes on 2 cores; output: $log"
  fi
  bash "$CENSUS_ROOT/scripts/lib/build-stamp.sh" "$CENSUS_ROOT" || say "no build stamp (census --version will say unknown)"
  if ! (cd "$CENSUS_ROOT" && swift build -c release 2>&1 | tee "$log" >&2; exit "${PIPESTATUS[0]}"); then
    die "swift build -c release failed (full log: $log)"
  fi
  local bin
  bin=$(cd "$CENSUS_ROOT" && swift build -c release --show-bin-path)/census
  [ -x "$bin" ] || die "build finished but $bin is missing"
  printf '%s\n' "$bin"
}

# start_clickhouse DIR HTTP_PORT TCP_PORT -> prints the PID (scripts/lib/clickhouse.sh does the waiting).
start_clickhouse() {
  bash "$CENSUS_ROOT/scripts/lib/clickhouse.sh" "$@"
}
