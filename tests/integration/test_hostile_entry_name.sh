# `--entry NAME` resolved through the mesh: the URL an entry host lists
# for NAME gets a request only as the host of that name, so its /health
# must answer NAME. Runs in a private network namespace so port 8765 is
# ours; skipped where such a namespace cannot be made.
# shellcheck source=mesh_lib.sh
. "$(dirname "$0")/mesh_lib.sh"
mesh_netns "$0" "$@"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fake_lib.sh"

# mallory answers /health as "mallory"; the decoy on 8765 lists it as beta.
pg_start_fake mallory plain --name mallory
pg_start_fake decoy named --port 8765 --name beta --other "$FAKE_URL_mallory"

rc=0
timeout 20 "$PAGLETS_BIN" hosts --entry beta >"$PG_TMP/out" 2>"$PG_TMP/err" || rc=$?
pg_expect_eq "hosts --entry beta: exit status" 2 "$rc"
pg_expect_eq "hosts --entry beta: nothing on stdout" "" "$(cat "$PG_TMP/out")"
pg_expect_match "hosts --entry beta: says who answered" \
  "no entry host named 'beta': the mesh lists it at $FAKE_URL_mallory, which answers as 'mallory'" \
  "$(cat "$PG_TMP/err")"

rc=0
timeout 20 "$PAGLETS_BIN" examples perf --entry beta --no-cpu --no-memory --no-disk \
  >"$PG_TMP/out" 2>"$PG_TMP/err" || rc=$?
pg_expect_eq "perf --entry beta: exit status" 2 "$rc"
pg_expect_eq "perf --entry beta: no agent created anywhere" "" \
  "$(grep -h 'POST' "$PG_TMP/mallory.requests" "$PG_TMP/decoy.requests" || true)"

# The candidate itself still answers to its own name.
rc=0
timeout 20 "$PAGLETS_BIN" hosts --entry decoy >"$PG_TMP/out" 2>"$PG_TMP/err" || rc=$?
pg_expect_eq "hosts --entry decoy: exit status" 0 "$rc"
pg_pass
