#!/usr/bin/env bash
#
# perf.sh - whole-command wall time of `paglets examples perf` on local meshes
#
# Purpose:  start N hosts on loopback (one mesh), then time the complete
#           `paglets examples perf --entry URL` command, process start to
#           exit, after one warm-up run:
#             empty run (--no-cpu --no-memory --no-disk) on 2, 32, 128 hosts
#               targets (issue 15): 2 hosts <= 20 ms; 128 hosts <= 0.5 s
#             --duration 0.2 --no-disk on 2 hosts
#               target: wall <= kernel time + 100 ms, where kernel time is
#               the sum of every kernel's duration_seconds in the summary
#               (hosts on one machine run one after the other; set-up,
#               setup_seconds, counts as overhead)
#               target: each host's peak RSS (VmHWM) <= its two DRAM
#               buffers (memory-copy-dram's bytes per copy) + 32 MiB
#           The same benchmark run alone, by build/bench/perf_kernels in
#           this process tree (no host, no agent), is timed as well: two of
#           it are the floor of the 2-host run, the rest is mesh overhead.
#           Prints median, min and max of N repeats, plus each host's time
#           from exec to its first /health answer and its idle RSS. Raw
#           samples go to results/<utc-time>-<git-sha>.json.
#           Each target is printed with "met" or "NOT met".
# Usage:    bench/perf.sh [-n REPEATS] [-s SIZES] [-b BIN] [-h]
#             -n  repeats after the warm-up (default 5)
#             -s  host counts of the empty run (default "2 32 128")
#             -b  the paglets binary to time (default build/paglets, built
#                 here), e.g. an older build for a before column
# Example:  bench/perf.sh -n 5 -s "2 32 128"
# Requires: a Release build (made here with cmake), jq, curl, free
#           loopback ports. Changes no system setting; it reports the load.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -euo/d'
}

repeats=5
sizes="2 32 128"
bin=""
while getopts "n:s:b:h" opt; do
  case $opt in
    n) repeats=$OPTARG ;;
    s) sizes=$OPTARG ;;
    b) bin=$(realpath "$OPTARG") ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
own_bin=false
[ -n "$bin" ] || { bin=$root/build/paglets; own_bin=true; }
# Not under /tmp: a shared machine's cleaners must not remove it mid-run.
mkdir -p "$root/build"
work=$(mktemp -d "$root/build/perfsh.XXXXXX")
pids=()
samples=$work/samples.txt
# The hosts' temp dir, also their XDG_RUNTIME_DIR: their benchmark lock
# lives there (in paglets/).
mkdir -p "$work/tmp"
: >"$samples"

trap 'stop_hosts; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

figure() {
  awk -v k="$1" '$1 == k {print $2}' "$samples" | stats
}

record_rss() {
  local pid
  for pid in "${pids[@]}"; do
    awk '/^VmRSS:/ {printf "host_rss_mb %.1f\n", $2 / 1024}' \
      "/proc/$pid/status" >>"$samples"
  done
}

# record_peak: each host's peak RSS so far (VmHWM), in MiB.
record_peak() {
  local pid
  for pid in "${pids[@]}"; do
    awk '/^VmHWM:/ {printf "host_peak_mib %.1f\n", $2 / 1024}' \
      "/proc/$pid/status" >>"$samples"
  done
}

# run_perf KEY ARGS...: one timed command; the JSON summary is kept.
# --no-save: the run database is timed by bench/results.sh (against an
# empty run it is as much again), and the runs of a bench are no user's.
run_perf() {
  local key=$1 start end rc=0
  shift
  start=$(now_ns)
  "$bin" examples perf --entry "$entry" --json --no-save "$@" >"$work/out.json" \
    2>"$work/err" || rc=$?
  end=$(now_ns)
  if [ "$rc" -ne 0 ]; then
    echo "perf.sh: run failed ($rc): $(cat "$work/err")" >&2
    exit 1
  fi
  echo "$key $(( (end - start) / 1000 ))" |
    awk '{printf "%s %.3f\n", $1, $2 / 1000}' >>"$samples"
}

# time_alone ARGS...: one host's benchmark without host or agent.
time_alone() {
  local start
  start=$(now_ns)
  TMPDIR=$work/tmp XDG_RUNTIME_DIR=$work/tmp "$root/build/bench/perf_kernels" "$@" >/dev/null
  echo "alone_ms $(( ($(now_ns) - start) / 1000 ))" |
    awk '{printf "%s %.3f\n", $1, $2 / 1000}' >>"$samples"
}

# scenario KEY HOSTS ARGS...: warm-up, then the repeats.
scenario() {
  local key=$1 n=$2 i
  shift 2
  start_mesh "$n" bench-perf
  record_rss
  run_perf warmup "$@"
  for i in $(seq 1 "$repeats"); do
    run_perf "$key" "$@"
    if [ "$key" = duration_0.2_2 ]; then
      jq '[.results[].result | (.cpu.single_core[]?, .cpu.multi_core[]?,
           .memory.metrics[]?) | .duration_seconds] | add * 1000' \
        "$work/out.json" | awk '{print "kernel_ms", $1}' >>"$samples"
      # The two DRAM buffers of a host: bytes per copy of memory-copy-dram.
      jq '[.results[].result.memory.metrics[]? | select(.name == "memory-copy-dram")
           | .bytes_processed / .operations * 2 / 1048576] | max' \
        "$work/out.json" | awk '{print "dram_buffers_mib", $1}' >>"$samples"
      time_alone "$@"
    fi
  done
  [ "$key" != duration_0.2_2 ] || record_peak
  stop_hosts
}

[ -x "$root/build/paglets" ] || cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
targets=(perf_kernels)
! $own_bin || targets+=(paglets_cli)
cmake --build "$root/build" -j "$(nproc)" --target "${targets[@]}" >/dev/null
# 128 hosts hold a few thousand descriptors between them, each its own.
ulimit -n 4096 2>/dev/null || true
echo "binary: $bin"
echo "machine: $(nproc) logical CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "kernel: $(uname -r); load: $(cut -d' ' -f1-3 /proc/loadavg); repeats: $repeats"

for n in $sizes; do
  echo "empty run on $n hosts..."
  scenario "empty_$n" "$n" --no-cpu --no-memory --no-disk
done
echo "--duration 0.2 --no-disk on 2 hosts..."
scenario duration_0.2_2 2 --duration 0.2 --no-disk

echo
echo "wall time of 'paglets examples perf --entry URL' (ms; median min max):"
for n in $sizes; do
  printf "  %-34s %s\n" "--no-cpu --no-memory --no-disk, $n" "$(figure "empty_$n")"
done
printf "  %-34s %s\n" "--duration 0.2 --no-disk, 2" "$(figure duration_0.2_2)"
printf "  %-34s %s\n" "  its kernel time" "$(figure kernel_ms)"
paste <(awk '$1 == "duration_0.2_2" {print $2}' "$samples") \
  <(awk '$1 == "kernel_ms" {print $2}' "$samples") |
  awk '{print $1 - $2}' | stats | xargs printf "  %-34s %s %s %s\n" "  overhead over kernel time"
printf "  %-34s %s\n" "  one host's benchmark alone" "$(figure alone_ms)"
paste <(awk '$1 == "duration_0.2_2" {print $2}' "$samples") \
  <(awk '$1 == "alone_ms" {print $2}' "$samples") |
  awk '{print $1 - 2 * $2}' | stats |
  xargs printf "  %-34s %s %s %s\n" "  overhead over 2 x alone"
printf "  %-34s %s\n" "host exec to first /health (ms)" "$(figure host_start_ms)"
printf "  %-34s %s\n" "host idle RSS (MB)" "$(figure host_rss_mb)"
printf "  %-34s %s\n" "host peak RSS, 0.2 s run (MiB)" "$(figure host_peak_mib)"
printf "  %-34s %s\n" "  its two DRAM buffers (MiB)" "$(figure dram_buffers_mib)"

# verdict NAME VALUE LIMIT UNIT: "met" when VALUE <= LIMIT.
verdict() {
  awk -v n="$1" -v v="$2" -v l="$3" -v u="$4" 'BEGIN {
    printf "  %-44s %10.1f %-3s <= %8.1f %-3s %s\n", n, v, u, l, u,
      (v <= l ? "met" : "NOT met")}'
}
echo
echo "targets (issue 15; medians, peak: the highest host):"
for n in $sizes; do
  case $n in
    2) verdict "empty run, 2 hosts" "$(figure empty_2 | cut -d' ' -f1)" 20 ms ;;
    128) verdict "empty run, 128 hosts" "$(figure empty_128 | cut -d' ' -f1)" 500 ms ;;
  esac
done
overhead=$(paste <(awk '$1 == "duration_0.2_2" {print $2}' "$samples") \
  <(awk '$1 == "kernel_ms" {print $2}' "$samples") |
  awk '{print $1 - $2}' | stats | cut -d' ' -f1)
verdict "--duration 0.2 --no-disk, 2 hosts: overhead" "$overhead" 100 ms
buffers=$(figure dram_buffers_mib | cut -d' ' -f3)
verdict "peak RSS of a host" "$(figure host_peak_mib | cut -d' ' -f3)" \
  "$(awk -v b="$buffers" 'BEGIN {print b + 32}')" MiB

sha=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
mkdir -p "$root/results"
out=$root/results/$(date -u +%Y%m%dT%H%M%SZ)-$sha.json
jq -R -s --arg sha "$sha" --arg kernel "$(uname -r)" \
  --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" '
  [split("\n")[] | select(length > 0) | split(" ")
   | {key: .[0], value: (.[1] | tonumber)}]
  | group_by(.key) | map({key: .[0].key, value: map(.value)}) | from_entries
  | {schema_version: 1, paglets_version: "0.1.0", git_sha: $sha,
     build_type: "Release", kernel: $kernel, cpu_model: $cpu,
     benchmark: "paglets examples perf wall time (ms)", samples: .}' \
  "$samples" >"$out"
echo "raw samples: $out"
