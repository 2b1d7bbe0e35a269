#!/usr/bin/env bash
# Purpose: mesh membership at scale on one machine (issue 12). For each
#   host count, start that many `paglets host` processes on loopback, on
#   ports below the ephemeral range, every one joining through the first,
#   and measure
#   - up_s: seconds from the first launch until every host has logged that
#     it listens (process start-up, not mesh work);
#   - after_up_s: seconds from then until every host lists every other
#     alive (state "alive");
#   - at rest, over a quiet window after that: CPU of all hosts together
#     in cores (utime + stime from /proc), offline flaps (lines logging a
#     host suspect or offline), and the mesh's bytes per host per second
#     (HTTP request line + headers + body, both directions, of the
#     requests each host sends: the "mesh" counters of GET /hosts). The
#     bench reads GET /hosts only at the window's ends.
# Usage: bench/mesh.sh [-n "8 32 64 128 256"] [-w SECONDS] [-p PORT] [-b PATH/TO/paglets]
#   -n  host counts to run (default "8 32 64")
#   -w  rest window in seconds (default 60)
#   -p  first port (default 20000; hosts use PORT..PORT+N-1)
#   -b  the paglets binary (default build/paglets)
# Example: scripts/build && bench/mesh.sh -n "128 256"
# Requirements: bash, curl, jq; loopback only; N processes at once. Run it
#   on a machine with nothing else busy (`uptime`): CPU figures are shared.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

counts="8 32 64"
window=60
port0=20000
bin="$(cd "$(dirname "$0")/.." && pwd)/build/paglets"
while getopts "n:w:p:b:h" opt; do
  case $opt in
    n) counts=$OPTARG ;;
    w) window=$OPTARG ;;
    p) port0=$OPTARG ;;
    b) bin=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "mesh.sh: no paglets binary at $bin (run scripts/build)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/paglets-bench-mesh.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap 'cleanup; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# launch I [SEED]: start host hI in the background (in this shell, so its
# pid lands in pids for the cleanup).
launch() {
  local log="$tmp/h$1.log"
  : >"$log" # exists before the child opens it, for url_of below
  "$bin" host --name "h$1" --port $((port0 + $1)) --mesh-version bench \
    ${2:+--peer "$2"} 2>"$log" &
  pids+=($!)
}

# url_of I: wait up to 30 s for host hI to log its URL, then append it.
url_of() {
  local log="$tmp/h$1.log" url=""
  for _ in $(seq 600); do
    url=$(sed -n "s/.*host 'h$1' listening on \(http[^ ]*\).*/\1/p" "$log" | head -n 1)
    [ -n "$url" ] && break
    sleep 0.05
  done
  [ -n "$url" ] || { echo "mesh.sh: host h$1 did not start" >&2; tail -5 "$log" >&2; exit 1; }
  urls+=("$url")
}

# all_hosts URLS...: every GET /hosts reply, one JSON document per line.
all_hosts() {
  local args=() u
  for u in "$@"; do args+=("$u/hosts"); done
  curl -sS -m 10 "${args[@]}" 2>/dev/null | jq -c . 2>/dev/null
}

# converged N URLS...: does every host list N hosts alive?
converged() {
  local n=$1
  shift
  all_hosts "$@" | jq -s -e --argjson n "$n" --argjson k "$#" \
    'length == $k and all(.[]; ([.hosts[] | select((.state // "alive") == "alive" and .online)] | length) == $n)' \
    >/dev/null
}

# bytes URLS...: mesh bytes all hosts sent and received so far.
bytes() {
  all_hosts "$@" | jq -s 'map(.mesh.bytes_sent + .mesh.bytes_received) | add'
}

# ticks: CPU clock ticks (utime + stime) of every host so far.
ticks() {
  local pid t=0 f
  for pid in "${pids[@]}"; do
    f=$(cut -d' ' -f14,15 "/proc/$pid/stat" 2>/dev/null) || continue
    t=$((t + ${f% *} + ${f#* }))
  done
  echo "$t"
}

# flaps: lines logging a host suspect or offline, all hosts so far.
flaps() {
  cat "$tmp"/h*.log | grep -cE "is suspect|went offline" || true
}

hz=$(getconf CLK_TCK)
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %8s %12s %12s %8s %14s\n' hosts "up_s" "after_up_s" "rest_cores" \
  "flaps" "bytes/host/s"
for n in $counts; do
  urls=()
  t0=$(now)
  launch 0
  url_of 0
  # The rest start at once, all joining through the first.
  for i in $(seq 1 $((n - 1))); do launch "$i" "${urls[0]}"; done
  for i in $(seq 1 $((n - 1))); do url_of "$i"; done
  # Every host has logged "listening": all are up from here.
  t_up=$(now)
  up=$(since "$t0")
  deadline=$(( $(date +%s) + 120 ))
  until converged "$n" "${urls[@]}"; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "mesh.sh: $n hosts not all alive in 120 s" >&2; exit 1; }
    sleep 0.5
  done
  after_up=$(since "$t_up")
  sleep 5 # the join burst's last push-pulls
  b0=$(bytes "${urls[@]}")
  c0=$(ticks)
  f0=$(flaps)
  w0=$(now)
  sleep "$window"
  c1=$(ticks)
  f1=$(flaps)
  dt=$(since "$w0")
  b1=$(bytes "${urls[@]}")
  converged "$n" "${urls[@]}" || echo "mesh.sh: warning: $n hosts not all alive at the end" >&2
  awk -v n="$n" -v up="$up" -v u="$after_up" -v c=$((c1 - c0)) -v hz="$hz" \
    -v f=$((f1 - f0)) -v b=$((b1 - b0)) -v dt="$dt" 'BEGIN {
      printf "%-6d %8.2f %12.2f %12.3f %8d %14.0f\n", n, up, u, c / hz / dt, f,
        b / n / dt }'
  cleanup
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
