# Mesh versions: a host of another mesh version that joins through a member
# is never listed online by the mesh, and the refusal is logged once.
# shellcheck source=mesh_lib.sh
. "$(dirname "$0")/mesh_lib.sh"
. "$(dirname "$0")/lib.sh"

fast=(--gossip-interval 0.2)
mesh_start alpha --mesh-version t "${fast[@]}"
alpha=$MESH_URL
mesh_start beta --mesh-version t --peer "$alpha" "${fast[@]}"
beta=$MESH_URL
mesh_start gamma --mesh-version other --peer "$alpha" --peer "$beta" "${fast[@]}"
gamma=$MESH_URL

pg_wait_for 3 mesh_sees "$beta" alpha true || pg_fail "beta never saw alpha"
# Fifteen rounds: plenty of chances for gossip to leak gamma in.
for _ in $(seq 15); do
  for url in "$alpha" "$beta"; do
    ! mesh_sees "$url" gamma true || pg_fail "$url lists gamma online"
  done
  ! mesh_sees "$gamma" alpha true || pg_fail "gamma lists alpha online"
  sleep 0.2
done
pg_expect_eq "alpha logs the refusal of gamma once" 1 \
  "$(grep -c "refusing host 'gamma'" "$PG_TMP/alpha.log")"
pg_expect_match "gamma logs why it refuses alpha" "mesh version 't' is not ours" \
  "$(cat "$PG_TMP/gamma.log")"

pg_pass
