# The helpers other tests rely on to fail when nothing answers: pg_jq_check
# (Debian's jq 1.6 exits 0 for `jq -e` on empty input) and the mesh checks
# built on it, positive and negative, against a port where no host listens.
# shellcheck source=mesh_lib.sh
. "$(dirname "$0")/mesh_lib.sh"
. "$(dirname "$0")/lib.sh"

status() { # COMMAND...: print its exit status
  local rc=0
  "$@" >/dev/null 2>&1 || rc=$?
  echo "$rc"
}
jq_on() { printf '%s' "$1" | pg_jq_check "${@:2}"; }

pg_expect_eq "pg_jq_check, true filter" 0 "$(status jq_on '{"a":1}' '.a == 1')"
pg_expect_eq "pg_jq_check, false filter" 1 "$(status jq_on '{"a":2}' '.a == 1')"
pg_expect_eq "pg_jq_check, null result" 1 "$(status jq_on '{}' '.a')"
pg_expect_eq "pg_jq_check, empty input" 4 "$(status jq_on '' '.a == 1')"
pg_expect_eq "pg_jq_check, blank input" 4 "$(status jq_on $'\n \n' 'true')"
pg_expect_eq "pg_jq_check passes the output on" abc "$(jq_on '{"id":"abc"}' -r .id)"
# What it guards against: plain jq -e passes on nothing.
pg_expect_eq "jq -e on empty input (why the helper exists)" 0 \
  "$(status jq -e '.a == 1' </dev/null)"

# A port nobody listens on: taken, then released.
dead=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dead="http://127.0.0.1:$dead"
pg_expect_eq "curl | pg_jq_check, no host" 4 \
  "$(status bash -c ". '$(dirname "$0")/jq_check.sh'; curl -s -m 2 '$dead/hosts' | pg_jq_check 'true'")"
for check in "mesh_sees $dead alpha true" "mesh_sees $dead alpha false" \
    "mesh_lists $dead alpha" "mesh_omits $dead alpha" "mesh_omits $dead alpha online"; do
  # shellcheck disable=SC2086 # split on purpose
  [ "$(status $check)" -ne 0 ] || pg_fail "'$check' holds with no host answering"
done

# The same checks against a live host that lists alpha (itself) online.
mesh_start alpha --mesh-version t --no-mesh
mesh_sees "$MESH_URL" alpha true || pg_fail "mesh_sees misses alpha on its own list"
mesh_omits "$MESH_URL" gamma || pg_fail "mesh_omits: alpha lists a gamma"
[ "$(status mesh_omits "$MESH_URL" alpha)" -eq 1 ] || pg_fail "mesh_omits: alpha omits itself"
pg_pass
