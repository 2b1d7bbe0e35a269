#!/usr/bin/env python3
"""HTTP Message Signatures as paglets speaks them, in the standard library
alone: a second implementation of src/wire/sig.c for the integration tests.

  pgsig.py request [OPTIONS] METHOD URL [BODY]
      Send one request signed with $PG_KEY (or --key), write the reply body
      to --out (default stdout) and print the status. --bearer sends
      "Authorization: Bearer KEY" instead of a signature, --also-bearer
      both; --sign-body TEXT signs TEXT's digest but sends BODY; --created and
      --nonce fix those parameters; --repeat N sends the very same signed
      request N times (one status per line); --check-reply verifies the
      reply's signature and exits 3 when it is missing or wrong;
      --header 'Name: value' adds a header; --cacert FILE for https
      (default $PAGLETS_TLS_CA); --fail prints only the body and exits 22
      on a status that is not 2xx, as curl -f does.
  pgsig.py serve --port-file FILE --mode MODE [--capture FILE] [--name N]
      A fake paglets host on 127.0.0.1 (ephemeral port written to FILE):
      MODE signed answers /health and /hosts signed with the key, unsigned
      without a signature, forged with the key's id but another key's MAC;
      every request line, header and body is appended to --capture.

The test API key comes from $PG_KEY. Nothing here is used by paglets itself.
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import socketserver
import ssl
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LABEL = "paglets"
ALG = "hmac-sha256"
MAC_LABEL = b"paglets http message signatures v1"
KEYID_LABEL = b"paglets key id v1"
REQUEST_COMPONENTS = ["@method", "@authority", "@path", "@query",
                      "content-digest"]


def derive(api_key):
    """The MAC key and key id of an API key, as sig.c derives them."""
    k = api_key.encode()
    mac_key = hmac.new(k, MAC_LABEL, hashlib.sha256).digest()
    keyid = "pk-" + hmac.new(k, KEYID_LABEL, hashlib.sha256).hexdigest()[:16]
    return mac_key, keyid


def content_digest(body):
    return "sha-256=:%s:" % base64.b64encode(
        hashlib.sha256(body).digest()).decode()


def sf_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def request_params(created, nonce, keyid):
    comps = " ".join(sf_string(c) for c in REQUEST_COMPONENTS)
    return "(%s);created=%d;nonce=%s;keyid=%s;alg=%s" % (
        comps, created, sf_string(nonce), sf_string(keyid), sf_string(ALG))


def request_base(values, params):
    lines = ['"%s": %s' % (c, values[c]) for c in REQUEST_COMPONENTS]
    lines.append('"@signature-params": ' + params)
    return "\n".join(lines).encode()


def sign_request(api_key, method, authority, path, query, digest, created,
                 nonce):
    """(Signature-Input, Signature, mac) of a request."""
    mac_key, keyid = derive(api_key)
    params = request_params(created, nonce, keyid)
    values = {"@method": method, "@authority": authority, "@path": path,
              "@query": query, "content-digest": digest}
    mac = hmac.new(mac_key, request_base(values, params),
                   hashlib.sha256).digest()
    return ("%s=%s" % (LABEL, params),
            "%s=:%s:" % (LABEL, base64.b64encode(mac).decode()), mac)


def response_params(created, keyid):
    return ('("@status" "content-digest" "signature";req;key="%s")'
            ';created=%d;keyid=%s;alg=%s' % (LABEL, created, sf_string(keyid),
                                              sf_string(ALG)))


def sign_response(api_key, status, digest, req_mac, created):
    mac_key, keyid = derive(api_key)
    params = response_params(created, keyid)
    base = "\n".join([
        '"@status": %d' % status,
        '"content-digest": %s' % digest,
        '"signature";req;key="%s": :%s:' % (
            LABEL, base64.b64encode(req_mac).decode()),
        '"@signature-params": ' + params]).encode()
    mac = hmac.new(mac_key, base, hashlib.sha256).digest()
    return ("%s=%s" % (LABEL, params),
            "%s=:%s:" % (LABEL, base64.b64encode(mac).decode()))


def authority_of(parsed):
    """The canonical authority: lower case, no default port."""
    host = parsed.hostname.lower()
    if ":" in host:
        host = "[%s]" % host
    default = 443 if parsed.scheme == "https" else 80
    port = parsed.port or default
    return host if port == default else "%s:%d" % (host, port)


def check_reply(key, resp, reply, mac):
    """0 when the reply is signed with key and bound to mac, else 3."""
    digest = content_digest(reply)
    got_input = resp.getheader("Signature-Input")
    got_sig = resp.getheader("Signature")
    if resp.getheader("Content-Digest") != digest:
        print("pgsig: reply Content-Digest missing or wrong", file=sys.stderr)
        return 3
    if got_input is None or got_sig is None:
        print("pgsig: reply not signed", file=sys.stderr)
        return 3
    created = int(got_input.split(";created=")[1].split(";")[0])
    if (got_input, got_sig) != sign_response(key, resp.status, digest, mac,
                                             created):
        print("pgsig: reply signature wrong: %r" % (got_sig,),
              file=sys.stderr)
        return 3
    return 0


def do_request(args):
    key = args.key if args.key is not None else os.environ.get("PG_KEY", "")
    parsed = urllib.parse.urlsplit(args.url)
    body = args.body.encode() if args.body is not None else b""
    if args.body_file:
        with open(args.body_file, "rb") as f:
            body = f.read()
    path = parsed.path or "/"
    target = path + ("?" + parsed.query if parsed.query else "")
    headers = {}
    if body:
        headers["Content-Type"] = "application/json"
    for h in args.header:
        name, _, value = h.partition(":")
        headers[name.strip()] = value.strip()
    signed_body = body if args.sign_body is None else args.sign_body.encode()
    digest = content_digest(signed_body)
    mac = None
    if key and (args.bearer or args.also_bearer):
        headers["Authorization"] = "Bearer " + key
    if key and not args.bearer:
        created = args.created if args.created is not None else int(time.time())
        nonce = args.nonce or os.urandom(16).hex()
        authority = args.authority or authority_of(parsed)
        query = "?" + parsed.query if parsed.query else "?"
        sig_input, sig, mac = sign_request(key, args.method, authority, path,
                                           query, digest, created, nonce)
        headers["Content-Digest"] = digest
        headers["Signature-Input"] = sig_input
        headers["Signature"] = sig
    if args.host_header:
        headers["Host"] = args.host_header
    out = open(args.out, "wb") if args.out else sys.stdout.buffer
    rc = 0
    for _ in range(args.repeat):
        if parsed.scheme == "https":
            ctx = ssl.create_default_context(
                cafile=args.cacert or os.environ.get("PAGLETS_TLS_CA"))
            conn = http.client.HTTPSConnection(parsed.hostname, parsed.port,
                                               timeout=args.timeout,
                                               context=ctx)
        else:
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port,
                                              timeout=args.timeout)
        try:
            conn.putrequest(args.method, target, skip_host="Host" in headers,
                            skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            reply = resp.read()
        except OSError as e:
            if not args.fail:
                print("000")
            print("pgsig: %s" % e, file=sys.stderr)
            return 7
        finally:
            conn.close()
        out.write(reply)
        out.flush()
        if args.fail:
            if not 200 <= resp.status <= 299:
                return 22
            continue
        print(resp.status)
        if args.check_reply and mac is not None:
            rc = check_reply(key, resp, reply, mac) or rc
    return rc


class FakeHost(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mode = "signed"
    capture = None
    name = "fake"
    key = ""

    def log_message(self, *args):
        pass

    def record(self, body):
        if self.capture is None:
            return
        with open(self.capture, "ab") as f:
            f.write(self.requestline.encode() + b"\n")
            f.write(bytes(self.headers))
            f.write(body + b"\n\n")

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.record(body)
        url = "http://%s" % self.headers.get("Host", "127.0.0.1")
        path = self.path.split("?")[0]
        if path == "/health":
            reply = {"name": self.name, "address": url, "active_count": 0,
                     "inactive_count": 0, "code_version": "t",
                     "api_version": 1, "capabilities": [], "tags": [],
                     "properties": {}}
        elif path in ("/hosts", "/hosts/join"):
            reply = {"hosts": [{"name": "forged-host", "url": url,
                                "code_version": "t", "online": True,
                                "last_seen": time.time(), "heartbeat": 1,
                                "incarnation": 1, "active_count": 0,
                                "inactive_count": 0, "tags": [],
                                "properties": {}}]}
        elif path in ("/hosts/ping", "/hosts/ping-req"):
            # The mesh's probe of a newcomer: acked as this host.
            reply = {"ack": [self.name, url, 1]}
        else:
            reply = {"agents": []}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        digest = content_digest(data)
        self.send_header("Content-Digest", digest)
        sig = self.headers.get("Signature", "")
        if self.mode != "unsigned" and sig.startswith(LABEL + "=:"):
            req_mac = base64.b64decode(sig[len(LABEL) + 2:-1])
            sig_input, signature = sign_response(self.key, 200, digest,
                                                 req_mac, int(time.time()))
            if self.mode == "forged":
                # Our key id, someone else's MAC.
                signature = sign_response(self.key + "-forged", 200, digest,
                                          req_mac, int(time.time()))[1]
            self.send_header("Signature-Input", sig_input)
            self.send_header("Signature", signature)
        self.end_headers()
        self.wfile.write(data)

    do_GET = answer
    do_POST = answer


def do_serve(args):
    FakeHost.mode = args.mode
    FakeHost.capture = args.capture
    FakeHost.name = args.name
    FakeHost.key = os.environ.get("PG_KEY", "")
    socketserver.TCPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHost)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    server.serve_forever()


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("request")
    r.add_argument("method")
    r.add_argument("url")
    r.add_argument("body", nargs="?")
    r.add_argument("--body-file")
    r.add_argument("--key")
    r.add_argument("--bearer", action="store_true")
    r.add_argument("--also-bearer", action="store_true")
    r.add_argument("--sign-body")
    r.add_argument("--created", type=int)
    r.add_argument("--nonce")
    r.add_argument("--authority")
    r.add_argument("--host-header")
    r.add_argument("--repeat", type=int, default=1)
    r.add_argument("--check-reply", action="store_true")
    r.add_argument("--fail", action="store_true")
    r.add_argument("--header", action="append", default=[])
    r.add_argument("--cacert")
    r.add_argument("--out")
    r.add_argument("--timeout", type=float, default=10)
    s = sub.add_parser("serve")
    s.add_argument("--port-file", required=True)
    s.add_argument("--mode", choices=["signed", "unsigned", "forged"],
                   default="signed")
    s.add_argument("--capture")
    s.add_argument("--name", default="fake")
    args = p.parse_args()
    return do_request(args) if args.cmd == "request" else do_serve(args)


if __name__ == "__main__":
    sys.exit(main())
