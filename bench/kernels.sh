#!/usr/bin/env bash
#
# kernels.sh - fidelity of the one-host benchmark kernels
#
# Purpose:  run our kernels (build/bench/perf_kernels) and the reference
#           tools on the same machine in the same script, and print the
#           ratios issue 3 asks for:
#             sha256 single-core      >= 0.95 x openssl speed -evp sha256 -bytes 16384
#             memory-copy-dram        >= 0.90 x plain memcpy loop (bench/memcpy_ref)
#             disk write (w+fsync)    within +-15% of fio bs=1M end_fsync=1
#             disk read (bypassed)    within +-15% of fio bs=1M direct=1
#             integer-multi           >= 0.90 x workers x integer (workers <= cores)
#           Each figure is the median of N repeats after one warm-up run;
#           min and max are printed too, and all raw samples are written to
#           results/<utc-time>-<git-sha>.json.
# Usage:    bench/kernels.sh [-d SECONDS] [-s SIZE] [-p DIR] [-n REPEATS] [-h]
#             -d  seconds per CPU/memory kernel and tool run (default 1)
#             -s  disk file size, fio size too (default 128M)
#             -p  directory for the disk runs (default /var/tmp)
#             -n  repeats after the warm-up (default 5)
# Example:  bench/kernels.sh -d 2 -s 256M -p /data -n 5
# Requires: cmake, a C compiler and the paglets build dependencies; fio,
#           openssl and jq (installed with apt-get when missing and root).
#           Changes no system setting (governor, caches): it reports them.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -euo/d'
}

duration=1
size=128M
dir=/var/tmp
repeats=5
while getopts "d:s:p:n:h" opt; do
  case $opt in
    d) duration=$OPTARG ;;
    s) size=$OPTARG ;;
    p) dir=$OPTARG ;;
    n) repeats=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
work=$(mktemp -d "$dir/paglets-kernels-XXXXXX")
trap 'rm -rf "$work"' EXIT

need_tools() {
  local missing=()
  command -v fio >/dev/null || missing+=(fio)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v jq >/dev/null || missing+=(jq)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "kernels.sh: missing ${missing[*]}: apt-get install ${missing[*]}" >&2
    exit 2
  fi
  apt-get install -y "${missing[@]}" >/dev/null
}

build_programs() {
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j "$(nproc)" --target perf_kernels memcpy_ref \
    >/dev/null
}

# Bytes of a size like 128M (binary units, as our --disk-size reads it).
to_bytes() {
  numfmt --from=iec "${1%[bB]}"
}

# One sample of every figure, as "name value" lines.
sample() {
  local out bytes
  out=$("$build/bench/perf_kernels" --duration "$duration" --no-disk)
  awk '$1 == "cpu" && $2 == "sha256" {print "ours_sha256", $4}
       $1 == "cpu" && $2 == "integer" {print "ours_integer", $3}
       $1 == "cpu" && $2 == "integer-multi" {print "ours_integer_multi", $3}
       $1 == "mem" && $2 == "memory-copy-dram" {print "ours_dram_copy", $4}
       $1 == "workers" || $1 == "physical_cpus" || $1 == "dram_buffer_bytes" {
         print $1, $2 }' <<<"$out"
  bytes=$(awk '$1 == "dram_buffer_bytes" {print $2}' <<<"$out")
  "$build/bench/memcpy_ref" "$bytes" "$duration" |
    awk '$1 == "memcpy_bytes_per_second" {print "ref_memcpy", $2}'
  # openssl speed takes whole seconds only.
  openssl speed -evp sha256 -bytes 16384 -seconds "$(awk -v d="$duration" \
    'BEGIN {s = int(d + 0.5); print s < 1 ? 1 : s}')" 2>/dev/null |
    awk '$1 == "sha256" {v = $2; sub(/k$/, "", v); print "ref_openssl_sha256", v * 1000}'
  "$build/bench/perf_kernels" --no-cpu --no-memory --disk-size "$size" \
    --path "$work" | awk '$1 == "disk" {print "ours_disk_write", $3;
      print "ours_disk_read", $4; print "ours_read_cache", $6}'
  fio --name=seqwrite --directory="$work" --rw=write --bs=1M --size="$size" \
    --end_fsync=1 --ioengine=psync --output-format=json |
    jq -r '"ref_fio_write \(.jobs[0].write.bw_bytes)"'
  fio --name=seqread --directory="$work" --rw=read --bs=1M --size="$size" \
    --direct=1 --ioengine=psync --output-format=json |
    jq -r '"ref_fio_read \(.jobs[0].read.bw_bytes)"'
  rm -f "$work"/seqwrite.* "$work"/seqread.*
}

# median min max of the numbers on stdin
stats() {
  sort -g | awk '{v[NR] = $1} END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.6g %.6g %.6g\n", m, v[1], v[NR]}'
}

figure() {
  grep "^$1 " "$samples" | awk '{print $2}' | stats
}

ratio_line() {
  local label=$1 ours=$2 ref=$3 rule=$4 lo=$5 hi=$6
  local o r
  o=$(figure "$ours" | awk '{print $1}')
  r=$(figure "$ref" | awk '{print $1}')
  awk -v l="$label" -v o="$o" -v r="$r" -v rule="$rule" -v lo="$lo" \
    -v hi="$hi" 'BEGIN {
      x = o / r; ok = (x >= lo && x <= hi) ? "ok" : "MISS"
      printf "%-22s %12.4g %12.4g %7.3f  %-18s %s\n", l, o, r, x, rule, ok }'
}

report_system() {
  local gov=unknown
  [ -r /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor ] &&
    gov=$(cat /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor)
  echo "machine: $(nproc) logical CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "kernel: $(uname -r); governor: $gov; load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "disk dir: $dir ($(df -T "$dir" | awk 'NR == 2 {print $2, $1}')); size $size; duration ${duration}s; repeats $repeats"
}

write_json() {
  local sha out
  sha=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
  mkdir -p "$root/results"
  out=$root/results/$(date -u +%Y%m%dT%H%M%SZ)-$sha.json
  awk '{print $1, $2}' "$samples" | jq -R -s --arg sha "$sha" \
    --arg kernel "$(uname -r)" \
    --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
    --arg size "$(to_bytes "$size")" --arg dur "$duration" '
    [split("\n")[] | select(length > 0) | split(" ")
     | {key: .[0], value: (.[1] | tonumber? // .)}]
    | group_by(.key) | map({key: .[0].key, value: map(.value)}) | from_entries
    | {schema_version: 1, paglets_version: "0.1.0", git_sha: $sha,
       build_type: "Release", kernel: $kernel, cpu_model: $cpu,
       host_count: 1, disk_size_bytes: ($size | tonumber),
       duration_ns: (($dur | tonumber) * 1e9 | floor),
       hosts: [{host: "local", samples: .}], all_hosts: {samples: .}}' >"$out"
  echo "raw samples: $out"
}

need_tools
build_programs
report_system
samples=$work/samples.txt
echo "warm-up run..."
sample >/dev/null
: >"$samples"
for i in $(seq 1 "$repeats"); do
  echo "repeat $i/$repeats..."
  sample >>"$samples"
done

echo
printf "%-22s %12s %12s %7s  %-18s %s\n" figure ours reference ratio target result
ratio_line "sha256 B/s" ours_sha256 ref_openssl_sha256 ">= 0.95" 0.95 1e9
ratio_line "memory-copy-dram B/s" ours_dram_copy ref_memcpy ">= 0.90" 0.90 1e9
ratio_line "disk write B/s" ours_disk_write ref_fio_write "0.85 .. 1.15" 0.85 1.15
ratio_line "disk read B/s" ours_disk_read ref_fio_read "0.85 .. 1.15" 0.85 1.15
workers=$(figure workers | awk '{print $1}')
physical=$(figure physical_cpus | awk '{print $1}')
awk '$1 == "ours_integer" {print "ours_integer_x_workers", $2 * w}' \
  w="$workers" "$samples" >"$work/scaled.txt"
cat "$work/scaled.txt" >>"$samples"
if [ "$physical" != -1 ] && [ "${workers%.*}" -le "${physical%.*}" ]; then
  ratio_line "integer-multi ops/s" ours_integer_multi ours_integer_x_workers \
    ">= 0.90 (x$workers)" 0.90 1e9
else
  echo "integer-multi: not checked (workers $workers > physical cores $physical)"
fi
echo
echo "median / min / max of each figure:"
for f in ours_sha256 ref_openssl_sha256 ours_dram_copy ref_memcpy \
  ours_disk_write ref_fio_write ours_disk_read ref_fio_read ours_integer \
  ours_integer_multi; do
  printf "  %-20s %s\n" "$f" "$(figure "$f")"
done
echo "  read cache bypassed: $(grep '^ours_read_cache ' "$samples" | awk '{print $2}' | sort | uniq -c | tr -s ' ' | tr '\n' ' ')"
write_json
