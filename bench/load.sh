#!/usr/bin/env bash
#
# load.sh - one host under concurrent load on loopback
#
# Purpose:  start one `paglets host` on an ephemeral loopback port and drive
#           it with bench/loadgen (bounded: a fixed number of requests, a
#           fixed number in flight, a per-request timeout):
#             1. /health with 1,000 requests in flight
#             2. EchoAgent "echo" operation calls with 200 in flight
#           and print, per phase, failures (transport errors and non-2xx)
#           and p50/p99/max latency; then the host's RSS when idle before
#           the load (after a warm-up burst) and again once it is idle after
#           it (limit: +10%); the cold figure before the warm-up is printed
#           too.
#           The host runs with --max-connections 1100 (default 256, which
#           would refuse most of 1,000 simultaneous connections by design).
# Usage:    bench/load.sh [-n REQUESTS] [-b BUILD_DIR] [-h]
#             -n  requests per phase (default 20000)
#             -b  build directory with paglets and bench/loadgen (default build)
# Example:  bench/load.sh -n 50000
# Requires: a Release build (cmake --build build), curl and jq.
#           Raises the open-file limit of its own shell to 8192.
# Exit:     0 when no request failed and RSS is back within 10%, else 1.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -euo/d'
}

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../tests/integration/jq_check.sh
. "$root/tests/integration/jq_check.sh"
requests=20000
build="$root/build"
while getopts 'n:b:h' opt; do
  case $opt in
    n) requests=$OPTARG ;;
    b) build=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
[[ $requests =~ ^[1-9][0-9]*$ ]] || { echo "load.sh: -n must be a positive integer" >&2; exit 2; }
paglets=$build/paglets
loadgen=$build/bench/loadgen
for bin in "$paglets" "$loadgen"; do
  [ -x "$bin" ] || { echo "load.sh: $bin missing: build first" >&2; exit 2; }
done
ulimit -n 8192

tmp=$(mktemp -d "${TMPDIR:-/tmp}/paglets-load.XXXXXX")
pid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

"$paglets" host --name load --port 0 --no-mesh --test-agents --max-connections 1100 \
  >/dev/null 2>"$tmp/host.log" &
pid=$!
url=""
for _ in $(seq 100); do
  url=$(sed -n "s/.*host 'load' listening on \(http[^ ]*\).*/\1/p" "$tmp/host.log" | head -n 1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "load.sh: host did not start" >&2; cat "$tmp/host.log" >&2; exit 1; }

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }
threads() { awk '/^Threads:/ {print $2}' "/proc/$pid/status"; }
# wait_idle: until the host is down to its idle threads (main, listener,
# connection watchdog), i.e. every connection and agent thread has ended, so
# RSS is read with nothing running (up to 10 s; it usually takes well
# under one).
wait_idle() {
  local _
  for _ in $(seq 100); do
    [ "$(threads)" -le 3 ] && return 0
    sleep 0.1
  done
  echo "load.sh: warning: host still has $(threads) threads" >&2
}

agent=$(curl -fsS -m 10 -H 'Content-Type: application/json' \
  -d '{"agent_class_name":"EchoAgent"}' "$url/agents" | pg_jq_check -r .agent_id)
wait_idle
cold=$(rss_kib)
# Warm up at full concurrency: glibc creates its per-thread malloc arenas
# (at most 8 per core) on first use and keeps them; that one-time growth is
# reported as cold -> warm, the 10% limit applies to warm -> after.
"$loadgen" "$url/health" 2000 1000 30 >/dev/null
wait_idle
idle=$(rss_kib)
echo "host $url pid $pid: rss cold ${cold} KiB, warm idle ${idle} KiB, $(threads) threads"

status=0
peak_threads() { # sample the host's thread count until told to stop
  local peak=0 n
  while [ ! -e "$tmp/stop" ]; do
    n=$(threads) && [ "$n" -gt "$peak" ] && peak=$n
    echo "$peak" >"$tmp/peak"
    sleep 0.05
  done
}
peak_threads &
echo "phase 1: GET /health, $requests requests, 1000 in flight"
"$loadgen" "$url/health" "$requests" 1000 30 || status=1
touch "$tmp/stop"
wait $!
echo "  peak host threads: $(cat "$tmp/peak")"
echo "phase 2: EchoAgent echo calls, $requests requests, 200 in flight"
"$loadgen" "$url/agents/$agent/messages" "$requests" 200 30 \
  '{"message":{"kind":"echo","args":{"payload":"0123456789abcdef"}}}' || status=1

# Connections close when the load generator exits; threads end with them.
wait_idle
after=$(rss_kib)
limit=$((idle + idle / 10))
echo "rss warm idle ${idle} KiB, after ${after} KiB (limit ${limit} KiB), $(threads) threads"
if [ "$after" -gt "$limit" ]; then
  echo "load.sh: RSS did not return within 10% of idle" >&2
  status=1
fi
curl -fsS -m 5 "$url/health" >/dev/null || { echo "load.sh: host stopped serving" >&2; status=1; }
exit "$status"
