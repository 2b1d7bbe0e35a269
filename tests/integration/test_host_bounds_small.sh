# Small bounds of a host (issue 11, items 12 and 9): EchoAgent's increment
# refuses to overflow, conflicting Content-Length headers are 400, a NUL
# in the config file is an error naming its line, and names a clone's
# sender chose reach the log escaped, one line whatever they hold.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"

pg_start_host alpha --mesh-version t --test-agents --no-mesh
alpha=$PG_URL
port=${alpha##*:}

# increment: int64 ends are refused, not wrapped (Sanitize aborted there).
top=9223372036854775807
a=$(pg_create "$alpha" "{\"counter\":$top}")
out=$(pg_req POST "$alpha/agents/$a/messages" '{"message":{"kind":"increment","args":{"by":1}}}')
pg_expect_error "increment past INT64_MAX" 400 EINVAL "$out"
# jq reads integers as doubles: compare the JSON text.
out=$(pg_req POST "$alpha/agents/$a/messages" '{"message":{"kind":"counter","args":{}}}')
pg_expect_match "counter unchanged" "\"counter\":${top}[,}]" "$out"
out=$(pg_req POST "$alpha/agents/$a/messages" '{"message":{"kind":"increment","args":{"by":-1}}}')
pg_expect_match "increment downwards" "\"counter\":$((top - 1))[,}]" "$out"
b=$(pg_create "$alpha" '{"counter":-9223372036854775807}')
out=$(pg_req POST "$alpha/agents/$b/messages" '{"message":{"kind":"increment","args":{"by":-2}}}')
pg_expect_error "increment past INT64_MIN" 400 EINVAL "$out"

# raw PATH HEADERS...: send one request over a fresh connection, print the
# status line and body.
raw() {
  python3 - "$port" "$@" <<'PY'
import socket, sys
port, path, headers = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
head = "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % (path, port)
head += "".join(h + "\r\n" for h in headers) + "\r\n"
s.sendall(head.encode())
data = b""
while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
status, _, rest = data.partition(b"\r\n")
print(status.decode(), rest.partition(b"\r\n\r\n")[2].decode())
PY
}
out=$(raw /health "Content-Length: 0" "Content-Length: 7")
pg_expect_match "conflicting Content-Length" '^HTTP/1.1 400 .*conflicting Content-Length' "$out"
out=$(raw /health "Content-Length: 0" "Content-Length: 0")
pg_expect_match "repeated equal Content-Length" '^HTTP/1.1 200 ' "$out"

# A NUL in the config file: the line is named, not read cut short.
printf 'tag = x\nna\0me = y\n' >"$PG_TMP/nul.conf"
set +e
"$PAGLETS_BIN" host --name x --config "$PG_TMP/nul.conf" >/dev/null 2>"$PG_TMP/nul.err"
rc=$?
set -e
pg_expect_eq "NUL in config exit status" 2 "$rc"
pg_expect_eq "NUL in config message" "$PG_TMP/nul.conf:2: NUL byte in line" "$(cat "$PG_TMP/nul.err")"

# Names a clone's sender chose reach the log escaped: a newline cannot
# forge a log line, nor an escape sequence reach the operator's terminal.
forged=$'evil\n2026-01-01T00:00:00.000Z error: forged line\e[31m\u202e'
envelope=$(jq -cn --arg n "$forged" \
  '{kind:"clone", agent_class_name:"EchoAgent", state:{}, source_host_name:$n, clone_of:"of\nx"}')
pg_req POST "$alpha/agents" "$envelope" >/dev/null
pg_expect_status "clone with a hostile sender name" 201
log="$PG_TMP/alpha.log"
pg_wait_for 5 grep -q "accepted clone" "$log" || pg_fail "no clone line in the log"
if grep -q '^2026-01-01' "$log" || grep -q $'\e' "$log" || grep -q $'\u202e' "$log"; then
  pg_fail "hostile name reached the log raw: $(grep -a -A1 'accepted clone' "$log")"
fi
line=$(grep 'accepted clone' "$log")
pg_expect_match "escaped names" \
  "of 'of\\\\x0ax' from 'evil\\\\x0a2026-01-01T00:00:00.000Z error: forged line\\\\x1b\[31m\\\\u202e'" "$line"

# A member's name reaches the mesh's log lines escaped too (C0 controls are
# refused at the join; C1 controls and bidi overrides were not escaped).
# A silent newcomer is never listed (it must answer a probe first), so the
# line is the one a join of another mesh version gets.
pg_start_host beta --mesh-version t
beta=$PG_URL
pg_req POST "$beta/hosts/join" \
  "$(jq -cn '{name:"mallory\u202e\u009b", url:"http://127.0.0.1:9", code_version:"other"}')" >/dev/null
pg_expect_status "join with a hostile name" 200
pg_wait_for 10 grep -q "refusing host 'mallory" "$PG_TMP/beta.log" ||
  pg_fail "no refusal line for the new member"
line=$(grep "host 'mallory" "$PG_TMP/beta.log")
pg_expect_match "escaped member name" "host 'mallory\\\\u202e\\\\u009b' at http://127.0.0.1:9: mesh version" "$line"
pg_pass
