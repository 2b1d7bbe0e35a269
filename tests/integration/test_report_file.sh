# How --html writes its file: atomically (a new file renamed over the
# old one, mode 0644 whatever the umask), with no temporary file left when
# it fails; '-' is stdout instead of the table; a directory that is not
# there is a usage error before the run; `paglets results show RUN --html`
# writes the same report as the run itself did.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fake_lib.sh"

unset no_proxy NO_PROXY http_proxy HTTP_PROXY https_proxy HTTPS_PROXY ALL_PROXY all_proxy
pg_start_fake plain plain
out=$PG_TMP/out err=$PG_TMP/err

# perf [OPTIONS...]: a run against the fake entry host; prints the status.
perf() {
  local rc=0
  timeout 30 "$PAGLETS_BIN" examples perf --entry "$FAKE_URL" "$@" >"$out" 2>"$err" || rc=$?
  echo "$rc"
}

mkdir "$PG_TMP/www"
html=$PG_TMP/www/report.html
echo old >"$html"
before=$(stat -c %i "$html")
pg_expect_eq "--html: exit status" 0 "$(umask 077 && perf --html "$html")"
pg_expect_match "--html: the table still on stdout" '^host +int/s' "$(head -n 1 "$out")"
pg_expect_match "--html: the report" '^<!DOCTYPE html>' "$(head -n 1 "$html")"
pg_expect_eq "--html: mode 0644 under umask 077" 644 "$(stat -c %a "$html")"
[ "$(stat -c %i "$html")" != "$before" ] || pg_fail "--html: the old file was written in place"
pg_expect_eq "--html: nothing else in the directory" report.html "$(ls -A "$PG_TMP/www")"

pg_expect_eq "--html -: exit status" 0 "$(perf --html -)"
pg_expect_match "--html -: the report on stdout" '^<!DOCTYPE html>' "$(head -n 1 "$out")"
pg_expect_eq "--html -: no table" 0 "$(grep -c '^host ' "$out" || true)"
pg_expect_eq "--html - --json: exit status" 2 "$(perf --html - --json)"

# A target that cannot be replaced (a directory): status 2, no leftover.
mkdir "$PG_TMP/www/dir.html"
pg_expect_eq "--html DIR: exit status" 2 "$(perf --html "$PG_TMP/www/dir.html")"
pg_expect_match "--html DIR: says why" "--html: cannot write '.*dir.html'" "$(cat "$err")"
pg_expect_eq "--html DIR: no temporary file left" "dir.html report.html" "$(ls -A "$PG_TMP/www" | paste -sd' ')"

# A directory that does not exist: refused before the run.
: >"$PG_TMP/plain.requests"
pg_expect_eq "--html in no directory: exit status" 2 "$(perf --html "$PG_TMP/none/r.html")"
pg_expect_eq "--html in no directory: no run" "" "$(pg_fake_requests plain | grep POST || true)"

# The stored run's report is the run's own, byte for byte.
pg_expect_eq "stored run: exit status" 0 "$(perf --html "$PG_TMP/run.html")"
"$PAGLETS_BIN" results show last --html "$PG_TMP/show.html" >/dev/null 2>"$err" ||
  pg_fail "results show --html: $(cat "$err")"
cmp -s "$PG_TMP/run.html" "$PG_TMP/show.html" || pg_fail "results show --html differs from the run's"
"$PAGLETS_BIN" results show last --html - >"$out" 2>"$err" || pg_fail "results show --html -"
cmp -s "$PG_TMP/run.html" "$out" || pg_fail "results show --html - differs from the run's"
pg_expect_match "the run id in the report" '<th>run</th><td>[0-9]+</td>' "$(cat "$out")"
pg_pass
