# `paglets hosts`: the mesh as a table and as JSON, and its errors.
# shellcheck source=mesh_lib.sh
. "$(dirname "$0")/mesh_lib.sh"
. "$(dirname "$0")/lib.sh"

mesh_start alpha --mesh-version t --tag gpu
alpha=$MESH_URL
mesh_start beta --mesh-version t --peer "$alpha"
beta=$MESH_URL
pg_wait_for 3 mesh_sees "$alpha" beta true || pg_fail "alpha never saw beta"

out=$("$PAGLETS_BIN" hosts --entry "$alpha")
pg_expect_match "table header" '^name +url +version +online +last seen +agents' "$out"
pg_expect_match "alpha row" "alpha +$alpha +t +yes +now +0" "$out"
pg_expect_match "beta row" "beta +$beta +t +yes" "$out"
pg_expect_eq "one line per host plus header" 3 "$(wc -l <<<"$out")"

out=$("$PAGLETS_BIN" hosts --entry "$alpha/" --json)
pg_expect_eq "JSON lists both" "alpha beta" \
  "$(jq -r '[.hosts[].name] | sort | join(" ")' <<<"$out")"
pg_expect_eq "JSON keeps tags" "gpu" \
  "$(jq -r '.hosts[] | select(.name == "alpha") | .tags[0]' <<<"$out")"

# expect_error WHAT PATTERN [STATUS] -- ARGS...: hosts ARGS fails with
# STATUS (default 2) and one line on stderr matching PATTERN.
expect_error() {
  local what=$1 pattern=$2 want=2 rc
  shift 2
  if [ "$1" != -- ]; then want=$1; shift; fi
  shift
  set +e
  "$PAGLETS_BIN" hosts "$@" >"$PG_TMP/out" 2>"$PG_TMP/err"
  rc=$?
  set -e
  pg_expect_eq "$what: exit status" "$want" "$rc"
  pg_expect_eq "$what: nothing on stdout" "" "$(cat "$PG_TMP/out")"
  pg_expect_eq "$what: one-line message" 1 "$(wc -l <"$PG_TMP/err")"
  pg_expect_match "$what: message" "$pattern" "$(cat "$PG_TMP/err")"
}
# A port nobody listens on: one the kernel just handed out and took back.
closed=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect_error "closed port" "^paglets hosts: " -- --entry "http://127.0.0.1:$closed"
expect_error "unknown name" "no entry host named 'no-such-host-x'|no entry host answers" \
  -- --entry no-such-host-x
expect_error "stray operand" "unexpected argument 'extra'" -- --entry "$alpha" extra

# A host that answers with an error, a 401 included, is status 1 (the man
# page's "the entry host answered with an error").
PAGLETS_API_KEY=right-key pg_start_host keyed --no-mesh
PAGLETS_API_KEY='' expect_error "no key" "HTTP 401" 1 -- --entry "$PG_URL_keyed"
PAGLETS_API_KEY=wrong-key expect_error "wrong key" "HTTP 401" 1 -- --entry "$PG_URL_keyed"

pg_pass
