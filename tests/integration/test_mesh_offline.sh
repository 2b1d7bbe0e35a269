# The offline window: a killed host goes offline within the window and is
# online again once restarted, whether it is the joiner or the seed.
# shellcheck source=mesh_lib.sh
. "$(dirname "$0")/mesh_lib.sh"
. "$(dirname "$0")/lib.sh"

fast=(--mesh-version t --gossip-interval 0.2 --offline-after 2)
mesh_start alpha "${fast[@]}"
alpha=$MESH_URL
alpha_pid=$MESH_PID
mesh_start beta --peer "$alpha" "${fast[@]}"
beta=$MESH_URL
beta_pid=$MESH_PID
pg_wait_for 3 mesh_sees "$alpha" beta true || pg_fail "alpha never saw beta"
pg_wait_for 3 mesh_sees "$beta" alpha true || pg_fail "beta never saw alpha"

# The joiner dies: offline within the 2 s window (plus a round and slack).
mesh_kill "$beta_pid"
pg_wait_for 1 mesh_sees "$alpha" beta true || pg_fail "beta dropped too soon"
pg_wait_for 3 mesh_sees "$alpha" beta false ||
  pg_fail "alpha still lists beta online 3 s after it died"
mesh_start beta --peer "$alpha" "${fast[@]}"
beta=$MESH_URL
pg_wait_for 3 mesh_sees "$alpha" beta true || pg_fail "restarted beta not back"
pg_expect_eq "alpha has beta's new URL" "$beta" \
  "$(mesh_hosts "$alpha" | jq -r '.hosts[] | select(.name == "beta") | .url')"

# The seed dies and comes back on its old port: beta keeps asking for it.
port=${alpha##*:}
mesh_kill "$alpha_pid"
pg_wait_for 3 mesh_sees "$beta" alpha false || pg_fail "beta keeps alpha online"
pg_start_host alpha --port "$port" "${fast[@]}"
pg_wait_for 5 mesh_sees "$beta" alpha true || pg_fail "restarted alpha not back"
pg_wait_for 3 mesh_sees "$alpha" beta true || pg_fail "new alpha never saw beta"

pg_pass
