#!/usr/bin/env bash
#
# trickle.sh - /health under 1,000 slow-header connections
#
# Purpose:  start one `paglets host` with its default limits on an ephemeral
#           loopback port; hold CONNECTIONS connections to it from ADDRESSES
#           loopback source addresses (127.0.0.2 ...) with bench/trickle,
#           each trickling one header line every INTERVAL ms and never
#           ending its headers, reopened at once whenever the host closes
#           it; meanwhile measure other clients' GET /health from
#           127.0.0.1 with bench/loadgen: one warm-up run, then REPEATS runs
#           of REQUESTS requests, 4 in flight, 5 s timeout each. Prints per
#           run the share answered and p50/p99/max latency, then median, min
#           and max over the runs, the host's connection counters (evicted,
#           header timeouts, refused per address) and its RSS and threads.
#           Target (issue 11): >= 99% answered and p99 <= 100 ms (medians).
# Usage:    bench/trickle.sh [-c CONNECTIONS] [-a ADDRESSES] [-i INTERVAL_MS]
#                            [-n REQUESTS] [-r REPEATS] [-b BUILD_DIR] [-h]
#             -c  slow connections held (default 1000)
#             -a  source addresses they come from (default 100; at most 250)
#             -i  ms between two header lines of one connection (default 1000)
#             -n  /health requests per run (default 2000)
#             -r  measured runs after the warm-up (default 5)
#             -b  build directory with paglets and bench/ (default build)
# Example:  bench/trickle.sh -c 1000 -a 100 -r 5
# Requires: a Release build (scripts/build), curl and jq; Linux loopback
#           answers for all of 127.0.0.0/8 (the default). Raises the
#           open-file limit of its own shell to 8192. Changes no system
#           setting.
# Exit:     0 when the medians meet the target, 1 when not, 2 on usage.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -euo/d'
}

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/integration/jq_check.sh
. "$root/tests/integration/jq_check.sh"
conns=1000 addresses=100 interval=1000 requests=2000 repeats=5
build="$root/build"
while getopts 'c:a:i:n:r:b:h' opt; do
  case $opt in
    c) conns=$OPTARG ;;
    a) addresses=$OPTARG ;;
    i) interval=$OPTARG ;;
    n) requests=$OPTARG ;;
    r) repeats=$OPTARG ;;
    b) build=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
for v in "$conns" "$addresses" "$interval" "$requests" "$repeats"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "trickle.sh: options take positive integers" >&2; exit 2; }
done
paglets=$build/paglets trickle=$build/bench/trickle loadgen=$build/bench/loadgen
for bin in "$paglets" "$trickle" "$loadgen"; do
  [ -x "$bin" ] || { echo "trickle.sh: $bin missing: build first" >&2; exit 2; }
done
ulimit -n 8192

tmp=$(mktemp -d "${TMPDIR:-/tmp}/paglets-trickle.XXXXXX")
pid="" tpid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  [ -n "$tpid" ] && kill "$tpid" 2>/dev/null
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

"$paglets" host --name trickle --port 0 --no-mesh >/dev/null 2>"$tmp/host.log" &
pid=$!
url=""
for _ in $(seq 100); do
  url=$(sed -n "s/.*host 'trickle' listening on \(http[^ ]*\).*/\1/p" "$tmp/host.log" | head -n 1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "trickle.sh: host did not start" >&2; cat "$tmp/host.log" >&2; exit 1; }

# The attackers run for as long as the measurement could take, then end.
"$trickle" "${url##*:}" "$conns" "$addresses" 3600 "$interval" >"$tmp/trickle.out" 2>&1 &
tpid=$!
for _ in $(seq 300); do
  grep -q '^ready' "$tmp/trickle.out" && break
  kill -0 "$tpid" 2>/dev/null || { cat "$tmp/trickle.out" >&2; exit 1; }
  sleep 0.1
done
grep -q '^ready' "$tmp/trickle.out" || { echo "trickle.sh: connections never opened" >&2; exit 1; }

echo "# host $url (defaults: --max-connections 256, --max-connections-per-address 16, --header-timeout 10)"
echo "# $conns slow connections from $addresses addresses, a header line every $interval ms; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$loadgen" "$url/health" 200 4 5 >/dev/null 2>&1 || true # warm-up
answered=() p99=()
for run in $(seq "$repeats"); do
  line=$("$loadgen" "$url/health" "$requests" 4 5 2>/dev/null) || true
  done_n=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$line")
  failed=$(sed -n 's/.*failed=\([0-9]*\).*/\1/p' <<<"$line")
  [ -n "$done_n" ] || { echo "trickle.sh: loadgen printed nothing" >&2; exit 1; }
  share=$(awk -v d="$done_n" -v f="$failed" 'BEGIN {printf "%.2f", 100 * (d - f) / d}')
  answered+=("$share")
  p99+=("$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' <<<"$line")")
  echo "run $run: answered $share%  $(grep -o 'p50_ms=.*' <<<"$line")"
done
# stats VALUES...: "median M (min A, max B)".
stats() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "median %s (min %s, max %s)", m, v[1], v[NR]}'
}
echo "answered %: $(stats "${answered[@]}")"
echo "p99 ms:     $(stats "${p99[@]}")"
counters=$(curl -fsS -m 5 "$url/health" 2>/dev/null | pg_jq_check -c '.connections' 2>/dev/null) ||
  counters="(no answer)"
echo "host counters: $counters"
awk '/^(VmRSS|VmHWM|Threads):/ {printf "%s %s %s  ", $1, $2, $3} END {print ""}' "/proc/$pid/status"
if kill "$tpid" 2>/dev/null; then wait "$tpid" 2>/dev/null || true; fi
tpid=""
median() { stats "$@" | awk '{print $2}'; }
awk -v a="$(median "${answered[@]}")" -v p="$(median "${p99[@]}")" \
  'BEGIN {ok = a >= 99 && p <= 100; print ok ? "target met" : "target NOT met"; exit !ok}'
