#!/usr/bin/env python3
"""A mesh attacker for the poisoning tests: one process listening on many
loopback ports. Port P answers pings as the fake host "fake-P"; the first
port answers as "mallory", a member that joined for real. Standard library
only.

Usage: mesh_attacker.py PORTS_FILE N_FAKES
  Listens on N_FAKES + 1 free ports, writes "mallory URL" and then one
  "fake-P URL" line per fake to PORTS_FILE once all listen, and serves
  until killed.
"""
import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INCARNATION = 1


class Handler(BaseHTTPRequestHandler):
    name = "?"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        try:
            request = json.loads(body)
        except ValueError:
            request = {}
        port = self.server.server_address[1]
        url = "http://127.0.0.1:%d" % port
        if self.path in ("/hosts/ping", "/hosts/ping-req"):
            # Whoever is asked about, this port answers as its own host.
            reply = {"ack": [self.server.name, url, INCARNATION]}
        elif self.path in ("/hosts/join", "/hosts/sync"):
            reply = {"hosts": [{"name": self.server.name, "url": url,
                                "code_version": request.get("code_version")
                                or request.get("v") or "t",
                                "incarnation": INCARNATION}]}
        else:
            reply = {}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    ports_file, n_fakes = sys.argv[1], int(sys.argv[2])
    servers = []
    for i in range(n_fakes + 1):
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        port = server.server_address[1]
        server.name = "mallory" if i == 0 else "fake-%d" % port
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    with open(ports_file + ".tmp", "w") as f:
        for server in servers:
            f.write("%s http://127.0.0.1:%d\n"
                    % (server.name, server.server_address[1]))
    import os
    os.rename(ports_file + ".tmp", ports_file)
    threading.Event().wait()


if __name__ == "__main__":
    socket.setdefaulttimeout(10)
    main()
