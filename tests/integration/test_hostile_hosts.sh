# `paglets hosts` trusts no entry host (fake_entry.py lies on purpose):
# names, URLs and versions reach the terminal escaped, in the table and in
# --json; one huge name cannot widen every row; absurd numbers print as
# "-"; a reply with duplicate keys is refused; proxy variables are
# ignored unless --proxy asks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fake_lib.sh"

unset no_proxy NO_PROXY http_proxy HTTP_PROXY https_proxy HTTPS_PROXY ALL_PROXY all_proxy
out=$PG_TMP/out err=$PG_TMP/err

hosts() {
  local rc=0
  timeout 20 "$PAGLETS_BIN" hosts "$@" >"$out" 2>"$err" || rc=$?
  echo "$rc"
}

# Terminal escapes in every string of GET /hosts.
pg_start_fake evil escapes
pg_expect_eq "escapes: exit status" 0 "$(hosts --entry "$FAKE_URL")"
pg_expect_eq "escapes: raw controls in the table" 0 "$(pg_raw_controls "$out")"
pg_expect_match "escapes: the name is shown escaped" \
  'alpha\\x1b\[2J\\x1b\]0;pwned\\x07\\x0d\\x08X\\u202e\\u009b\\u0085\\x7f' "$(cat "$out")"
pg_expect_eq "escapes --json: exit status" 0 "$(hosts --entry "$FAKE_URL" --json)"
pg_expect_eq "escapes --json: raw controls" 0 "$(pg_raw_controls "$out")"
pg_expect_eq "escapes --json: names read back unchanged" True "$(python3 -c '
import json, sys
names = [h["name"] for h in json.load(open(sys.argv[1]))["hosts"]]
print(names[0] == "alpha\x1b[2J\x1b]0;pwned\x07\r\bX\u202e\u009b\u0085\x7f")' "$out")"

# One 1 MiB name among 201 rows: cut, not padded into every row.
pg_start_fake huge huge-name
pg_expect_eq "huge name: exit status" 0 "$(hosts --entry "$FAKE_URL")"
pg_expect_eq "huge name: a line per host" 202 "$(wc -l <"$out")"
longest=$(pg_longest_line "$out")
pg_log "huge name: longest line $longest characters, $(wc -c <"$out") bytes in all"
[ "$longest" -le 240 ] || pg_fail "huge name: a line of $longest characters"

# last_seen -1e308 and active_count 1e308.
pg_start_fake numbers big-numbers
pg_expect_eq "absurd numbers: exit status" 0 "$(hosts --entry "$FAKE_URL")"
pg_expect_match "absurd numbers print as -" '^alpha +http://[^ ]+ +t +yes +- +- +-$' \
  "$(sed -n 2p "$out")"

# {"hosts": [...], "hosts": []}
pg_start_fake dup dup-keys
pg_expect_eq "duplicate keys: exit status" 1 "$(hosts --entry "$FAKE_URL")"
pg_expect_match "duplicate keys: named" "duplicate object key" "$(cat "$err")"

# A proxy variable is not a reason to send the request (and key) elsewhere.
pg_start_fake thief thief
pg_start_fake plain plain
pg_expect_eq "http_proxy: exit status" 0 \
  "$(http_proxy=$FAKE_URL_thief ALL_PROXY=$FAKE_URL_thief hosts --entry "$FAKE_URL_plain")"
pg_expect_eq "http_proxy: the proxy saw nothing" "" "$(pg_fake_requests thief)"
# --proxy asks for it.
pg_expect_eq "--proxy: the proxy's answer is no host list" 1 \
  "$(hosts --entry "$FAKE_URL_plain" --proxy "$FAKE_URL_thief")"
pg_expect_match "--proxy: the proxy got the request" "GET http://127.0.0.1:[0-9]+/health" \
  "$(pg_fake_requests thief)"
pg_expect_eq "--proxy with a bad URL" 2 "$(hosts --entry "$FAKE_URL_plain" --proxy nonsense)"
pg_expect_match "--proxy with a bad URL: named" "proxy URL" "$(cat "$err")"

pg_pass
