# Helpers shared by the test_host_*.sh scripts, on top of lib.sh: JSON
# requests with curl that record the HTTP status.
# Source after lib.sh.

# pg_req METHOD URL [BODY]: print the reply body; the status lands in
# $PG_TMP/status. Every call is bounded by 10 s. With $PG_KEY set the
# request is signed with that key (pgsig.py), as paglets clients sign;
# with PG_BEARER=1 as well, the key goes as "Authorization: Bearer".
pg_req() {
  local method=$1 url=$2 body=${3:-}
  rm -f "$PG_TMP/body"
  if [ -n "${PG_KEY:-}" ] && [ -z "${PG_BEARER:-}" ]; then
    pg_sig request --timeout 10 --out "$PG_TMP/body" \
      "$method" "$url" ${body:+"$body"} >"$PG_TMP/status" 2>/dev/null ||
      [ -s "$PG_TMP/status" ] || echo 000 >"$PG_TMP/status"
  else
    local args=(-sS -m 10 -o "$PG_TMP/body" -w '%{http_code}' -X "$method")
    [ -n "${PG_KEY:-}" ] && args+=(-H "Authorization: Bearer $PG_KEY")
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    curl "${args[@]}" ${PAGLETS_TLS_CA:+--cacert "$PAGLETS_TLS_CA"} "$url" \
      >"$PG_TMP/status" || echo 000 >"$PG_TMP/status"
  fi
  cat "$PG_TMP/body" 2>/dev/null || true
}

pg_status() { cat "$PG_TMP/status"; }

# pg_expect_status WHAT CODE: the last pg_req answered CODE.
pg_expect_status() {
  pg_expect_eq "$1 status" "$2" "$(pg_status)"
}

# pg_expect_error WHAT CODE ERRNAME BODY: a JSON error of that shape.
pg_expect_error() {
  pg_expect_status "$1" "$2"
  pg_expect_eq "$1 error code" "$3" "$(jq -r '.error.code' <<<"$4")"
  [ -n "$(jq -r '.error.message // empty' <<<"$4")" ] ||
    pg_fail "$1: error without a message: $4"
}

# pg_create URL [STATE]: create an EchoAgent, print its id.
pg_create() {
  local out
  out=$(pg_req POST "$1/agents" "{\"agent_class_name\":\"EchoAgent\",\"state\":${2:-{\}}}")
  pg_expect_status "create on $1" 201
  pg_jq_check -r '.agent_id' <<<"$out"
}

# pg_call URL ID OP [ARGS]: synchronous message, print the result.
pg_call() {
  local out
  out=$(pg_req POST "$1/agents/$2/messages" "{\"message\":{\"kind\":\"$3\",\"args\":${4:-{\}}}}")
  pg_expect_status "$3 on $2" 200
  jq -c '.result' <<<"$out"
}
