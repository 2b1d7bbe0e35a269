# The mesh under an API key: hosts that share the key mesh with it on
# every exchange; a host without it is refused (401) and never listed.
# shellcheck source=mesh_lib.sh
. "$(dirname "$0")/mesh_lib.sh"
. "$(dirname "$0")/lib.sh"

export PAGLETS_API_KEY=mesh-secret-1
mesh_start alpha --mesh-version t --gossip-interval 0.2
alpha=$MESH_URL
mesh_start beta --mesh-version t --gossip-interval 0.2 --peer "$alpha"
beta=$MESH_URL
pg_wait_for 3 mesh_sees "$alpha" beta true || pg_fail "alpha never saw beta"
pg_wait_for 3 mesh_sees "$beta" alpha true || pg_fail "beta never saw alpha"

# gamma reads its key from a variable that is not set: it sends none.
mesh_start gamma --mesh-version t --gossip-interval 0.2 \
  --api-key-env PG_NO_SUCH_KEY --peer "$alpha"
gamma=$MESH_URL
# Evidence that gamma tried: it logs its first refused join, and it has
# failed more than once (it retries with a backoff).
pg_wait_for 5 grep -q "cannot join seed $alpha" "$PG_TMP/gamma.log" ||
  pg_fail "gamma never tried to join alpha"
pg_expect_match "gamma's join refused" "cannot join seed $alpha: .*401" "$(cat "$PG_TMP/gamma.log")"
failed_twice() { [ "$(mesh_hosts "$gamma" | jq '.mesh.exchanges_failed')" -ge 2 ]; }
pg_wait_for 10 failed_twice || pg_fail "gamma did not try a second time"
mesh_omits "$alpha" gamma || pg_fail "alpha lists gamma, which has no key"
mesh_omits "$beta" gamma || pg_fail "beta lists gamma, which has no key"

out=$("$PAGLETS_BIN" hosts --entry "$alpha" --json)
pg_expect_eq "paglets hosts sends the key" "alpha beta" \
  "$(jq -r '[.hosts[].name] | sort | join(" ")' <<<"$out")"
set +e
PAGLETS_API_KEY=wrong "$PAGLETS_BIN" hosts --entry "$alpha" >/dev/null 2>"$PG_TMP/err"
rc=$?
set -e
pg_expect_eq "wrong key: exit status" 2 "$rc"
pg_expect_match "wrong key: message" "^paglets hosts: .*401" "$(cat "$PG_TMP/err")"

pg_pass
