# The command-line skeleton: help, version, usage errors and exit codes.
. "$(dirname "$0")/lib.sh"

out=$("$PAGLETS_BIN" --help)
pg_expect_match "--help usage line" '^Usage: paglets \[OPTIONS\] COMMAND' "$out"

out=$("$PAGLETS_BIN" --version)
pg_expect_match "--version names the version" '^paglets [0-9]+\.[0-9]+\.[0-9]+' "$out"
pg_expect_match "--version names the mesh version" 'default mesh version: c-' "$out"

set +e
out=$("$PAGLETS_BIN" frobnicate 2>"$PG_TMP/err")
rc=$?
set -e
pg_expect_eq "unknown command exit status" 2 "$rc"
pg_expect_eq "unknown command prints nothing on stdout" "" "$out"
pg_expect_match "unknown command message" "unknown command 'frobnicate'" "$(cat "$PG_TMP/err")"
pg_expect_eq "message is one line" 1 "$(wc -l <"$PG_TMP/err")"

set +e
"$PAGLETS_BIN" --frobnicate >/dev/null 2>"$PG_TMP/err"
rc=$?
set -e
pg_expect_eq "unknown option exit status" 2 "$rc"
pg_expect_match "unknown option message" "unknown option '--frobnicate'" "$(cat "$PG_TMP/err")"

pg_pass
