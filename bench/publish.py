#!/usr/bin/env python3
"""bench/publish.py: publish numbered 44-byte messages at a steady rate (open loop, 5 ms ticks).
  publish.py redis PORT RATE SECONDS            PUBLISH calculation <msg> to Redis (one pipelined connection)
  publish.py nchan PORT PATH RATE SECONDS       POST <msg> to an nchan publisher location (one request in
                                                flight per connection, as many connections as needed:
                                                nginx can stall on pipelined POSTs with bodies)
Sending never waits for acknowledgements; all must arrive (Redis integer reply / HTTP 2xx) within 60 s
after the last send. Prints "sent N acked N seconds S" (S: time to send them all) on stdout.
Messages are "hashr-%08d" padded with x to 44 bytes."""
import selectors, socket, sys, time

mode = sys.argv[1]
port = int(sys.argv[2])
if mode == "redis":
    rate, seconds = float(sys.argv[3]), float(sys.argv[4])
else:
    path, rate, seconds = sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
ok_needle = b"\r\n" if mode == "redis" else b"HTTP/1.1 20"
refusals = [b"-ERR", b"-WRONG"] if mode == "redis" else [b"HTTP/1.1 4", b"HTTP/1.1 5"]
selector = selectors.DefaultSelector()
idle = []

class Connection:
    def __init__(self):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.tail, self.outstanding = b"", 0
        selector.register(self.sock, selectors.EVENT_READ, self)

def message(i):
    m = b"hashr-%08d" % i
    return m + b"x" * (44 - len(m))

def request(i):
    if mode == "redis":
        return b"*3\r\n$7\r\nPUBLISH\r\n$11\r\ncalculation\r\n$44\r\n" + message(i) + b"\r\n"
    return b"POST " + path.encode() + b" HTTP/1.1\r\nHost: bench\r\nContent-Length: 44\r\n\r\n" + message(i)

sent = acked = 0
def poll(timeout):
    global acked
    for key, _ in selector.select(timeout):
        c = key.data
        data = c.sock.recv(1 << 20)
        if not data:
            sys.exit("connection closed")
        buffer = c.tail + data
        got = buffer.count(ok_needle)
        if any(bad in buffer for bad in refusals):
            sys.exit("publisher refused: %r" % buffer[:300])
        c.tail = buffer[-(len(ok_needle) - 1):]
        c.outstanding -= got
        acked += got
        if mode != "redis" and c.outstanding == 0:
            idle.append(c)

redis_connection = Connection() if mode == "redis" else None
start = time.monotonic()
tick = 0.005
while True:
    elapsed = time.monotonic() - start
    if elapsed >= seconds:
        break
    due = int(elapsed * rate) - sent
    if due > 0:
        if mode == "redis":
            redis_connection.sock.sendall(b"".join(request(sent + k) for k in range(due)))
            redis_connection.outstanding += due
        else:
            for k in range(due):
                # At most 256 connections: past that, wait for an answer (the server is the limit).
                while not idle and len(selector.get_map()) >= 256:
                    poll(1.0)
                c = idle.pop() if idle else Connection()
                c.sock.sendall(request(sent + k))
                c.outstanding += 1
        sent += due
    next_at = start + (int((time.monotonic() - start) / tick) + 1) * tick
    while True:
        left = next_at - time.monotonic()
        if left <= 0:
            break
        poll(left)
send_seconds = time.monotonic() - start
deadline = time.monotonic() + 60
while acked < sent and time.monotonic() < deadline:
    poll(0.1)
print("sent %d acked %d seconds %.3f connections %d" % (sent, acked, send_seconds, len(selector.get_map())))
