# The text report: header, one row per host, disks:, and notes: only with
# --verbose when nothing failed; --no-cpu --no-memory --path DIR gives one
# volume per host and leaves DIR empty. A named path that is skipped (a
# duplicate volume here) is an error, noted with or without --verbose.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

pg_perf_mesh alpha beta
d1="$PG_TMP/d1"
d2="$PG_TMP/d2"
mkdir -p "$d1" "$d2"
header='host                int/s    float/s        sha  multi-int/s   mem copy    disk wr    disk rd err'
disk_header='host           path                                  size      write       read   metadata'
num='[0-9]+\.[0-9][KMGT]?/s'

rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" --entry "$PG_URL_alpha" \
  --no-cpu --no-memory --disk-size 1M --path "$d1")
pg_expect_eq "exit status (stderr: $(cat "$PG_TMP/err"))" 0 "$rc"
mapfile -t lines <"$PG_TMP/out"
pg_expect_eq "header" "$header" "${lines[0]}"
for i in 1 2; do
  host=$([ "$i" = 1 ] && echo alpha || echo beta)
  pg_expect_match "row of $host" \
    "^$host +- +- +- +- +- +$num +$num +0$" "${lines[$i]}"
done
pg_expect_eq "blank line before disks:" "" "${lines[3]}"
pg_expect_eq "disks: title" "disks:" "${lines[4]}"
pg_expect_eq "disks: header" "$disk_header" "${lines[5]}"
pg_expect_match "alpha volume" "^alpha +${d1:0:32} +1\.0M +$num +$num +[0-9]+/s$" "${lines[6]}"
pg_expect_match "beta volume" "^beta +${d1:0:32} +1\.0M +$num +$num +[0-9]+/s$" "${lines[7]}"
pg_expect_eq "nothing after the disks" 8 "${#lines[@]}"
pg_expect_eq "stderr is quiet" "" "$(cat "$PG_TMP/err")"
pg_expect_eq "--path left empty" "" "$(find "$d1" "$d2" -mindepth 1)"

# d2 is on d1's volume: a duplicate, and the user named it.
for verbose in "" --verbose; do
  rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" --entry "$PG_URL_alpha" \
    --no-cpu --no-memory --disk-size 1M --path "$d1" --path "$d2" ${verbose:+"$verbose"})
  pg_expect_eq "named duplicate ${verbose:-(terse)}: exit status" 1 "$rc"
  pg_expect_match "named duplicate ${verbose:-(terse)}: alpha's err" '^alpha .* 1$' \
    "$(sed -n 2p "$PG_TMP/out")"
  # (A volume's own diagnostics, such as a page cache that could not be
  # bypassed on tmpfs, may come too with --verbose: only the skipped lines
  # are fixed.)
  pg_expect_eq "named duplicate ${verbose:-(terse)}: notes: title" "notes:" \
    "$(grep -x 'notes:' "$PG_TMP/out")"
  pg_expect_eq "named duplicate ${verbose:-(terse)}: skipped targets" \
    "  - alpha: skipped $d2: duplicate volume|  - beta: skipped $d2: duplicate volume" \
    "$(grep '^  - [a-z]*: skipped ' "$PG_TMP/out" | paste -sd '|')"
done

# --json always carries the skipped targets.
rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" --entry "$PG_URL_alpha" --json \
  --no-cpu --no-memory --disk-size 1M --path "$d1" --path "$d2")
pg_expect_eq "--json skipped" "duplicate volume duplicate volume" \
  "$(jq -r '[.results[].result.disk.skipped[].reason] | join(" ")' "$PG_TMP/out")"

# CPU only: figures in the first columns, no disks: table.
rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" --entry "$PG_URL_alpha" \
  --no-disk --no-memory --duration 0.02 --workers 1)
pg_expect_eq "CPU-only exit status" 0 "$rc"
pg_expect_match "CPU row" '^alpha +[0-9.]+[KMG]? +[0-9.]+[KMG]? +[0-9.]+[KMGT]?/s +[0-9.]+[KMG]? +- +- +- +0$' \
  "$(sed -n 2p "$PG_TMP/out")"
pg_expect_eq "no disks: without disk tests" "" "$(grep '^disks:' "$PG_TMP/out" || true)"

pg_pass
