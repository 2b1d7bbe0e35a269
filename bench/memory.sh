#!/usr/bin/env bash
#
# memory.sh - what a benchmark run costs a host in memory, and what it keeps
#
# Purpose:  start 2 hosts on loopback (one mesh) and run
#           `paglets examples perf --entry h1 --duration D --no-disk` R times
#           in a row. Prints per host:
#             fresh     VmRSS (RssAnon) once the mesh has formed
#             peak      VmHWM over the first run, next to the two
#                       memory-copy-dram buffers the summary reports
#             after 1   VmRSS (RssAnon) once the first run's agents are gone
#             after R   the same after R runs
#           targets (issue 15): idle RSS after 1 and after R runs within
#           4 MiB of fresh; peak <= the DRAM buffers + 32 MiB. Also prints
#           the DRAM buffers' set-up time (setup_seconds of
#           memory-copy-dram) and the whole command's wall time.
# Usage:    bench/memory.sh [-b PAGLETS] [-d SECONDS] [-r RUNS] [-h]
#             -b  the paglets binary (default build/paglets, built here)
#             -d  --duration of each run (default 0.2)
#             -r  runs in a row (default 10)
# Example:  bench/memory.sh -r 10
# Requires: a Release build (made here with cmake), jq, curl, free
#           loopback ports. Changes no system setting; it reports the load
#           and the last-level cache the kernel reports.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -euo/d'
}

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
bin=""
duration=0.2
runs=10
while getopts "b:d:r:h" opt; do
  case $opt in
    b) bin=$OPTARG ;;
    d) duration=$OPTARG ;;
    r) runs=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; exit 2; }

if [ -z "$bin" ]; then
  bin=$root/build/paglets
  [ -x "$bin" ] ||
    cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$root/build" -j "$(nproc)" --target paglets_cli >/dev/null
fi
mkdir -p "$root/build"
work=$(mktemp -d "$root/build/memorysh.XXXXXX")
mkdir -m 0700 "$work/tmp" "$work/run"
pids=()
urls=()

trap 'stop_hosts; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

status_kib() { # PID FIELD: a /proc/PID/status field in KiB
  awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"
}

mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

start_host() { # NAME [SEED]
  local name=$1 seed=${2:-} log=$work/$1.log url=""
  : >"$log"
  TMPDIR=$work/tmp XDG_RUNTIME_DIR=$work/run "$bin" host --name "$name" \
    --port 0 --mesh-version bench-memory --gossip-interval 0.2 \
    ${seed:+--peer "$seed"} >/dev/null 2>"$log" &
  pids+=("$!")
  for _ in $(seq 400); do
    url=$(sed -n "s/.*host '$name' listening on \(http[^ ]*\).*/\1/p" "$log")
    [ -n "$url" ] && curl -fsS -m 1 "$url/health" >/dev/null 2>&1 && break
    url=""
    sleep 0.01
  done
  [ -n "$url" ] || { echo "memory.sh: host $name did not start" >&2; exit 1; }
  urls+=("$url")
}

agents() { curl -fsS -m 2 "$1/agents" | jq '[.agents[]?] | length'; }

# Poll (bounded) until no host holds an agent: the run's children and
# parent are gone, so what is left is what the host keeps.
wait_idle() {
  local url
  for _ in $(seq 500); do
    for url in "${urls[@]}"; do
      [ "$(agents "$url")" -eq 0 ] || continue 2
    done
    return 0
  done
  echo "memory.sh: agents still present after the run" >&2
  exit 1
}

run_once() {
  "$bin" examples perf --entry "${urls[0]}" --json --duration "$duration" \
    --no-disk >"$work/out.json" 2>"$work/err" ||
    { echo "memory.sh: run failed: $(cat "$work/err")" >&2; exit 1; }
  wait_idle
}

llc=$(for f in /sys/devices/system/cpu/cpu*/cache/index*; do
  [ -r "$f/size" ] && echo "$(cat "$f/level") $(cat "$f/shared_cpu_list" 2>/dev/null) $(cat "$f/size")"
done | sort -u | awk '{l[NR] = $1; s[NR] = $3; if ($1 > max) max = $1}
  END {for (i in l) if (l[i] == max) t += s[i] + 0; print t ? t "K" : "none"}')
echo "machine: $(nproc) logical CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); last-level cache (sum of instances): $llc"
echo "kernel: $(uname -r); load: $(cut -d' ' -f1-3 /proc/loadavg); binary: $bin"

start_host h1
start_host h2 "${urls[0]}"
for _ in $(seq 300); do
  [ "$(curl -fsS -m 2 "${urls[0]}/hosts" |
    jq '[.hosts[] | select(.online)] | length')" -eq 2 ] && break
  sleep 0.1
done
declare -A fresh fresh_anon after1 after1_anon
for i in 0 1; do
  fresh[$i]=$(status_kib "${pids[$i]}" VmRSS)
  fresh_anon[$i]=$(status_kib "${pids[$i]}" RssAnon)
done
start=$(date +%s%N)
run_once
wall_ms=$(( ($(date +%s%N) - start) / 1000000 ))
cp "$work/out.json" "$work/first.json"
for i in 0 1; do
  after1[$i]=$(status_kib "${pids[$i]}" VmRSS)
  after1_anon[$i]=$(status_kib "${pids[$i]}" RssAnon)
done
for _ in $(seq 2 "$runs"); do run_once; done

echo
echo "first run: wall ${wall_ms} ms"
for i in 0 1; do
  name=h$((i + 1))
  jq -r --arg h "$name" '.results[$h].result.memory.metrics[]?
    | select(.name == "memory-copy-dram")
    | "\(.bytes_processed / .operations) \(.setup_seconds // "n/a" | if type == "number" then . * 1000 | round / 1000 else . end)"' \
    "$work/first.json" | {
    read -r buffer setup || { buffer=0; setup=n/a; }
    peak=$(status_kib "${pids[$i]}" VmHWM)
    now=$(status_kib "${pids[$i]}" VmRSS)
    now_anon=$(status_kib "${pids[$i]}" RssAnon)
    echo "$name: fresh $(mib "${fresh[$i]}") MiB (anon $(mib "${fresh_anon[$i]}")); peak $(mib "$peak") MiB vs DRAM buffers 2 x $(mib $((buffer / 1024))) MiB (+$(mib $((peak - 2 * buffer / 1024))) MiB); DRAM set-up ${setup} s"
    echo "$name: idle after 1 run $(mib "${after1[$i]}") MiB (+$(mib $((after1[$i] - fresh[$i]))); anon +$(mib $((after1_anon[$i] - fresh_anon[$i])))); after $runs runs $(mib "$now") MiB (+$(mib $((now - fresh[$i]))); anon +$(mib $((now_anon - fresh_anon[$i]))))"
  }
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
