"""A small HTTP/1.1 server for the TLS client's tests, printing its port once it listens.

    tls_server.py tls CERT KEY   HTTPS (GET answers "hello <path>", POST echoes the body)
    tls_server.py plain          the same over plain HTTP (a TLS client must fail its handshake)
    tls_server.py silent         accepts connections and never sends a byte (a handshake that never ends)
"""
import http.server
import socket
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, body):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.answer(f"hello {self.path} from {self.headers.get('Host')}".encode())

    def do_POST(self):
        self.answer(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

    def log_message(self, *arguments):
        pass


def main():
    mode = sys.argv[1]
    if mode == "silent":
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        print(listener.getsockname()[1], flush=True)
        held = []
        while True:
            held.append(listener.accept()[0])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if mode == "tls":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        # The handshake runs in the handler's thread, not in accept(): a client that fails it
        # cannot stall the server.
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    print(server.server_address[1], flush=True)
    server.serve_forever()


main()
