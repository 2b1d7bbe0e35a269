# What a web page in the operator's browser cannot do to a host, keyed or
# not: send a body that is not JSON (415: text/plain and form posts need
# no CORS preflight), call from an Origin the host does not allow (403),
# or reach it under a name that is not the host's, as DNS rebinding does
# (421). --allow-host and --allow-origin open what the operator names,
# and a signature's @authority follows the same Host rule.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"

# alpha advertises a name it cannot be reached at here, so it is started
# by hand on a port picked first (pg_start_host waits on the logged URL).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PAGLETS_BIN" host --name alpha --port "$port" --mesh-version t --test-agents \
  --allow-host alias.example --allow-host proxy.example:9000 \
  --allow-origin http://dash.example:3000 \
  --public-url http://public.example:7000 >/dev/null 2>"$PG_TMP/alpha.log" &
PG_PIDS+=("$!")
pg_guard "$!"
alpha=http://127.0.0.1:$port
pg_wait_health "$alpha" || pg_fail "alpha never answered /health"

# code METHOD URL [CURL ARGS...]: the status curl gets.
code() {
  local method=$1 url=$2
  shift 2
  curl -sS -m 5 -o "$PG_TMP/out" -w '%{http_code}' -X "$method" "$@" "$url"
}

# 415: a POST with a body must say application/json.
create='{"agent_class_name":"EchoAgent"}'
pg_expect_eq "text/plain body" 415 \
  "$(code POST "$alpha/agents" -H 'Content-Type: text/plain' --data-binary "$create")"
pg_expect_eq "415 code" EMEDIUMTYPE "$(jq -r .error.code "$PG_TMP/out")"
pg_expect_eq "curl -d (a form post)" 415 "$(code POST "$alpha/agents" -d "$create")"
pg_expect_eq "no Content-Type" 415 \
  "$(code POST "$alpha/agents" -H 'Content-Type:' --data-binary "$create")"
pg_expect_eq "chunked text/plain" 415 \
  "$(code POST "$alpha/agents" -H 'Content-Type: text/plain' \
    -H 'Transfer-Encoding: chunked' --data-binary "$create")"
pg_expect_eq "application/json with a charset" 201 \
  "$(code POST "$alpha/agents" -H 'Content-Type: Application/JSON; charset=utf-8' \
    --data-binary "$create")"
id=$(jq -r .agent_id "$PG_TMP/out")
pg_expect_eq "a POST without a body needs no type" 200 \
  "$(code POST "$alpha/agents/$id/dispose")"

# 421: the Host must be one of the host's own authorities.
pg_expect_eq "own address" 200 "$(code GET "$alpha/health")"
pg_expect_eq "localhost" 200 "$(code GET "$alpha/health" -H "Host: localhost:$port")"
pg_expect_eq "advertised URL" 200 \
  "$(code GET "$alpha/health" -H "Host: public.example:7000")"
pg_expect_eq "--allow-host NAME" 200 \
  "$(code GET "$alpha/health" -H "Host: alias.example:$port")"
pg_expect_eq "--allow-host NAME:PORT" 200 \
  "$(code GET "$alpha/health" -H "Host: proxy.example:9000")"
pg_expect_eq "DNS rebinding" 421 \
  "$(code GET "http://rebind.example:$port/health" --resolve "rebind.example:$port:127.0.0.1")"
pg_expect_eq "421 code" EADDRNOTAVAIL "$(jq -r .error.code "$PG_TMP/out")"
pg_expect_match "421 message" "rebind.example" "$(jq -r .error.message "$PG_TMP/out")"
pg_expect_eq "another port" 421 \
  "$(code GET "$alpha/health" -H "Host: 127.0.0.1:$((port + 1))")"
pg_expect_eq "--allow-host NAME on another port" 421 \
  "$(code GET "$alpha/health" -H "Host: alias.example:1")"
pg_expect_eq "--allow-host NAME:PORT on another port" 421 \
  "$(code GET "$alpha/health" -H "Host: proxy.example:$port")"
pg_expect_eq "another loopback address" 421 \
  "$(code GET "$alpha/health" -H "Host: 127.0.0.2:$port")"
pg_expect_eq "no Host (HTTP/1.0)" 421 "$(code GET "$alpha/health" -0 -H 'Host:')"
pg_expect_eq "POST to a rebound name" 421 \
  "$(code POST "$alpha/agents" -H "Host: evil.example:$port" \
    -H 'Content-Type: application/json' --data-binary "$create")"

# 403: a page of another origin; an allowed one gets CORS headers.
pg_expect_eq "foreign Origin" 403 \
  "$(code GET "$alpha/health" -H 'Origin: http://evil.example')"
pg_expect_eq "403 code" EPERM "$(jq -r .error.code "$PG_TMP/out")"
pg_expect_eq "foreign Origin, POST" 403 \
  "$(code POST "$alpha/agents" -H 'Origin: http://evil.example' \
    -H 'Content-Type: application/json' --data-binary "$create")"
pg_expect_eq "Origin null" 403 "$(code GET "$alpha/health" -H 'Origin: null')"
pg_expect_eq "allowed Origin" 200 \
  "$(code GET "$alpha/health" -H 'Origin: http://dash.example:3000' -D "$PG_TMP/headers")"
pg_expect_match "CORS header" "Access-Control-Allow-Origin: http://dash.example:3000" \
  "$(tr -d '\r' <"$PG_TMP/headers")"
pg_expect_eq "allowed Origin's preflight" 204 \
  "$(code OPTIONS "$alpha/agents" -H 'Origin: http://dash.example:3000' \
    -H 'Access-Control-Request-Method: POST' -D "$PG_TMP/headers")"
pg_expect_match "preflight allows the signature headers" \
  "Access-Control-Allow-Headers: .*Signature-Input" "$(tr -d '\r' <"$PG_TMP/headers")"
pg_expect_eq "foreign preflight" 403 \
  "$(code OPTIONS "$alpha/agents" -H 'Origin: http://evil.example' \
    -H 'Access-Control-Request-Method: POST')"

# A host on a wildcard address takes its interface addresses, loopback
# included, on its own port only.
pg_start_host wild --mesh-version t --test-agents --host 0.0.0.0 --no-mesh-multicast
wport=${PG_URL##*:}
pg_expect_eq "wildcard: 127.0.0.2" 200 \
  "$(code GET "http://127.0.0.1:$wport/health" -H "Host: 127.0.0.2:$wport")"
pg_expect_eq "wildcard: localhost" 200 \
  "$(code GET "http://127.0.0.1:$wport/health" -H "Host: localhost:$wport")"
pg_expect_eq "wildcard: another port" 421 \
  "$(code GET "http://127.0.0.1:$wport/health" -H "Host: 127.0.0.2:$port")"
pg_expect_eq "wildcard: a name" 421 \
  "$(code GET "http://127.0.0.1:$wport/health" -H "Host: evil.example:$wport")"
lan=$(ip -o -4 addr show scope global 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -n 1)
if [ -n "$lan" ]; then
  pg_expect_eq "wildcard: interface address $lan" 200 \
    "$(code GET "http://127.0.0.1:$wport/health" -H "Host: $lan:$wport")"
fi
pg_expect_eq "wildcard: not an interface address" 421 \
  "$(code GET "http://127.0.0.1:$wport/health" -H "Host: 192.0.2.1:$wport")"

# A keyed host checks a signature's @authority with the same rule: signed
# for an allowed alias it is served, for a foreign name it never gets to
# the signature.
export PAGLETS_API_KEY=browser-key
pg_start_host keyed --mesh-version t --test-agents --allow-host alias.example
kport=${PG_URL##*:}
status=$(PG_KEY=$PAGLETS_API_KEY pg_sig request --out /dev/null \
  --host-header "alias.example:$kport" --authority "alias.example:$kport" \
  GET "$PG_URL/health")
pg_expect_eq "signed for an allowed alias" 200 "$status"
status=$(PG_KEY=$PAGLETS_API_KEY pg_sig request --out "$PG_TMP/out" \
  --host-header "evil.example:$kport" --authority "evil.example:$kport" \
  GET "$PG_URL/health")
pg_expect_eq "signed for a foreign name" 421 "$status"
status=$(PG_KEY=$PAGLETS_API_KEY pg_sig request --out /dev/null \
  --header 'Origin: http://evil.example' GET "$PG_URL/health")
pg_expect_eq "signed, from a foreign Origin" 403 "$status"
status=$(PG_KEY=$PAGLETS_API_KEY pg_sig request --out /dev/null \
  --header 'Content-Type: text/plain' POST "$PG_URL/agents" "$create")
pg_expect_eq "signed, text/plain" 415 "$status"

pg_pass
