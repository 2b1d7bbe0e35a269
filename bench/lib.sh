# Shared by the bench scripts that start hosts and summarise samples:
# sourced, not run. The caller sets pids=() (hosts started), work (a
# scratch directory), bin (the paglets binary) and, to record each host's
# start time, samples (a file of "key value" lines).

# Stop every host in pids and wait for them.
stop_hosts() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}

now_ns() { date +%s%N; }

# stats [FORMAT]: "median min max" of the numbers on stdin, each printed
# with FORMAT (printf style, default %.1f).
stats() {
  local f=${1:-%.1f}
  sort -g | awk -v f="$f" '{v[NR] = $1} END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf f " " f " " f "\n", m, v[1], v[NR]}'
}

# start_mesh N VERSION: hosts h1..hN of mesh version VERSION on ephemeral
# loopback ports, meshed through h1; sets entry to h1's URL once all N are
# listed online. With samples set, appends "host_start_ms MS" per host.
start_mesh() {
  local n=$1 version=$2 i url seed="" start log me
  me=$(basename "$0")
  for i in $(seq 1 "$n"); do
    log=$work/h$i.log
    # Created here: the host's own redirection may come after our first read.
    : >"$log"
    start=$(now_ns)
    TMPDIR=$work/tmp XDG_RUNTIME_DIR=$work/tmp "$bin" host --name "h$i" --port 0 \
      --mesh-version "$version" ${seed:+--peer "$seed"} >/dev/null 2>"$log" &
    pids+=("$!")
    url=""
    for _ in $(seq 400); do
      url=$(sed -n "s/.*host 'h$i' listening on \(http[^ ]*\).*/\1/p" "$log")
      [ -n "$url" ] && curl -fsS -m 1 "$url/health" >/dev/null 2>&1 && break
      url=""
      sleep 0.005
    done
    [ -n "$url" ] || { echo "$me: host h$i did not start" >&2; exit 1; }
    if [ -n "${samples:-}" ]; then
      echo "host_start_ms $(( ($(now_ns) - start) / 1000 )) " |
        awk '{printf "%s %.1f\n", $1, $2 / 1000}' >>"$samples"
    fi
    [ -n "$seed" ] || seed=$url
  done
  entry=$seed
  for _ in $(seq 300); do
    [ "$(curl -fsS -m 2 "$entry/hosts" |
      jq '[.hosts[] | select(.online)] | length')" -eq "$n" ] && return 0
    sleep 0.1
  done
  echo "$me: the $n-host mesh did not form" >&2
  exit 1
}
