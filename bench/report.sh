#!/usr/bin/env bash
#
# report.sh - size of the HTML report of a real run and the time to write it
#
# Purpose:  start H hosts on loopback (one mesh), run the real benchmark
#           once across them (`paglets examples perf --html`, stored in a
#           run database of its own), then print the report's size in
#           bytes (and gzipped) and what writing it costs: N times
#           `paglets results show last --html FILE` against N times
#           `paglets results show last` (the table to /dev/null), after a
#           warm-up each; the difference of the medians is the report
#           (charts, tables, the atomic write with its fsync). Prints
#           median, min and max.
# Usage:    bench/report.sh [-H HOSTS] [-n REPEATS] [-d SECONDS] [-h]
#             -H  hosts in the mesh (default 8)
#             -n  repeats after the warm-up (default 20)
#             -d  --duration of the run (default 0.2; disks at 8M)
# Example:  bench/report.sh -H 8 -n 20
# Requires: a Release build (made here with cmake), jq, curl, gzip, free
#           loopback ports. Changes no system setting; it reports the load.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -euo/d'
}

hosts=8
repeats=20
duration=0.2
while getopts "H:n:d:h" opt; do
  case $opt in
    H) hosts=$OPTARG ;;
    n) repeats=$OPTARG ;;
    d) duration=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
bin=$root/build/paglets
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j "$(nproc)" --target paglets_cli >/dev/null
# Not under /tmp: a shared machine's cleaners must not remove it mid-run.
work=$(mktemp -d "$root/build/reportsh.XXXXXX")
pids=()
mkdir -p "$work/tmp"
export PAGLETS_RESULTS_DB=$work/results.db

trap 'stop_hosts; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# timed ARGS...: ms one command takes (its stdout to /dev/null).
timed() {
  local start
  start=$(now_ns)
  "$@" >/dev/null
  echo "$(( $(now_ns) - start ))" | awk '{printf "%.3f\n", $1 / 1e6}'
}

start_mesh "$hosts" bench-report
rc=0
start=$(now_ns)
"$bin" examples perf --entry "$entry" --duration "$duration" --disk-size 8M \
  --path "$work" --html "$work/run.html" >"$work/table.txt" 2>"$work/err" || rc=$?
run_ms=$(( ($(now_ns) - start) / 1000000 ))
[ "$rc" -le 1 ] || { echo "report.sh: run failed ($rc): $(cat "$work/err")" >&2; exit 1; }
stop_hosts
measured=$(grep -c '<g><title>' "$work/run.html" || true)

timed "$bin" results show last --html "$work/show.html" >/dev/null
timed "$bin" results show last >/dev/null
for _ in $(seq "$repeats"); do
  timed "$bin" results show last --html "$work/show.html" >>"$work/html.ms"
  timed "$bin" results show last >>"$work/table.ms"
done
cmp -s "$work/run.html" "$work/show.html" || echo "report.sh: warning: the shown report differs from the run's" >&2
read -r hm hmin hmax < <(stats %.2f <"$work/html.ms")
read -r tm tmin tmax < <(stats %.2f <"$work/table.ms")

echo "report.sh: $hosts hosts on loopback, one run (--duration $duration --disk-size 8M --path <work dir>), exit status $rc, ${run_ms} ms"
echo "  load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $(git -C "$root" rev-parse --short HEAD)"
printf "  %-44s %s\n" "report size (bytes)" "$(wc -c <"$work/run.html")"
printf "  %-44s %s\n" "report size gzipped (bytes)" "$(gzip -9c "$work/run.html" | wc -c)"
printf "  %-44s %s\n" "charts / host rows in them" "$(grep -c '<svg ' "$work/run.html") / $measured"
printf "  %-44s %s\n" "results show --html FILE (ms: med min max)" "$hm $hmin $hmax"
printf "  %-44s %s\n" "results show, table (ms: med min max)" "$tm $tmin $tmax"
printf "  %-44s %s\n" "writing the report (ms, difference of medians)" \
  "$(awk -v a="$hm" -v b="$tm" 'BEGIN {printf "%.2f", a - b}')"
