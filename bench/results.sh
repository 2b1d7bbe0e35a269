#!/usr/bin/env bash
#
# results.sh - time a run's database write (the results database of
#              `paglets examples perf`)
#
# Purpose:  what saving a run adds to `paglets examples perf`: open the
#           results database, store a summary of H hosts (each a full
#           HostBenchmarkResult with one volume), close it; and what
#           `paglets results show` spends opening it and loading a run
#           back. Both journals: WAL (the default) and the rollback
#           journal (where WAL cannot work: network filesystems). One
#           warm-up, then N repeats each; prints median, min and max.
#           Raw samples go to results/<utc-time>-<git-sha>.json.
# Usage:    bench/results.sh [-n REPEATS] [-H HOSTS] [-d DIR] [-h]
#             -n  repeats after the warm-up (default 20)
#             -H  hosts in the summary (default 32)
#             -d  directory the database goes in (default: under build/);
#                 its filesystem decides what a commit costs
# Example:  bench/results.sh -n 20 -H 32
# Requires: a Release build (made here with cmake), jq. Changes no
#           system setting; it reports the load.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -euo/d'
}

repeats=20
hosts=32
dir=""
while getopts "n:H:d:h" opt; do
  case $opt in
    n) repeats=$OPTARG ;;
    H) hosts=$OPTARG ;;
    d) dir=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; exit 2; }
command -v jq >/dev/null || { echo "results.sh: needs jq: apt-get install jq" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" --target results_store >/dev/null
# Not under /tmp by default: the database sits where a user's home would.
mkdir -p "$build"
work=$(mktemp -d "$build/resultssh.XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -n "$dir" ] || dir=$work

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "filesystem of $dir: $(stat -f -c %T "$dir")"
"$build/bench/results_store" -n "$repeats" -H "$hosts" -d "$dir" -o "$work/wal.json"
"$build/bench/results_store" -n "$repeats" -H "$hosts" -d "$dir" -w -o "$work/rollback.json"

sha=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
mkdir -p "$root/results"
out=$root/results/$(date -u +%Y%m%dT%H%M%SZ)-$sha.json
jq -n --arg sha "$sha" --arg kernel "$(uname -r)" \
  --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
  --arg fs "$(stat -f -c %T "$dir")" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
  --slurpfile wal "$work/wal.json" --slurpfile rollback "$work/rollback.json" '
  {schema_version: 1, paglets_version: "0.1.0", git_sha: $sha,
   build_type: "Release", kernel: $kernel, cpu_model: $cpu,
   benchmark: "results database write and read of one run",
   filesystem: $fs, load_average: $load,
   samples: {wal: $wal[0], rollback: $rollback[0]}}' >"$out"
echo "raw samples: $out"
