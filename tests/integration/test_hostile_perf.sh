# `paglets examples perf` trusts no entry host (fake_entry.py lies on
# purpose): what it sends reaches the terminal escaped (table, notes,
# --json, the progress line, stderr); the calls after the creation go to
# the URL this command chose, whatever the creation reply says; absurd
# figures are capped; the replies are merged and checked (no reply drops
# an earlier error, wrong types and duplicate keys are errors, hosts not
# online at the start are ignored, pending hosts are listed, a run the
# entry never finishes ends); proxy variables are ignored.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fake_lib.sh"

unset no_proxy NO_PROXY http_proxy HTTP_PROXY https_proxy HTTPS_PROXY ALL_PROXY all_proxy
out=$PG_TMP/out err=$PG_TMP/err

# perf URL [OPTIONS...]: run the benchmark against URL; prints the status.
perf() {
  local url=$1 rc=0
  shift
  timeout 30 "$PAGLETS_BIN" examples perf --entry "$url" "$@" >"$out" 2>"$err" || rc=$?
  echo "$rc"
}

# perf_tty URL [OPTIONS...]: the same on a terminal (stdout and stderr),
# so the progress line is drawn.
perf_tty() {
  local url=$1 rc=0 cmd
  shift
  printf -v cmd '%q ' timeout 30 "$PAGLETS_BIN" examples perf --entry "$url" "$@"
  script -qefc "$cmd" /dev/null >"$out" 2>&1 </dev/null || rc=$?
  echo "$rc"
}

# Terminal escapes in every host name, path, message and pending name.
pg_start_fake evil escapes
pg_expect_eq "escapes: exit status" 1 "$(perf "$FAKE_URL" --verbose)"
pg_expect_eq "escapes: raw controls in the table" 0 "$(pg_raw_controls "$out")"
pg_expect_match "escapes: an error note, escaped" \
  '  - beta\\x1b\[2J\\x1b\]0;pwned\\x07\\x0d\\x08X\\u202e\\u009b\\u0085\\x7f: boom \\x1b' "$(cat "$out")"
pg_expect_match "escapes: a skipped path, escaped" 'skipped /skip\\x1b\[2J' "$(cat "$out")"
pg_expect_match "escapes: the pending host is listed" \
  'delta\\x1b\[2J.*: no answer: still pending when the run ended' "$(cat "$out")"
pg_expect_eq "escapes --json: exit status" 1 "$(perf "$FAKE_URL" --json)"
pg_expect_eq "escapes --json: raw controls" 0 "$(pg_raw_controls "$out")"
pg_expect_eq "escapes: progress on a terminal: exit status" 1 "$(perf_tty "$FAKE_URL")"
pg_expect_match "escapes: the progress line was drawn" 'waiting for alpha\\x1b' "$(cat "$out")"
pg_expect_eq "escapes: raw controls on the terminal" 0 "$(pg_raw_controls "$out" --tty)"

# A result that is no object, under a name full of escapes: stderr.
pg_start_fake badkey bad-key
pg_expect_eq "bad result: exit status" 2 "$(perf "$FAKE_URL")"
pg_expect_eq "bad result: raw controls on stderr" 0 "$(pg_raw_controls "$err")"

# Pending names that are no strings: no "(null)" on the progress line.
pg_start_fake pending pending-types
pg_expect_eq "non-string pending names: exit status" 2 "$(perf_tty "$FAKE_URL")"
pg_expect_match "non-string pending names: named" "'pending_hosts' must be an array of host names" \
  "$(cat "$out")"
grep -q '(null)' "$out" && pg_fail "non-string pending names: (null) on the terminal"

# The creation reply points at a thief: it must see nothing.
pg_start_fake thief thief
pg_start_fake redirect redirect --other "$FAKE_URL_thief"
pg_expect_eq "redirect: exit status" 0 "$(perf "$FAKE_URL_redirect")"
pg_expect_eq "redirect: the thief saw nothing" "" "$(pg_fake_requests thief)"
pg_expect_eq "redirect: every call went to the entry" \
  "GET /health,GET /health,GET /hosts,POST /agents,POST /agents/p1/messages collect,POST /agents/p1/messages drain,POST /agents/p1/messages cleanup,POST /agents/p1/dispose" \
  "$(pg_fake_requests redirect | sed 's/ *$//' | paste -sd,)"

# Proxy variables are not a reason to send anything elsewhere.
pg_start_fake plain plain
pg_expect_eq "http_proxy: exit status" 0 \
  "$(http_proxy=$FAKE_URL_thief ALL_PROXY=$FAKE_URL_thief perf "$FAKE_URL_plain")"
pg_expect_eq "http_proxy: the proxy saw nothing" "" "$(pg_fake_requests thief)"

# 1e308 everywhere: capped, not 300 digits.
pg_start_fake numbers big-numbers
pg_expect_eq "absurd figures: exit status" 0 "$(perf "$FAKE_URL")"
pg_expect_match "absurd figures: capped" '^alpha +>999999G +>999999G +>999999P/s' \
  "$(sed -n 2p "$out")"
longest=$(pg_longest_line "$out")
[ "$longest" -le 120 ] || pg_fail "absurd figures: a line of $longest characters"

# Duplicate keys in a summary: refused, not "the last one wins".
pg_start_fake dup dup-summary
pg_expect_eq "duplicate keys: exit status" 2 "$(perf "$FAKE_URL")"
pg_expect_match "duplicate keys: named" "duplicate object key" "$(cat "$err")"

# A drain with errors of the wrong type, then a clean cleanup reply.
pg_start_fake types wrong-types
pg_expect_eq "wrong types: exit status" 2 "$(perf "$FAKE_URL")"
pg_expect_match "wrong types: named" "'errors' must map host names to messages" "$(cat "$err")"
pg_start_fake donetype done-type
pg_expect_eq "done of the wrong type: exit status" 2 "$(perf "$FAKE_URL")"
pg_expect_match "done of the wrong type: named" "'done' must be true or false" "$(cat "$err")"

# done: true with a host still pending.
pg_start_fake donepending done-pending
pg_expect_eq "done with pending: exit status" 1 "$(perf "$FAKE_URL")"
pg_expect_match "done with pending: listed" "  - slow: no answer: still pending when the run ended" \
  "$(cat "$out")"

# beta's error in the first drain, left out of the next drain and cleanup.
pg_start_fake droperror drop-error
pg_expect_eq "dropped error: exit status" 1 "$(perf "$FAKE_URL" --json)"
pg_expect_eq "dropped error: kept" "disk on fire" "$(jq -r '.errors.beta' "$out")"

# A result from ghost, which GET /hosts never listed online.
pg_start_fake unknown unknown-host
pg_expect_eq "unknown host: exit status" 1 "$(perf "$FAKE_URL" --json)"
pg_expect_eq "unknown host: results" alpha "$(jq -r '.results | keys | join(",")' "$out")"
pg_expect_eq "unknown host: noted" "not online when the run started" \
  "$(jq -r '.ignored_hosts.ghost' "$out")"
pg_expect_eq "unknown host (text): exit status" 1 "$(perf "$FAKE_URL")"
pg_expect_match "unknown host (text): noted" "  - ghost: ignored: not online when the run started" \
  "$(cat "$out")"

# An entry host that never says done: the run ends at its deadline (the
# calls get 1 s at least), not never (test_perf_bounds has the bounds).
pg_start_fake never never-done
pg_expect_eq "never done: exit status" 2 "$(perf "$FAKE_URL" --timeout 0)"
pg_expect_match "never done: said" "did not finish the run" "$(cat "$err")"

pg_pass
