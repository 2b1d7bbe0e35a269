#!/usr/bin/env bash
#
# sig.sh - what request signatures cost
#
# Purpose:  run bench/sig_cost: the signature codec alone (sign and check a
#           request, sign and check its reply; 1 KiB body), in ns per
#           operation, then sequential GET /health calls over one
#           keep-alive connection to an in-process host, without an API key
#           and with one (requests and replies signed), in us per request,
#           and the difference. One warm-up, then REPEATS runs of each;
#           prints median [min-max]. Also prints the load average, since the
#           figures move with it.
# Usage:    bench/sig.sh [-i ITERATIONS] [-n REQUESTS] [-r REPEATS] [-b BUILD_DIR] [-h]
#             -i  codec operations per run (default 20000)
#             -n  requests per run (default 2000)
#             -r  repeats (default 5, at most 50)
#             -b  build directory with bench/sig_cost (default build)
# Example:  bench/sig.sh -n 5000 -r 7
# Requires: a Release build (scripts/build).
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -euo/d'
}

root=$(cd "$(dirname "$0")/.." && pwd)
iterations=20000
requests=2000
repeats=5
build="$root/build"
while getopts 'i:n:r:b:h' opt; do
  case $opt in
    i) iterations=$OPTARG ;;
    n) requests=$OPTARG ;;
    r) repeats=$OPTARG ;;
    b) build=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
for v in "$iterations" "$requests" "$repeats"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "sig.sh: counts must be positive integers" >&2; exit 2; }
done
prog=$build/bench/sig_cost
[ -x "$prog" ] || { echo "sig.sh: $prog missing: build first" >&2; exit 2; }
echo "kernel: $(uname -r); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$prog" "$iterations" "$requests" "$repeats"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
