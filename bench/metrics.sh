#!/usr/bin/env bash
#
# metrics.sh - how long GET /metrics takes on an idle host
#
# Purpose:  start one host (API key and --metrics-key-env, as a scraped
#           host runs), optionally give it a benchmark result to expose
#           (a real `examples perf --duration 0.2 --no-disk`), then time
#           GET /metrics with the metrics key as a bearer, as Prometheus
#           sends it: N requests on one keep-alive connection and N on a
#           new connection each, after 20 warm-up requests. Prints the
#           body size and, per mode, median, p99, min and max in ms; the
#           raw samples go to results/. The target is a median under 5 ms.
# Usage:    bench/metrics.sh [-n REQUESTS] [-b PAGLETS_BINARY] [-r] [-h]
#             -n  requests per mode (default 200)
#             -b  the binary (default build/paglets)
#             -r  run the benchmark first, so the perf families are there
# Example:  bench/metrics.sh -n 500 -r
# Requires: curl.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -euo/d'
}

root=$(cd "$(dirname "$0")/.." && pwd)
n=200
bin="$root/build/paglets"
run=0
while getopts 'n:b:rh' opt; do
  case $opt in
    n) n=$OPTARG ;;
    b) bin=$OPTARG ;;
    r) run=1 ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "metrics.sh: no binary at $bin" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/paglets-metrics.XXXXXX")
pid=""
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export PAGLETS_API_KEY=bench-main-key BENCH_SCRAPE_KEY=bench-scrape-key
TMPDIR=$work XDG_RUNTIME_DIR=$work "$bin" host --name bench --port 0 \
  --mesh-version bench-metrics --metrics-key-env BENCH_SCRAPE_KEY \
  2>"$work/host.log" >/dev/null &
pid=$!
url=""
for _ in $(seq 100); do
  url=$(sed -n "s/.*listening on \(http[^ ]*\).*/\1/p" "$work/host.log")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "metrics.sh: the host did not start" >&2; exit 1; }
auth="Authorization: Bearer $BENCH_SCRAPE_KEY"

if [ "$run" = 1 ]; then
  PAGLETS_RESULTS_DB=$work/results.db TMPDIR=$work XDG_RUNTIME_DIR=$work \
    "$bin" examples perf --entry "$url" --duration 0.2 --no-disk >/dev/null
fi

# times_keepalive COUNT: one curl, COUNT requests on one connection.
times_keepalive() {
  local args=() _
  for _ in $(seq "$1"); do args+=(-o /dev/null "$url/metrics"); done
  curl -sS -m 60 -H "$auth" -w '%{time_total}\n' "${args[@]}"
}

# times_fresh COUNT: COUNT curls, a new connection each.
times_fresh() {
  local _
  for _ in $(seq "$1"); do
    curl -sS -m 10 -H "$auth" -o /dev/null -w '%{time_total}\n' "$url/metrics"
  done
}

# summary NAME FILE: median, p99, min and max of the seconds in FILE, in ms.
summary() {
  sort -g "$2" | awk -v name="$1" '{ v[NR] = $1 * 1000 }
    END {
      p99 = int(NR * 0.99 + 0.999); if (p99 > NR) p99 = NR
      med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%-10s n=%d  median %.3f ms  p99 %.3f ms  min %.3f ms  max %.3f ms\n",
        name, NR, med, v[p99], v[1], v[NR]
    }'
}

size=$(curl -sS -m 10 -H "$auth" "$url/metrics" | wc -c)
families=$(curl -sS -m 10 -H "$auth" "$url/metrics" | grep -c '^# TYPE ')
times_keepalive 20 >/dev/null
times_keepalive "$n" >"$work/keepalive"
times_fresh "$n" >"$work/fresh"

mkdir -p "$root/results"
samples="$root/results/$(date -u +%Y%m%dT%H%M%SZ)-metrics.txt"
{
  echo "# GET /metrics seconds; body $size bytes, $families families"
  sed 's/^/keepalive /' "$work/keepalive"
  sed 's/^/fresh /' "$work/fresh"
} >"$samples"
echo "GET /metrics: $size bytes, $families families (benchmark run first: $([ "$run" = 1 ] && echo yes || echo no))"
summary keepalive "$work/keepalive"
summary fresh "$work/fresh"
echo "raw samples: $samples"
