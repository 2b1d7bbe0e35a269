#!/usr/bin/env python3
"""A malicious entry host for the CLI's tests (Python 3 standard library).

It speaks just enough of the host API (GET /health, GET /hosts, POST
/agents, the benchmark agent's collect/drain/cleanup, dispose) for
`paglets hosts` and `paglets examples perf`, and lies in the way --mode
says: terminal escapes in every string, a creation reply that points
elsewhere, a huge host name, wrong types, duplicate keys, absurd numbers,
non-string pending names, done:true with pending hosts, errors that a
later reply drops, results of hosts that were never online; or it stops
answering (the silent-* and hang-collect modes: the request is logged,
then no reply ever comes). Mode "thief" answers {} to everything: it
stands for a third party that must never be contacted.

Usage: fake_entry.py --mode MODE --url-file FILE --log FILE
                     [--port N] [--name NAME] [--other URL]
It writes its URL to --url-file once it listens and one line per request
("METHOD PATH [operation] [proxy]") to --log.
"""
import argparse
import http.server
import json
import os
import sys
import threading
import time

# Every kind of text a terminal acts on: clear screen, a window title, a
# carriage return and backspace that overwrite, RLO (U+202E), CSI as a C1
# control (U+009B), NEL (U+0085) and DEL.
EVIL = "\x1b[2J\x1b]0;pwned\x07\r\bX\u202e\u009b\u0085\x7f"


def result(name, url, rate=1.0e6, path="/data"):
    """A HostBenchmarkResult the CLI's schema decodes."""
    return {
        "host_name": name,
        "host_url": url,
        "errors": [],
        "cpu": {
            "errors": [],
            "single_core": [
                {"name": "integer", "operations_per_second": rate},
                {"name": "float", "operations_per_second": rate},
                {"name": "sha256", "bytes_per_second": rate},
            ],
            "multi_core": [{"name": "integer-multi", "operations_per_second": rate}],
        },
        "memory": {"errors": [], "metrics": [{"name": "memory-copy", "bytes_per_second": rate}]},
        "disk": {
            "errors": [],
            "skipped": [],
            "volumes": [
                {
                    "path": path,
                    "benchmark_size_bytes": 1048576,
                    "write_bytes_per_second": rate,
                    "read_bytes_per_second": rate,
                    "metadata_files_per_second": rate,
                    "notes": [],
                }
            ],
        },
    }


def summary(results=None, errors=None, cleanup=None, pending=None):
    return {
        "results": results or {},
        "errors": errors or {},
        "cleanup_errors": cleanup or {},
        "pending_hosts": pending or [],
    }


def host_row(name, url, online=True, last_seen=None, active=0, version="t"):
    return {
        "name": name,
        "url": url,
        "code_version": version,
        "online": online,
        "last_seen": time.time() if last_seen is None else last_seen,
        "active_count": active,
        "inactive_count": 0,
        "tags": [],
        "properties": {},
    }


class Scenario:
    """What a mode answers. Raw text (str) is sent as is; anything else as JSON."""

    def __init__(self, args, url):
        self.args = args
        self.url = url
        self.drains = 0
        self.health_name = args.name
        self.hosts = [host_row(args.name, url)]
        self.create_url = url
        self.collect = summary(pending=[args.name])
        self.drain_replies = [{"done": True, "summary": summary(
            results={args.name: {"host_url": url, "result": result(args.name, url)}})}]
        self.cleanup = None  # the last drain's summary
        self.hang = set()  # operations ("dispose" too) never answered
        getattr(self, "mode_" + args.mode.replace("-", "_"))()

    def mode_plain(self):
        pass

    def mode_thief(self):
        pass

    def mode_escapes(self):
        a, b, c, d = ("alpha" + EVIL, "beta" + EVIL, "gamma" + EVIL, "delta" + EVIL)
        self.hosts = [host_row(n, "http://127.0.0.1:1/" + EVIL, version="v" + EVIL)
                      for n in (a, b, c, d)]
        bad = result(a, self.url, path="/data" + EVIL)
        bad["errors"] = ["kernel said " + EVIL]
        bad["disk"]["volumes"][0]["notes"] = ["note " + EVIL]
        bad["disk"]["skipped"] = [{"path": "/skip" + EVIL, "reason": "why " + EVIL}]
        final = summary(results={a: {"host_url": self.url, "result": bad}},
                        errors={b: "boom " + EVIL}, cleanup={c: "gone " + EVIL},
                        pending=[d])
        self.collect = summary(pending=[a, b, c, d])
        self.drain_replies = [
            {"done": False, "summary": summary(pending=[a, b, c, d])},
            {"done": True, "summary": final},
        ]

    def mode_bad_key(self):
        # A result that is no object, under a name full of escapes.
        self.hosts = [host_row("x" + EVIL, self.url)]
        self.drain_replies = [{"done": True, "summary": summary(
            results={"x" + EVIL: 5})}]

    def mode_redirect(self):
        # The creation reply sends every later call to --other.
        self.create_url = self.args.other

    def mode_huge_name(self):
        huge = "h" * (1 << 20)
        self.hosts = [host_row(huge, self.url)] + [
            host_row("n%03d" % i, self.url) for i in range(200)]

    def mode_many_rows(self):
        # A 15 MB host list: 750,000 small rows (for RSS figures).
        self.hosts = '{"hosts": [%s]}' % ",".join(
            '{"name": "n%06d"}' % i for i in range(750000))

    def mode_big_numbers(self):
        n = self.args.name
        self.hosts = [host_row(n, self.url, last_seen=-1e308, active=1e308)]
        self.drain_replies = [{"done": True, "summary": summary(
            results={n: {"host_url": self.url, "result": result(n, self.url, rate=1e308)}})}]

    def mode_dup_keys(self):
        # {"hosts": [...], "hosts": []}: JSON that says two things at once.
        self.hosts = ('{"hosts": [%s], "hosts": []}' % json.dumps(host_row(self.args.name, self.url)))

    def mode_dup_summary(self):
        # An error for alpha, then "errors" again, empty.
        n = self.args.name
        good = json.dumps({"host_url": self.url, "result": result(n, self.url)})
        self.drain_replies = [
            '{"done": true, "summary": {"results": {"%s": %s}, '
            '"errors": {"%s": "first"}, "errors": {}, "cleanup_errors": {}, '
            '"pending_hosts": []}}' % (n, good, n)]
        self.cleanup = summary(results={n: json.loads(good)})

    def mode_wrong_types(self):
        # errors as a list in the drain, then a clean cleanup reply.
        n = self.args.name
        ok = {n: {"host_url": self.url, "result": result(n, self.url)}}
        self.drain_replies = [{"done": True, "summary": {
            "results": ok, "errors": ["boom"], "cleanup_errors": {},
            "pending_hosts": []}}]
        self.cleanup = summary(results=ok)

    def mode_done_type(self):
        # "done": "yes" is no boolean.
        n = self.args.name
        self.drain_replies = [{"done": "yes", "summary": summary(
            results={n: {"host_url": self.url, "result": result(n, self.url)}})}]

    def mode_pending_types(self):
        # Names that are no strings, in the progress and in the summary.
        self.drain_replies = [
            {"done": False, "summary": summary(pending=[1, None, {"a": 1}])},
            {"done": True, "summary": summary(pending=[1, None, {"a": 1}])},
        ]

    def mode_done_pending(self):
        # done: true, yet a host is still pending.
        n = self.args.name
        self.hosts = [host_row(n, self.url), host_row("slow", self.url)]
        self.drain_replies = [{"done": True, "summary": summary(
            results={n: {"host_url": self.url, "result": result(n, self.url)}},
            pending=["slow"])}]

    def mode_drop_error(self):
        # The first drain reports beta's error; the next drain and the
        # cleanup leave it out.
        n = self.args.name
        self.hosts = [host_row(n, self.url), host_row("beta", self.url)]
        ok = {n: {"host_url": self.url, "result": result(n, self.url)}}
        self.drain_replies = [
            {"done": False, "summary": summary(results=ok, errors={"beta": "disk on fire"})},
            {"done": True, "summary": summary(results=ok)},
        ]

    def mode_unknown_host(self):
        # A result from "ghost", which /hosts never listed.
        n = self.args.name
        self.drain_replies = [{"done": True, "summary": summary(results={
            n: {"host_url": self.url, "result": result(n, self.url)},
            "ghost": {"host_url": self.url, "result": result("ghost", self.url)}})}]

    def mode_named(self):
        # /hosts names --name at --other (a host that answers to another name).
        self.hosts = [host_row("decoy", self.url), host_row(self.args.name, self.args.other)]
        self.health_name = "decoy"

    def report_hosts(self, rates, errors=None):
        # Hosts with the same figures at these rates (name order is
        # strcmp order), all online, and host errors.
        names = sorted(rates)
        self.hosts = [host_row(n, self.url) for n in names + sorted(errors or {})]
        results = {n: {"host_url": self.url, "result": result(n, self.url, rate=rates[n])}
                   for n in names}
        self.drain_replies = [{"done": True, "summary": summary(
            results=results, errors=errors)}]

    def mode_report(self):
        # For the HTML report: five hosts, the last one at 0.2 x the
        # median of 1.0e6 (an outlier in every chart), the fastest at
        # 1.1e6; names with markup and terminal escapes; a long name; a
        # host error that is markup.
        self.report_hosts({
            "alpha": 1.0e6, "beta": 1.1e6, "gamma<b>&\"'" + EVIL: 0.9e6,
            "l" * 100: 1.0e6, "zslow<script>alert(1)</script>": 0.2e6},
            errors={"zz-err": "<img src=x onerror=alert(1)>" + EVIL})

    def mode_report_200(self):
        # 200 hosts named h000..h199, h199 an outlier.
        self.report_hosts({"h%03d" % i: (0.2e6 if i == 199 else 1.0e6 + i)
                           for i in range(200)})

    def mode_never_done(self):
        # Drain answers at once and never says done.
        self.drain_replies = [{"done": False, "summary": summary(pending=[self.args.name])}]

    def mode_silent_collect(self):
        # Stops answering once the parent exists.
        self.hang = {"collect", "drain", "cleanup", "dispose"}

    def mode_silent_drain(self):
        # Starts the round, then stops answering.
        self.hang = {"drain", "cleanup", "dispose"}

    def mode_silent_cleanup(self):
        # Finishes the run, then never cleans up.
        self.hang = {"cleanup", "dispose"}

    def mode_hang_collect(self):
        # collect never returns; cleanup and dispose work.
        self.hang = {"collect"}

    def health(self):
        return {"name": self.health_name, "address": self.url, "active_count": 0,
                "inactive_count": 0, "code_version": "t", "api_version": 1,
                "capabilities": ["PerformanceBenchmarkAgent"], "tags": [], "properties": {}}

    def message(self, op):
        if op == "collect":
            return self.collect
        if op == "drain":
            reply = self.drain_replies[min(self.drains, len(self.drain_replies) - 1)]
            self.drains += 1
            return reply
        if op == "cleanup":
            if self.cleanup is not None:
                return self.cleanup
            last = self.drain_replies[-1]
            return last["summary"] if isinstance(last, dict) else json.loads(last)["summary"]
        return {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body):
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self, what):
        # A proxied request names an absolute URL, or comes as CONNECT.
        line = "%s %s %s%s\n" % (self.command, self.path, what,
                                 " proxy" if "://" in self.path else "")
        with self.server.log_lock, open(self.server.args.log, "a") as f:
            f.write(line)

    def do_GET(self):
        self.record("")
        s = self.server.scenario
        if s.args.mode == "thief":
            return self.send(200, {})
        if self.path == "/health":
            return self.send(200, s.health())
        if self.path == "/hosts":
            return self.send(200, s.hosts if isinstance(s.hosts, str) else {"hosts": s.hosts})
        return self.send(404, {"error": {"code": "ENOENT", "message": "no such path"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        op = body.get("message", {}).get("kind", "") if isinstance(body, dict) else ""
        self.record(op)
        s = self.server.scenario
        if s.args.mode == "thief":
            return self.send(200, {})
        if self.path == "/agents":
            with self.server.log_lock:
                s.drains = 0  # a new run starts from the first reply
            return self.send(201, {"agent_id": "p1", "host_url": s.create_url})
        if (op or ("dispose" if self.path.endswith("/dispose") else "")) in s.hang:
            threading.Event().wait()  # the connection stays open, silent
            return None
        if self.path.endswith("/dispose"):
            return self.send(200, {"disposed": "p1"})
        with self.server.log_lock:
            reply = s.message(op)
        if isinstance(reply, str):
            return self.send(200, '{"result": %s}' % reply)
        return self.send(200, {"result": reply})

    def do_CONNECT(self):
        self.record("")
        self.send(502, {})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", required=True)
    p.add_argument("--url-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--name", default="alpha")
    p.add_argument("--other", default="http://127.0.0.1:1")
    args = p.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    url = "http://127.0.0.1:%d" % server.server_address[1]
    server.args = args
    server.log_lock = threading.Lock()
    server.scenario = Scenario(args, url)
    open(args.log, "a").close()
    with open(args.url_file + ".tmp", "w") as f:
        f.write(url + "\n")
    os.rename(args.url_file + ".tmp", args.url_file)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
