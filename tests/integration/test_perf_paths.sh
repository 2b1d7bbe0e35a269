# --path belongs to the hosts: the command only makes a relative path
# absolute (against its working directory) and sends it; each host judges
# it on its own filesystem and reports one that is no directory there as
# a skipped volume, "path is not an existing directory" (the reference's
# words). A skip of a path the user named is an error: shown without
# --verbose, counted in err and in the exit status.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

pg_perf_mesh alpha beta
mkdir -p "$PG_TMP/work/data"
missing=$PG_TMP/missing
out=$PG_TMP/out err=$PG_TMP/err

# perf ARGS...: the benchmark's disk part alone, run from $PG_TMP/work.
perf() {
  (cd "$PG_TMP/work" && pg_perf "$out" "$err" --entry "$PG_URL_alpha" \
    --no-cpu --no-memory --disk-size 1M "$@")
}

pg_expect_eq "named paths: exit status (stderr: $(cat "$err"))" 1 \
  "$(perf --json --path data --path "$missing" --path /etc/hostname)"
for host in alpha beta; do
  r=".results.$host.result.disk"
  pg_expect_eq "$host tested the relative path, made absolute" "$PG_TMP/work/data" \
    "$(jq -r "$r.volumes[0].path" "$out")"
  pg_expect_eq "$host judged the missing path" "path is not an existing directory" \
    "$(jq -r "$r.skipped[] | select(.path == \"$missing\") | .reason" "$out")"
  pg_expect_eq "$host judged the file" "path is not an existing directory" \
    "$(jq -r "$r.skipped[] | select(.path == \"/etc/hostname\") | .reason" "$out")"
  pg_expect_eq "$host: both skips were requested" "true true" \
    "$(jq -r "[$r.skipped[].requested] | map(tostring) | join(\" \")" "$out")"
done

# The table shows them without --verbose, in err and under notes.
pg_expect_eq "table: exit status" 1 "$(perf --path data --path "$missing")"
pg_expect_match "table: alpha's err counts the skip" '^alpha( +[^ ]+){7} +1$' \
  "$(grep '^alpha ' "$out" | head -n 1)"
pg_expect_match "table: the skip is noted" \
  "  - alpha: skipped $missing: path is not an existing directory" "$(cat "$out")"
pg_expect_match "table: beta's too" \
  "  - beta: skipped $missing: path is not an existing directory" "$(cat "$out")"

# Paths that are all there: a clean run, nothing noted.
pg_expect_eq "existing path: exit status (stderr: $(cat "$err"))" 0 "$(perf --path data)"
grep -q "notes:" "$out" && pg_fail "existing path: notes: $(cat "$out")"

pg_pass
