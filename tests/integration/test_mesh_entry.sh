# Entry selection of `paglets hosts` (the rule every CLI shares): the
# well-known port 8765 on loopback, --entry NAME among the candidates and
# then through the mesh, --entry URL. Runs in a private network namespace
# so port 8765 is ours; skipped where such a namespace cannot be made.
# shellcheck source=mesh_lib.sh
. "$(dirname "$0")/mesh_lib.sh"
mesh_netns "$0" "$@"
. "$(dirname "$0")/lib.sh"

# GET /hosts lists the answering host first: that tells who was asked.
asked() { "$PAGLETS_BIN" hosts --json "$@" | jq -r '.hosts[0].name'; }

set +e
"$PAGLETS_BIN" hosts >/dev/null 2>"$PG_TMP/err"
rc=$?
set -e
pg_expect_eq "nothing on 8765: exit status" 2 "$rc"
pg_expect_match "nothing on 8765: message" \
  "^paglets hosts: no entry host answers on loopback: " "$(cat "$PG_TMP/err")"

mesh_start alpha --mesh-version t --port 8765
alpha=$MESH_URL
mesh_start beta --mesh-version t --peer "$alpha"
beta=$MESH_URL
pg_wait_for 3 mesh_sees "$alpha" beta true || pg_fail "alpha never saw beta"

pg_expect_eq "default entry is 127.0.0.1:8765" alpha "$(asked)"
pg_expect_eq "--entry NAME of the candidate" alpha "$(asked --entry alpha)"
pg_expect_eq "--entry NAME through the mesh" beta "$(asked --entry beta)"
pg_expect_eq "--entry URL" beta "$(asked --entry "$beta")"
set +e
"$PAGLETS_BIN" hosts --entry nobody >/dev/null 2>"$PG_TMP/err"
rc=$?
set -e
pg_expect_eq "unknown name: exit status" 2 "$rc"
pg_expect_eq "unknown name: message" \
  "paglets hosts: no entry host named 'nobody'" "$(cat "$PG_TMP/err")"

pg_pass
