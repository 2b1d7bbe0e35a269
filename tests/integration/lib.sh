# Helpers for integration tests: run real `paglets host` processes on free
# loopback ports, wait for /health, and always kill them, even when the test
# fails, times out or is killed itself. Source from a test script:
#   . "$(dirname "$0")/lib.sh"
#   pg_start_host alpha --mesh-version t; url=$PG_URL
# Tests share nothing: every script gets its own temp dir and ports.
set -euo pipefail

PAGLETS_BIN=${PAGLETS_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/paglets}
# shellcheck source=jq_check.sh
. "$(dirname "${BASH_SOURCE[0]}")/jq_check.sh"
PG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/paglets-test.XXXXXX")
PG_PIDS=()
PG_TEST=$(basename "$0" .sh)
# Every `paglets examples perf` stores its run: in this test's own
# database, never in the home directory of whoever runs the tests.
export PAGLETS_RESULTS_DB=$PG_TMP/results.db

# pg_sanitizer_reports: the ASan, LSan, UBSan and TSan reports in the
# files directly under $PG_TMP (host logs, captured stderr), with the file
# each is in. A daemon's report lands in its log, not in its exit status
# (it is killed at the end), so only this finds it.
pg_sanitizer_reports() {
  local file
  while IFS= read -r -d '' file; do
    grep -qE 'WARNING: ThreadSanitizer|ERROR: (Address|Leak)Sanitizer|runtime error: ' "$file" || continue
    echo "--- $(basename "$file")"
    grep -m 1 -A 30 -E 'WARNING: ThreadSanitizer|ERROR: (Address|Leak)Sanitizer|runtime error: ' "$file"
  done < <(find "$PG_TMP" -maxdepth 1 -type f -size -16M -print0 2>/dev/null)
}

pg_cleanup() {
  local pid reports
  for pid in "${PG_PIDS[@]}"; do
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PG_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  reports=$(pg_sanitizer_reports)
  rm -rf "$PG_TMP"
  if [ -n "$reports" ]; then
    echo "FAIL $PG_TEST: sanitizer reports from the processes it ran" >&2
    echo "$reports" >&2
    exit 1
  fi
}
trap pg_cleanup EXIT
trap 'exit 129' HUP INT TERM

pg_fail() {
  echo "FAIL $PG_TEST: $*" >&2
  local log
  for log in "$PG_TMP"/*.log; do
    [ -f "$log" ] || continue
    echo "--- $(basename "$log") (last 20 lines)" >&2
    tail -n 20 "$log" >&2
  done
  exit 1
}

pg_log() { echo "# $*" >&2; }

# pg_skip REASON: this machine cannot run the test (no root, no namespaces):
# say why and exit 77, which CTest counts as skipped (SKIP_RETURN_CODE in
# tests/CMakeLists.txt), never as passed; .ci/run fails on a skip outside
# its allow-list. A tool scripts/bootstrap installs is never a reason:
# its absence is a failure (pg_fail).
pg_skip() {
  echo "SKIP $PG_TEST: $*"
  exit 77
}

# pg_skip_if_sanitized WHAT: skip when PAGLETS_BIN runs under ASan or TSan,
# whose shadow memory and quarantines make WHAT (a memory figure) mean
# nothing. The runtime is linked dynamically (gcc) or statically (clang):
# look in both symbol tables.
pg_skip_if_sanitized() {
  local symbols
  symbols=$({ nm -D "$PAGLETS_BIN"; nm "$PAGLETS_BIN"; } 2>/dev/null || true)
  if grep -qwE '__(asan|tsan)_init' <<<"$symbols"; then
    pg_skip "sanitizer build, $1 is not meaningful"
  fi
}

# Watch the test shell: if it dies (even by SIGKILL from a CTest timeout),
# kill the host too, so no daemon outlives its test.
pg_guard() {
  local pid=$1 shell=$$
  (trap '' HUP; while kill -0 "$shell" 2>/dev/null; do sleep 1; done;
   kill -KILL "$pid" 2>/dev/null) >/dev/null 2>&1 &
  disown
}

# pg_start_host NAME [HOST OPTIONS...]: start a host on an ephemeral
# loopback port and return once /health answers. Its URL is stored in
# PG_URL and PG_URL_<NAME>, its pid in PG_PID_<NAME>; its stderr goes to
# $PG_TMP/NAME.log. Call it in the test's shell, never in $(...): a
# subshell would lose the pid, and the exit trap could not stop the host.
pg_start_host() {
  local name=$1
  shift
  local log="$PG_TMP/$name.log"
  # The log must exist before the child gets to open it: under load the
  # sed below can run first, and a missing file would end the script
  # silently (set -e with pipefail).
  : >"$log"
  # stdout goes elsewhere too: a daemon holding the test's stdout would
  # keep a caller's pipe open until the host exits.
  "$PAGLETS_BIN" host --name "$name" --port 0 "$@" >/dev/null 2>"$log" &
  local pid=$!
  PG_PIDS+=("$pid")
  pg_guard "$pid"
  printf -v "PG_PID_${name//[^A-Za-z0-9_]/_}" %s "$pid"
  local url="" i
  for i in $(seq 100); do
    url=$(sed -n "s/.*host '$name' listening on \(http[^ ]*\).*/\1/p" "$log" | head -n 1)
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || pg_fail "host $name exited during start"
    sleep 0.1
  done
  [ -n "$url" ] || pg_fail "host $name did not report its URL"
  pg_wait_health "$url" || pg_fail "host $name at $url never answered /health"
  # shellcheck disable=SC2034 # read by the tests
  PG_URL=$url
  printf -v "PG_URL_${name//[^A-Za-z0-9_]/_}" %s "$url"
}

# pg_start_python NAME [ARGS...]: run the python3 program read from stdin
# in the background (a fake peer or client; killed with the hosts) with
# ARGS, and return once it has called announce(PORT), which it must do
# when it listens. Its URL is stored in PG_PY_URL (http://127.0.0.1:PORT).
pg_start_python() {
  local name=$1
  shift
  local prog="$PG_TMP/$name.py" portfile="$PG_TMP/$name.port"
  {
    cat <<'PRELUDE'
import os
def announce(port):
    path = os.environ["PG_PORT_FILE"]
    with open(path + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(path + ".tmp", path)
PRELUDE
    cat
  } >"$prog"
  PG_PORT_FILE=$portfile python3 "$prog" "$@" &
  PG_PIDS+=("$!")
  pg_guard "$!"
  pg_wait_for 20 test -s "$portfile" || pg_fail "$name did not start"
  # shellcheck disable=SC2034 # read by the tests
  PG_PY_URL="http://127.0.0.1:$(cat "$portfile")"
}

# pg_sig ARGS...: tests/integration/pgsig.py, requests signed as paglets
# signs them and a fake host (see its --help). The system's python3 when
# there is one: a version manager's shim can cost half a second a call.
PG_SIG="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pgsig.py"
PG_PYTHON=python3
[ -x /usr/bin/python3 ] && PG_PYTHON=/usr/bin/python3
pg_sig() { "$PG_PYTHON" "$PG_SIG" "$@"; }

# pg_get URL: GET URL and print the reply body; non-zero on a transport
# error or a status that is not 2xx (as curl -f). With $PAGLETS_API_KEY
# set the request is signed as paglets clients sign theirs (pgsig.py);
# https is verified against $PG_CA, else $PAGLETS_TLS_CA when set (PG_CA
# lets a test start a host without PAGLETS_TLS_CA and still reach it).
pg_get() {
  local ca=${PG_CA:-${PAGLETS_TLS_CA:-}}
  if [ -n "${PAGLETS_API_KEY:-}" ]; then
    PG_KEY=$PAGLETS_API_KEY pg_sig request --fail --timeout 2 \
      ${ca:+--cacert "$ca"} GET "$1"
  else
    curl -fsS -m 2 ${ca:+--cacert "$ca"} "$1"
  fi
}

# pg_wait_health URL [TRIES]: wait until /health answers 200 (0.1 s steps).
pg_wait_health() {
  local url=$1 tries=${2:-100} i
  for i in $(seq "$tries"); do
    pg_get "$url/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# pg_wait_for SECONDS COMMAND...: retry COMMAND every 0.1 s until it
# succeeds or SECONDS pass; returns its last status.
pg_wait_for() {
  local deadline=$(( $(date +%s%N) + ${1%.*} * 1000000000 ))
  shift
  until "$@"; do
    [ "$(date +%s%N)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

# pg_expect_eq WHAT EXPECTED ACTUAL
pg_expect_eq() {
  [ "$2" = "$3" ] || pg_fail "$1: expected '$2', got '$3'"
}

# pg_expect_match WHAT REGEX TEXT
pg_expect_match() {
  [[ $3 =~ $2 ]] || pg_fail "$1: '$3' does not match /$2/"
}

pg_pass() { echo "PASS $PG_TEST"; }

# PAGLETS_TEST_SKIP=REGEX: a test whose name matches skips at once. Only
# for checking the checks: .ci/run forces a skip to see .ci/skips fail.
if [ -n "${PAGLETS_TEST_SKIP:-}" ] && [[ $PG_TEST =~ $PAGLETS_TEST_SKIP ]]; then
  pg_skip "forced by PAGLETS_TEST_SKIP"
fi
