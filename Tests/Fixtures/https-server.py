#!/usr/bin/env python3
"""Loopback HTTPS fixture server for Dragnet's tests and benchmarks.

Serves ROOT/<host>/<path> for every host (clients map every host here with curl's
--connect-to or Chromium's --host-resolver-rules), so pages, tag-manager containers and
pixels are fetched under their real names without touching the network. A query string
selects ROOT/<host>/<path>@<query>, then ROOT/<host>/<path>@<first parameter>, then the
bare path. It listens on 127.0.0.1 only, prints "PORT <n>" once ready, and exits when its
standard input closes, so a test that dies never leaves it behind.

A sidecar file PATH.http sets the answer's status and headers: its first line is the status,
the next lines "Name: value" headers (Content-Type among them overrides the guess); the body is
PATH when it exists, else empty. A sidecar PATH.repeat (first line COUNT, then three parts
separated by lines "----": head, block, tail) answers head + block × COUNT + tail (a 10 MB
robots.txt without a 10 MB file).

Misbehaviour on purpose, chosen by the request: a path or query containing SLOW answers
after --slow seconds; HUGE sends a 50 MB body. --log FILE appends "<host> <path>" per
request (the tests count container fetches from it). --generate-gtm FILE answers any
gtm.js?id=… or gtag/js?id=… that has no file with FILE, its id placeholder GTM-TEMPLATE replaced.
"""
import argparse
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TYPES = {
    ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8", ".js": "application/javascript",
    ".json": "application/json", ".txt": "text/plain; charset=utf-8", ".md": "text/markdown; charset=utf-8",
    ".gif": "image/gif", ".png": "image/png",
}


def content_type(path):
    name = path.split("@", 1)[0]
    if "/settings" in name or name.endswith("settings"):
        return "application/json"
    for ext, value in TYPES.items():
        if name.endswith(ext):
            return value
    return "application/octet-stream"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        server = self.server
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        parts = urlsplit(self.path)
        if server.log_path:
            with server.log_lock, open(server.log_path, "a") as log:
                log.write(f"{host} {self.path}\n")
        request = parts.path + "?" + parts.query
        if "SLOW" in request:
            time.sleep(server.slow)
        if "HUGE" in request:
            size = 50 * 1024 * 1024
            self.send_response(200)
            self.send_header("Content-Type", "application/javascript")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            chunk = b"/" * 65536
            try:
                for _ in range(size // len(chunk)):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass
            return
        base = os.path.join(server.root, host, parts.path.lstrip("/"))
        if os.path.realpath(base).startswith(os.path.realpath(server.root) + os.sep):
            if os.path.isfile(base + ".http"):
                with open(base + ".http") as handle:
                    lines = handle.read().splitlines()
                body = open(base, "rb").read() if os.path.isfile(base) else b""
                headers = [line.split(":", 1) for line in lines[1:] if ":" in line]
                self.send_response(int(lines[0].strip()))
                if not any(name.strip().lower() == "content-type" for name, _ in headers):
                    headers.append(("Content-Type", content_type(parts.path)))
                for name, value in headers:
                    self.send_header(name.strip(), value.strip())
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if os.path.isfile(base + ".repeat"):
                with open(base + ".repeat", "rb") as handle:
                    count, rest = handle.read().split(b"\n", 1)
                head, block, tail = rest.split(b"----\n")
                self.send(200, head + block * int(count) + tail, content_type(parts.path))
                return
        body, name = self.find(host, parts)
        if body is None:
            self.send(404, b"not found\n", "text/plain")
        else:
            self.send(200, body, content_type(name))

    def do_POST(self):
        # Beacons and pixel posts: the body is read (so the connection stays usable) and dropped.
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 1 << 20))
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        if self.server.log_path:
            with self.server.log_lock, open(self.server.log_path, "a") as log:
                log.write(f"{host} POST {urlsplit(self.path).path}\n")
        self.send(204, b"", "text/plain")

    def find(self, host, parts):
        base = os.path.join(self.server.root, host, parts.path.lstrip("/"))
        if parts.path.endswith("/"):
            base = os.path.join(base, "index.html")
        candidates = []
        if parts.query:
            candidates.append(base + "@" + parts.query)
            candidates.append(base + "@" + parts.query.split("&")[0])
        candidates.append(base)
        root = os.path.realpath(self.server.root)
        for candidate in candidates:
            real = os.path.realpath(candidate)
            if real.startswith(root + os.sep) and os.path.isfile(real):
                with open(real, "rb") as handle:
                    return handle.read(), candidate
        template = self.server.generate_gtm
        if template and (parts.path.endswith("/gtm.js") or parts.path.endswith("/gtag/js")):
            ids = parse_qs(parts.query).get("id", [])
            if ids and ids[0][:3] in ("GTM", "G-", "AW-", "GT-", "DC-", "UA-") or (ids and ids[0][:2] == "G-"):
                return template.replace(b"GTM-TEMPLATE", ids[0].encode()), "gtm.js"
        return None, None

    def send(self, status, body, ctype):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log")
    parser.add_argument("--slow", type=float, default=20.0)
    parser.add_argument("--generate-gtm")
    parser.add_argument("--plain", action="store_true", help="plain HTTP instead of TLS")
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # failed handshakes (tests without --insecure) are expected
    server.root = os.path.abspath(args.root)
    server.log_path = args.log
    server.log_lock = threading.Lock()
    server.slow = args.slow
    server.generate_gtm = open(args.generate_gtm, "rb").read() if args.generate_gtm else None
    if not args.plain:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        # The handshake happens on the first read, in the request's own thread.
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
