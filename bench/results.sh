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
#           Then whole `paglets examples perf` commands on a local host,
#           saved and with --no-save in turn (R repeats each): an empty
#           run (--no-cpu --no-memory --no-disk), where the write is most
#           of the difference, and a real one (--duration 0.2 --no-disk).
#           Raw samples go to results/<utc-time>-<git-sha>.json.
# Usage:    bench/results.sh [-n REPEATS] [-H HOSTS] [-d DIR] [-r RUNS] [-h]
#             -n  repeats after the warm-up (default 20)
#             -H  hosts in the summary (default 32)
#             -d  directory the database goes in (default: under build/);
#                 its filesystem decides what a commit costs
#             -r  whole commands of each kind, saved and not (default 10;
#                 0 skips them)
# Example:  bench/results.sh -n 20 -H 32 -r 10
# Requires: a Release build (made here with cmake), jq. Changes no
#           system setting; it reports the load.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -euo/d'
}

repeats=20
hosts=32
dir=""
runs=10
while getopts "n:H:d:r:h" opt; do
  case $opt in
    n) repeats=$OPTARG ;;
    r) runs=$OPTARG ;;
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
. "$root/bench/lib.sh"
build=$root/build
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" --target results_store paglets_cli >/dev/null
# Not under /tmp by default: the database sits where a user's home would.
mkdir -p "$build"
work=$(mktemp -d "$build/resultssh.XXXXXX")
pids=()
trap 'stop_hosts; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
[ -n "$dir" ] || dir=$work

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "filesystem of $dir: $(stat -f -c %T "$dir")"
"$build/bench/results_store" -n "$repeats" -H "$hosts" -d "$dir" -o "$work/wal.json"
"$build/bench/results_store" -n "$repeats" -H "$hosts" -d "$dir" -w -o "$work/rollback.json"

# start_host: one host on loopback; sets entry to its URL.
start_host() {
  local log=$work/host.log
  mkdir -p "$work/tmp"
  : >"$log"
  TMPDIR=$work/tmp XDG_RUNTIME_DIR=$work/tmp "$build/paglets" host --name bench \
    --port 0 --mesh-version bench-results >/dev/null 2>"$log" &
  pids+=("$!")
  for _ in $(seq 200); do
    entry=$(sed -n "s/.*host 'bench' listening on \(http[^ ]*\).*/\1/p" "$log")
    [ -n "$entry" ] && curl -fsS -m 1 "$entry/health" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "results.sh: the host did not start" >&2
  exit 1
}

# time_runs KIND ARGS...: one warm-up, then $runs commands saved and
# $runs with --no-save, in turn; "KIND saved MS" / "KIND no_save MS" lines.
time_runs() {
  local kind=$1 i mode start
  local -a save
  shift
  "$build/paglets" examples perf --entry "$entry" --db "$dir/runs.db" "$@" >/dev/null
  for i in $(seq "$runs"); do
    for mode in saved no_save; do
      save=()
      [ "$mode" = saved ] || save=(--no-save)
      start=$(date +%s%N)
      "$build/paglets" examples perf --entry "$entry" --db "$dir/runs.db" \
        "${save[@]}" "$@" >/dev/null
      echo "$kind $mode $(( ($(date +%s%N) - start) / 1000 ))"
    done
  done
}

# median min max (ms) of the samples of KIND MODE
run_stats() {
  awk -v k="$1" -v m="$2" '$1 == k && $2 == m {print $3 / 1000}' "$work/runs.txt" |
    sort -g | awk '{v[NR] = $1} END {
      if (NR == 0) exit
      med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%.1f ms (%.1f..%.1f)", med, v[1], v[NR]}'
}

: >"$work/runs.txt"
if [ "$runs" -gt 0 ]; then
  start_host
  time_runs empty --no-cpu --no-memory --no-disk >>"$work/runs.txt"
  time_runs real --duration 0.2 --no-disk >>"$work/runs.txt"
  echo "whole command on 1 host, median (min..max) of $runs:"
  for kind in empty real; do
    echo "  $kind run: saved $(run_stats "$kind" saved), --no-save $(run_stats "$kind" no_save)"
  done
fi

sha=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
mkdir -p "$root/results"
out=$root/results/$(date -u +%Y%m%dT%H%M%SZ)-$sha.json
jq -n --arg sha "$sha" --arg kernel "$(uname -r)" \
  --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
  --arg fs "$(stat -f -c %T "$dir")" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
  --slurpfile wal "$work/wal.json" --slurpfile rollback "$work/rollback.json" \
  --rawfile runs "$work/runs.txt" '
  {schema_version: 1, paglets_version: "0.1.0", git_sha: $sha,
   build_type: "Release", kernel: $kernel, cpu_model: $cpu,
   benchmark: "results database write and read of one run",
   filesystem: $fs, load_average: $load,
   samples: {wal: $wal[0], rollback: $rollback[0],
     commands_ms: [$runs | split("\n")[] | select(length > 0) | split(" ")
       | {run: .[0], mode: .[1], ms: (.[2] | tonumber / 1000)}]}}' >"$out"
echo "raw samples: $out"
