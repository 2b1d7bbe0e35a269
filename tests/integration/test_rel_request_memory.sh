# Bounded memory (issue 11, item 3): under any single request a default
# host stays within 64 MiB of the RSS it started with. The requests below
# are the expensive ones we know of: bodies that parse to many times their
# size (tiny objects, small numbers, escapes), bodies over --max-body
# (declared and chunked), a clone envelope, an echo that copies its
# argument. Each is sent alone; the host's peak RSS (VmHWM, reset through
# /proc/PID/clear_refs before each request) is compared with its RSS after
# start-up. Before the bounds, the first request alone took a host from 8
# MiB to over 150 MiB, and a 15 MB body of "{}" to over a gigabyte.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"

# Sanitizer runtimes keep shadow memory and quarantines: RSS means nothing.
pg_skip_if_sanitized RSS
limit_kib=$((64 * 1024))

pg_start_host mem --mesh-version t --test-agents --no-mesh
url=$PG_URL
pid=${PG_PID_mem:?}
kib() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$pid/status"; }
[ -w "/proc/$pid/clear_refs" ] || pg_fail "cannot reset the peak RSS of $pid"

a=$(pg_create "$url")
# body NAME PYTHON-EXPRESSION: write a body file from python's print().
body() { python3 -c "print($2, end='')" >"$PG_TMP/$1.json"; }
body objects "'{\"agent_class_name\":\"EchoAgent\",\"state\":{\"data\":[' + ','.join(['{}'] * 630000) + ']}}'"
body numbers "'{\"kind\":\"clone\",\"agent_class_name\":\"EchoAgent\",\"state\":{\"data\":[' + ','.join(['7'] * 900000) + ']}}'"
body escapes "'{\"agent_class_name\":\"EchoAgent\",\"state\":{\"data\":\"' + '\\\\u0041' * 330000 + '\"}}'"
body echo "'{\"message\":{\"kind\":\"echo\",\"args\":[' + ','.join(['[]'] * 630000) + ']}}'"
body huge "'{\"agent_class_name\":\"EchoAgent\",\"state\":{\"data\":[' + ','.join(['{}'] * 5000000) + ']}}'"

# send WHAT EXPECTED-STATUS CURL-ARGS...: one request, then its peak.
send() {
  local what=$1 want=$2 status peak
  shift 2
  echo 5 >"/proc/$pid/clear_refs"
  status=$(curl -sS -m 60 -o "$PG_TMP/reply" -w '%{http_code}' \
    -H 'Content-Type: application/json' "$@") || status=000
  peak=$(kib VmHWM)
  pg_log "$(printf '%-44s %s  peak %6d KiB, +%6d KiB over start' "$what" "$status" "$peak" $((peak - start)))"
  pg_expect_eq "$what status" "$want" "$status"
  [ "$((peak - start))" -le "$limit_kib" ] ||
    pg_fail "$what: peak RSS $peak KiB, $((peak - start)) KiB over the start's $start KiB (limit $limit_kib)"
}
start=$(kib VmRSS)
pg_log "RSS after start: $start KiB; each request alone must stay within +$limit_kib KiB"
send "create, 1.9 MB of {} in the state" 413 --data-binary @"$PG_TMP/objects.json" "$url/agents"
send "clone envelope, 1.8 MB of small numbers" 413 --data-binary @"$PG_TMP/numbers.json" "$url/agents"
send "create, 2 MB of \\u0041 escapes" 201 --data-binary @"$PG_TMP/escapes.json" "$url/agents"
send "echo of 1.9 MB of []" 413 --data-binary @"$PG_TMP/echo.json" "$url/agents/$a/messages"
send "create, 15 MB body (declared length)" 413 --data-binary @"$PG_TMP/huge.json" "$url/agents"
send "create, 15 MB body (chunked)" 413 -H 'Transfer-Encoding: chunked' \
  --data-binary @"$PG_TMP/huge.json" "$url/agents"
send "list agents" 200 "$url/agents"
pg_pass
