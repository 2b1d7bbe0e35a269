#!/usr/bin/env bash
#
# cli-replies.sh - what a hostile entry host's replies cost the CLI
#
# Purpose:  run `paglets hosts` against tests/integration/fake_entry.py in
#           two modes and print, per run (one warm-up, then N repeats), the
#           CLI's peak RSS, its output size and its longest output line:
#             huge-name   201 rows, one host name of 1 MiB
#             many-rows   a 15 MB GET /hosts reply of 750,000 small rows
#           (the table, and --json for many-rows). Median, min and max of
#           the repeats; raw samples go to results/.
# Usage:    bench/cli-replies.sh [-n REPEATS] [-b PAGLETS_BINARY] [-h]
#             -n  repeats after the warm-up (default 5)
#             -b  the binary (default build/paglets)
# Example:  bench/cli-replies.sh -n 3 -b build-main/paglets
# Requires: python3, GNU time (/usr/bin/time).
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -euo/d'
}

root=$(cd "$(dirname "$0")/.." && pwd)
repeats=5
bin="$root/build/paglets"
while getopts 'n:b:h' opt; do
  case $opt in
    n) repeats=$OPTARG ;;
    b) bin=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "cli-replies.sh: no binary at $bin" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "cli-replies.sh: needs GNU time" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/paglets-cli-replies.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# start_fake MODE: start the fake entry host; its URL goes to $url. (Not
# in $(...): the pid must reach this shell, and the fake must not hold a
# command substitution's pipe open.)
start_fake() {
  python3 "$root/tests/integration/fake_entry.py" --mode "$1" \
    --url-file "$work/$1.url" --log "$work/$1.requests" >/dev/null 2>&1 &
  pids+=("$!")
  for _ in $(seq 100); do [ -s "$work/$1.url" ] && break; sleep 0.1; done
  url=$(cat "$work/$1.url")
}

mkdir -p "$root/results"
samples="$root/results/$(date -u +%Y%m%dT%H%M%SZ)-cli-replies.txt"
: >"$samples"

# measure NAME ARGS...: warm-up, then the repeats, one sample line each.
measure() {
  local name=$1 i
  shift
  for i in $(seq 0 "$repeats"); do
    /usr/bin/time -f '%M' -o "$work/rss" "$bin" hosts "$@" >"$work/out" 2>/dev/null || true
    [ "$i" -eq 0 ] && continue
    echo "$name $(cat "$work/rss") $(wc -c <"$work/out") \
$(awk '{ if (length($0) > n) n = length($0) } END { print n + 0 }' "$work/out")" >>"$samples"
  done
}

url=""
start_fake huge-name
measure huge-name --entry "$url"
start_fake many-rows
measure many-rows --entry "$url"
measure many-rows-json --entry "$url" --json

echo "binary: $bin; $repeats repeats after a warm-up; samples: $samples"
printf '%-16s %28s %28s %14s\n' run "peak RSS KiB med (min..max)" \
  "output bytes med (min..max)" "longest line"
awk '
  { rss[$1] = rss[$1] " " $2; out[$1] = out[$1] " " $3; line[$1] = $4; names[$1] = 1 }
  function stats(list,   a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return sprintf("%d (%d..%d)", a[int((n + 1) / 2)], a[1], a[n])
  }
  END { for (k in names) printf "%-16s %28s %28s %14d\n", k, stats(rss[k]), stats(out[k]), line[k] }
' "$samples" | sort
