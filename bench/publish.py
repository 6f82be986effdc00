#!/usr/bin/env python3
"""bench/publish.py: publish numbered 44-byte messages at a steady rate, pipelined in 5 ms ticks.
  publish.py redis PORT RATE SECONDS            PUBLISH calculation <msg> to Redis
  publish.py nchan PORT PATH RATE SECONDS       POST <msg> to an nchan publisher location
Every request is acknowledged before the next tick (Redis integer reply / HTTP 2xx). Prints
"sent N acked N seconds S" on stdout; messages are "hashr-%08d" padded with x to 44 bytes."""
import socket, sys, time

mode = sys.argv[1]
port = int(sys.argv[2])
if mode == "redis":
    rate, seconds = float(sys.argv[3]), float(sys.argv[4])
else:
    path, rate, seconds = sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
# Redis: one connection, requests pipelined. nchan: nginx can stall on pipelined POSTs with
# bodies, so one request in flight per connection, over as many connections as a tick needs.
connections = []
def connection(k):
    while len(connections) <= k:
        c = socket.create_connection(("127.0.0.1", port))
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connections.append([c, b""])
    return connections[k]

def message(i):
    m = b"hashr-%08d" % i
    return m + b"x" * (44 - len(m))

def request(i):
    m = message(i)
    if mode == "redis":
        return b"*3\r\n$7\r\nPUBLISH\r\n$11\r\ncalculation\r\n$44\r\n" + m + b"\r\n"
    return (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: bench\r\nContent-Length: 44\r\n\r\n" + m)

ok_needle = b"\r\n" if mode == "redis" else b"HTTP/1.1 20"
refusals = [b"-ERR", b"-WRONG"] if mode == "redis" else [b"HTTP/1.1 4", b"HTTP/1.1 5"]
sent = acked = 0
start = time.monotonic()
tick = 0.005
while True:
    elapsed = time.monotonic() - start
    if elapsed >= seconds:
        break
    due = int(elapsed * rate) - sent
    if due > 0:
        if mode == "redis":
            batches = [(0, list(range(sent, sent + due)))]
        else:
            batches = [(k, [sent + k]) for k in range(due)]
        for k, numbers in batches:
            connection(k)[0].sendall(b"".join(request(i) for i in numbers))
        sent += due
        for k, numbers in batches:
            entry = connection(k)
            got = 0
            while got < len(numbers):
                data = entry[0].recv(1 << 20)
                if not data:
                    sys.exit("connection closed")
                buffer = entry[1] + data
                got += buffer.count(ok_needle)
                if any(bad in buffer for bad in refusals):
                    sys.exit("publisher refused: %r" % buffer[:300])
                entry[1] = buffer[-(len(ok_needle) - 1):]
            acked += got
    next_at = start + (int((time.monotonic() - start) / tick) + 1) * tick
    time.sleep(max(0.0, next_at - time.monotonic()))
print("sent %d acked %d seconds %.3f" % (sent, acked, time.monotonic() - start))
