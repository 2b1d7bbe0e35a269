# Helpers shared by the test_perf_*.sh scripts: a meshed group of hosts and
# a bounded `paglets examples perf` run. Source after lib.sh.

# pg_perf_mesh NAME...: start hosts meshed through the first one and wait
# until the first lists them all online. Sets PG_URL_<NAME> for each.
pg_perf_mesh() {
  local first=$1 name url seed=""
  for name in "$@"; do
    if [ -z "$seed" ]; then
      url=$(pg_start_host "$name" --mesh-version perf-test --gossip-interval 0.2)
      seed=$url
    else
      url=$(pg_start_host "$name" --mesh-version perf-test --gossip-interval 0.2 --peer "$seed")
    fi
    printf -v "PG_URL_${name//[^A-Za-z0-9_]/_}" %s "$url"
  done
  pg_wait_for 20 pg_perf_online "$seed" "$#" ||
    pg_fail "mesh of $* never formed at $seed (first: $first)"
}

# pg_perf_online URL N: true when the host at URL lists N online hosts.
pg_perf_online() {
  local n
  n=$(curl -fsS -m 2 "$1/hosts" | jq '[.hosts[] | select(.online)] | length') || return 1
  [ "$n" -eq "$2" ]
}

# pg_perf OUTFILE ERRFILE ARGS...: run the benchmark with a time bound;
# prints its exit status.
pg_perf() {
  local out=$1 err=$2 rc=0
  shift 2
  timeout 120 "$PAGLETS_BIN" examples perf "$@" >"$out" 2>"$err" || rc=$?
  echo "$rc"
}
