# Table-driven hostile input against one live host, complementing
# test_host_bad_input.sh: every row is one malformed request (truncated,
# wrong types, huge numbers, negative durations, NaN, deep nesting, invalid
# UTF-8, unknown and missing fields, oversize) with the status it must get.
# Each must be a JSON error with a code and a message, and the host must
# answer /health after every row. A few rows check that unknown fields are
# ignored, as the reference does, rather than refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"

pg_start_host rel --mesh-version t --test-agents --max-body 64K
host=$PG_URL
agent=$(pg_create "$host")
tried=0

# row STATUS METHOD PATH [BODY]: an error of that status, then /health.
row() {
  local want=$1 method=$2 path=$3 body=${4:-} out
  out=$(pg_req "$method" "$host$path" "$body")
  local got
  got=$(pg_status)
  [ "$got" = "$want" ] ||
    pg_fail "row $((tried + 1)) ($method $path ${body:0:80}): expected $want, got $got: ${out:0:200}"
  if [ "${want:0:1}" = 4 ]; then
    if [ -z "$(jq -r '.error.code // empty' <<<"$out" 2>/dev/null)" ] ||
      [ -z "$(jq -r '.error.message // empty' <<<"$out" 2>/dev/null)" ]; then
      pg_fail "row $((tried + 1)) ($method $path): not a JSON error: ${out:0:200}"
    fi
  fi
  curl -fsS -m 5 -o /dev/null "$host/health" ||
    pg_fail "row $((tried + 1)) ($method $path): host stopped serving"
  tried=$((tried + 1))
}

create() { row "$1" POST /agents "$2"; }
msg() { row "$1" POST "/agents/$agent/messages" "$2"; }
join() { row "$1" POST /hosts/join "$2"; }
env_with() { # an otherwise valid clone envelope with extra/replaced fields
  printf '{"kind":"clone","agent_class_name":"EchoAgent","state":{}%s}' "$1"
}
deep_mix=$(printf '{"a":[%.0s' $(seq 5000))0$(printf ']}%.0s' $(seq 5000))
long=$(head -c 60000 /dev/zero | tr '\0' a)

# Truncated and not JSON at all.
create 400 '{"agent_class_name":"Ech'
create 400 '{"agent_class_name":"EchoAgent","state":{"counter":'
create 400 '{"agent_class_name":"EchoAgent"} trailing'
create 400 '{}{}'
create 400 '"EchoAgent"'
create 400 'null'
create 400 '42'
create 400 $'{"agent_class_name":"EchoAgent"}\x01'
# Wrong types and missing fields.
create 400 '{"agent_class_name":null}'
create 400 '{"agent_class_name":["EchoAgent"]}'
create 400 '{"agent_class_name":{"name":"EchoAgent"}}'
create 400 '{"state":{}}'
create 400 '{"agent_class_name":"NoSuchAgent"}'
create 400 '{"agent_class_name":"EchoAgent","state":[1]}'
create 400 '{"agent_class_name":"EchoAgent","state":{"counter":"7"}}'
create 400 '{"agent_class_name":"EchoAgent","state":{"counter":1.5}}'
# Huge numbers, NaN and infinities.
create 400 '{"agent_class_name":"EchoAgent","state":{"counter":1e400}}'
create 400 '{"agent_class_name":"EchoAgent","state":{"counter":99999999999999999999999}}'
create 400 '{"agent_class_name":"EchoAgent","state":{"counter":NaN}}'
create 400 '{"agent_class_name":"EchoAgent","state":{"counter":-Infinity}}'
# Invalid UTF-8, NUL and lone surrogates inside strings.
create 400 $'{"agent_class_name":"Echo\xc3\x28Agent"}'
create 400 $'{"agent_class_name":"Echo\xc0\xafAgent"}'
create 400 $'{"agent_class_name":"\xed\xa0\x80"}'
create 400 '{"agent_class_name":"\ud800"}'
create 400 '{"agent_class_name":"Echo\u0000Agent"}'
# Oversize fields within the body cap.
create 400 "{\"agent_class_name\":\"$long\"}"
# Clone envelopes.
create 400 '{"kind":"clone","state":{}}'
create 400 '{"kind":1,"agent_class_name":"EchoAgent","state":{}}'
create 400 "$(env_with ',"metadata":[1]')"
create 400 "$(env_with ",\"source_host_address\":\"http://${long:0:300}\"")"
create 400 "$(env_with ',"state_class_name":"OtherState"')"
create 400 '{"kind":"clone","agent_class_name":"EchoAgent","state":{"counter":"x"}}'
create 400 "{\"kind\":\"clone\",\"agent_class_name\":\"EchoAgent\",\"state\":{\"data\":$deep_mix}}"
# Messages: missing and mistyped fields, unknown operations, bad durations.
msg 400 '{}'
msg 400 '{"msg":{"kind":"echo"}}'
msg 400 '{"message":{}}'
msg 400 '{"message":{"kind":null}}'
msg 400 '{"message":{"kind":"echo"},"oneway":1}'
msg 422 '{"message":{"kind":"fly"}}'
msg 400 '{"message":{"kind":"increment","args":"x"}}'
msg 400 '{"message":{"kind":"increment","args":{"by":1e30}}}'
msg 400 '{"message":{"kind":"increment","args":{"by":18446744073709551616}}}'
msg 400 '{"message":{"kind":"sleep","args":{"seconds":-1}}}'
msg 400 '{"message":{"kind":"sleep","args":{"seconds":-0.000001}}}'
msg 400 '{"message":{"kind":"sleep","args":{"seconds":1e308}}}'
msg 400 '{"message":{"kind":"sleep","args":{"seconds":"1"}}}'
msg 400 '{"message":{"kind":"wait","args":{"counter":1,"timeout":-5}}}'
msg 400 '{"message":{"kind":"wait","args":{"timeout":1}}}'
msg 400 '{"message":{"kind":"call","args":{"host_url":1}}}'
row 404 POST /agents/0123456789abcdef0123456789abcdef/messages '{"message":{"kind":"echo"}}'
# Mesh joins: a HostRef with missing, mistyped or out-of-range fields.
join 400 '[]'
join 400 '{"name":"x"}'
join 400 '{"url":"http://127.0.0.1:1"}'
join 400 '{"name":"x","url":"file:///etc/passwd"}'
join 400 '{"name":"x","url":"http://127.0.0.1:1","heartbeat":-1,"incarnation":1}'
join 400 '{"name":"x","url":"http://127.0.0.1:1","heartbeat":1e300,"incarnation":1}'
join 400 '{"name":"x","url":"http://127.0.0.1:1","age_s":-0.5}'
join 400 '{"name":"x","url":"http://127.0.0.1:1","tags":[1]}'
join 400 '{"name":"x","url":"http://127.0.0.1:1","properties":{"k":[]}}'
join 400 '{"name":"x","url":"http://127.0.0.1:1","online":"yes"}'
join 400 '{"name":"x","url":"http://127.0.0.1:1","members":{}}'
join 400 "{\"name\":\"$long\",\"url\":\"http://127.0.0.1:1\"}"
# Routing: unknown paths and methods.
row 404 GET /nope
row 405 PUT /health
row 404 GET "/agents/$agent/unknown"
row 404 POST /agents/
row 405 PATCH /agents '{"agent_class_name":"EchoAgent"}'

# Unknown fields are ignored, not refused (reference behaviour).
create 201 '{"agent_class_name":"EchoAgent","state":{"counter":1},"colour":"red"}'
msg 200 '{"message":{"kind":"echo","args":{},"priority":9},"trace":true}'

pg_log "$tried malformed or unusual requests answered, host still serving"
pg_expect_eq "agent survived" 2 "$(pg_call "$host" "$agent" increment '{"by":2}' | jq .counter)"
pg_pass
