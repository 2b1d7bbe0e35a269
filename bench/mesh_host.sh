#!/usr/bin/env bash
#
# mesh_host.sh - footprint and latency of one `paglets host`
#
# Purpose:  measure the host figures of issue 4 against their targets:
#             idle host RSS                                 <= 4 MiB
#             launch to the first 200 from /health          <= 20 ms
#             median clone of a 1 KiB-state agent to a
#             second local host (POST /agents/{id}/clone)   <= 2 ms
#           plus the time from SIGTERM to exit. Each repeat launches fresh
#           hosts on free loopback ports; one warm-up repeat is dropped.
#           Prints median, min and max; all raw samples go to
#           results/<utc-time>-<git-sha>.json (times in ns, sizes in bytes).
# Usage:    bench/mesh_host.sh [-n REPEATS] [-c CLONES] [-b PAGLETS] [-h]
#             -n  repeats after the warm-up (default 5)
#             -c  clones timed per repeat (default 200)
#             -b  the paglets binary (default build/paglets)
# Example:  bench/mesh_host.sh -n 5 -c 500
# Requires: a Release build (cmake --build build), python3 (standard
#           library only), loopback networking. Changes no system setting.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -euo/d'
}

repeats=5
clones=200
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/paglets
while getopts "n:c:b:h" opt; do
  case $opt in
    n) repeats=$OPTARG ;;
    c) clones=$OPTARG ;;
    b) bin=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; exit 2; }
[[ $repeats =~ ^[1-9][0-9]*$ && $clones =~ ^[1-9][0-9]*$ ]] ||
  { echo "mesh_host.sh: -n and -c take positive integers" >&2; exit 2; }
[ -x "$bin" ] || { echo "mesh_host.sh: no binary at $bin (build first)" >&2; exit 2; }

sha=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
mkdir -p "$root/results"
out="$root/results/$(date -u +%Y%m%dT%H%M%SZ)-$sha.json"

python3 - "$bin" "$repeats" "$clones" "$out" "$sha" <<'PY'
import http.client, json, platform, signal, socket, statistics
import subprocess, sys, time

binary, repeats, clones, out, sha = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
procs = []

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def launch(name, *extra):
    port = free_port()
    args = [binary, "host", "--name", name, "--port", str(port),
            "--mesh-version", "bench", "--log-level", "warn", "--test-agents",
            *extra]
    t0 = time.perf_counter_ns()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(p)
    deadline = time.monotonic() + 10
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                c.close()
                return p, port, time.perf_counter_ns() - t0
        except OSError:
            pass
        if time.monotonic() > deadline or p.poll() is not None:
            sys.exit(f"mesh_host.sh: host {name} did not answer /health")
        time.sleep(0.0002)

def stop(p):
    t0 = time.perf_counter_ns()
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=30)
    procs.remove(p)
    if rc != 0:
        sys.exit(f"mesh_host.sh: host exited {rc} on SIGTERM")
    return time.perf_counter_ns() - t0

def memory_bytes(p):
    """VmRSS and RssAnon from status, Pss from smaps_rollup, in bytes."""
    found = {}
    for path, keys in ((f"/proc/{p.pid}/status", ("VmRSS:", "RssAnon:")),
                       (f"/proc/{p.pid}/smaps_rollup", ("Pss:",))):
        with open(path) as f:
            for line in f:
                k = line.split()[0] if line.strip() else ""
                if k in keys:
                    found[k] = int(line.split()[1]) * 1024
    return found.get("VmRSS:", 0), found.get("RssAnon:", 0), found.get("Pss:", 0)

def exec_floor_ns():
    """Median time to run `paglets --version`: exec and dynamic linking,
    the part of the launch figure that is not the host."""
    samples = []
    for _ in range(11):
        t0 = time.perf_counter_ns()
        subprocess.run([binary, "--version"], stdout=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter_ns() - t0)
    return int(statistics.median(samples))

def post(conn, path, body):
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        sys.exit(f"mesh_host.sh: POST {path}: {r.status} {data[:200]!r}")
    return json.loads(data)

def clone_samples():
    alpha, aport, _ = launch("alpha")
    beta, bport, _ = launch("beta", "--peer", f"http://127.0.0.1:{aport}")
    a = http.client.HTTPConnection("127.0.0.1", aport, timeout=10)
    b = http.client.HTTPConnection("127.0.0.1", bport, timeout=10)
    state = {"counter": 0, "data": "x" * 1024}
    agent = post(a, "/agents", {"agent_class_name": "EchoAgent", "state": state})["agent_id"]
    target = {"target": f"http://127.0.0.1:{bport}"}
    samples = []
    for i in range(clones + 20):
        t0 = time.perf_counter_ns()
        clone = post(a, f"/agents/{agent}/clone", target)
        dt = time.perf_counter_ns() - t0
        post(b, f"/agents/{clone['agent_id']}/dispose", {})
        if i >= 20:
            samples.append(dt)
    a.close(); b.close()
    stop(beta); stop(alpha)
    return samples

runs = []
try:
    for r in range(repeats + 1):
        p, _, launch_ns = launch("solo")
        time.sleep(1.0)
        rss, anon, pss = memory_bytes(p)
        exit_ns = stop(p)
        clone_ns = clone_samples()
        if r > 0:
            runs.append({"launch_to_health_ns": launch_ns,
                         "version_exec_ns": exec_floor_ns(), "idle_rss_bytes": rss,
                         "idle_rss_anon_bytes": anon, "idle_pss_bytes": pss,
                         "sigterm_to_exit_ns": exit_ns,
                         "clone_median_ns": int(statistics.median(clone_ns)),
                         "clone_samples_ns": clone_ns})
finally:
    for p in procs:
        p.kill()

def row(label, key, unit, scale, target):
    v = [x[key] for x in runs]
    print(f"{label:<34} {statistics.median(v)/scale:>9.2f} {min(v)/scale:>9.2f} "
          f"{max(v)/scale:>9.2f}  {unit:<4} {target}")

print(f"{'figure (' + str(repeats) + ' repeats)':<34} {'median':>9} {'min':>9} {'max':>9}")
row("idle host RSS", "idle_rss_bytes", "MiB", 1048576, "target <= 4")
row("  of which private (RssAnon)", "idle_rss_anon_bytes", "MiB", 1048576, "")
row("  proportional share (Pss)", "idle_pss_bytes", "MiB", 1048576, "")
row("launch to first 200 /health", "launch_to_health_ns", "ms", 1e6, "target <= 20")
row("  paglets --version (exec floor)", "version_exec_ns", "ms", 1e6, "")
row(f"clone 1 KiB state (median of {clones})", "clone_median_ns", "ms", 1e6, "target <= 2")
row("SIGTERM to exit", "sigterm_to_exit_ns", "ms", 1e6, "(reference: 570)")

doc = {"schema_version": 1, "paglets_version": subprocess.run([binary, "--version"],
       capture_output=True, text=True).stdout.split("\n")[0].split()[-1],
       "git_sha": sha, "build_type": "Release", "kernel": platform.release(),
       "cpu_model": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                          if l.startswith("model name")), "unknown"),
       "host_count": 2, "benchmark": "mesh_host", "runs": runs}
with open(out, "w") as f:
    json.dump(doc, f, indent=2)
print(f"raw samples: {out}")
PY
