#!/usr/bin/env bash
# Purpose: mesh membership at scale on one machine. For each host count,
#   start that many `paglets host` processes on loopback, every one joining
#   through the first, and measure
#   - up_s: seconds from the first launch until every host has logged that
#     it listens (process start-up, not mesh work);
#   - convergence: seconds from the first launch (converge_s) and from
#     up_s (after_up_s) until every host lists every other online;
#   - steady-state traffic: POST /hosts/join exchanges each host sends and
#     answers per second, from the "mesh" counters of GET /hosts, over a
#     quiet window after convergence (the bench's own GET /hosts polls are
#     not counted: they are not mesh traffic).
# Usage: bench/mesh.sh [-n "8 32 64"] [-w SECONDS] [-b PATH/TO/paglets]
#   -n  host counts to run (default "8 32 64")
#   -w  steady-state window in seconds (default 10)
#   -b  the paglets binary (default build/paglets)
# Example: scripts/build && bench/mesh.sh -n "8 64"
# Requirements: bash, curl, jq; loopback only; about 64 processes at once
#   (each host is small: one gossip thread and a bounded HTTP pool).
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

counts="8 32 64"
window=10
bin="$(cd "$(dirname "$0")/.." && pwd)/build/paglets"
while getopts "n:w:b:h" opt; do
  case $opt in
    n) counts=$OPTARG ;;
    w) window=$OPTARG ;;
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
  "$bin" host --name "h$1" --port 0 --mesh-version bench \
    ${2:+--peer "$2"} 2>"$log" &
  pids+=($!)
}

# url_of I: wait up to 10 s for host hI to log its URL, then append it.
url_of() {
  local log="$tmp/h$1.log" url=""
  for _ in $(seq 200); do
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
  curl -sS -m 5 "${args[@]}" 2>/dev/null | jq -c . 2>/dev/null
}

# converged N URLS...: does every host list N hosts online?
converged() {
  local n=$1
  shift
  all_hosts "$@" | jq -s -e --argjson n "$n" --argjson k "$#" \
    'length == $k and all(.[]; ([.hosts[] | select(.online)] | length) == $n)' \
    >/dev/null
}

# traffic URLS...: total exchanges sent and joins answered, "SENT JOINS".
traffic() {
  all_hosts "$@" | jq -s -r \
    '[(map(.mesh.exchanges_sent) | add), (map(.mesh.joins_received) | add)] | @tsv'
}

printf '%-6s %8s %12s %12s %12s %12s %12s\n' hosts "up_s" "converge_s" \
  "after_up_s" "sent/host/s" "recv/host/s" "total/host/s"
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
  deadline=$(( $(date +%s) + 60 ))
  until converged "$n" "${urls[@]}"; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "mesh.sh: $n hosts did not converge in 60 s" >&2; exit 1; }
    sleep 0.1
  done
  converge=$(since "$t0")
  after_up=$(since "$t_up")
  # The startup burst of joins is over once the join count stands still
  # for half a second (up to 10 s).
  read -r _ j0 < <(traffic "${urls[@]}")
  for _ in $(seq 20); do
    sleep 0.5
    read -r _ j1 < <(traffic "${urls[@]}")
    [ "$j1" != "$j0" ] || break
    j0=$j1
  done
  read -r s0 j0 < <(traffic "${urls[@]}")
  w0=$(now)
  sleep "$window"
  read -r s1 j1 < <(traffic "${urls[@]}")
  dt=$(since "$w0")
  converged "$n" "${urls[@]}" || echo "mesh.sh: warning: $n hosts not all online at the end" >&2
  awk -v n="$n" -v up="$up" -v c="$converge" -v u="$after_up" \
    -v s=$((s1 - s0)) -v j=$((j1 - j0)) -v dt="$dt" 'BEGIN {
      printf "%-6d %8.2f %12.2f %12.2f %12.2f %12.2f %12.2f\n", n, up, c, u,
        s / n / dt, j / n / dt, (s + j) / n / dt }'
  cleanup
done
