"""A stand-in for the Swift services, for testing scripts/run-local before (or
without) a release build: answers /_healthz on PORT, POST / with its role and
PREFIX, and exits 0 on SIGTERM/SIGINT. Usage: fake_service.py worker|frontend|istiowatcher"""
import http.server
import os
import signal
import sys
import threading

ROLE = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def _answer(self, code, body):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._answer(200, "ok\n")

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer(200, f"{ROLE} {os.environ.get('PREFIX', '')}\n")

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
env_dump = os.environ.get("FAKE_ENV_DUMP")
if env_dump:
    with open(os.path.join(env_dump, f"{ROLE}-{os.environ['PORT']}.env"), "w") as f:
        f.writelines(f"{k}={v}\n" for k, v in sorted(os.environ.items()))


def stop(*_):
    threading.Thread(target=server.shutdown).start()


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
print(f"fake {ROLE} on {server.server_address}", flush=True)
server.serve_forever()
