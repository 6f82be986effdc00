#!/usr/bin/env python3
"""A tiny Prometheus exporter whose request rate the test controls (a test fixture, not a service).

GET  /metrics      the counters, in Prometheus' text format:
                     hashr_requests_total{cluster="primary"}  grows at the set rate
                     hashr_requests_total{cluster="burst"}    grows at 1 request/s, always
POST /rate?rps=N   from now on the first counter grows by N per second

It prints the port it listens on, then serves until killed.
"""
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

lock = threading.Lock()
started = time.monotonic()
state = {"count": 0.0, "rps": 0.0, "since": started}


def counter():
    """The counter now: what was counted until the last rate change plus the rate since."""
    now = time.monotonic()
    return state["count"] + state["rps"] * (now - state["since"]), now


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body, content_type="text/plain; version=0.0.4"):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path != "/metrics":
            return self.reply(404, "not found\n")
        with lock:
            value, now = counter()
        self.reply(200, "# TYPE hashr_requests_total counter\n"
                        'hashr_requests_total{cluster="primary"} %.3f\n'
                        'hashr_requests_total{cluster="burst"} %.3f\n' % (value, now - started))

    def do_POST(self):
        url = urlparse(self.path)
        if url.path != "/rate":
            return self.reply(404, "not found\n")
        rps = float(parse_qs(url.query)["rps"][0])
        with lock:
            state["count"], state["since"] = counter()
            state["rps"] = rps
        self.reply(200, "ok\n")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
