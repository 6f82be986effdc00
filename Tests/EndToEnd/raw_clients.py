"""The stack's wire formats as the tests read them on raw sockets, in one place for every suite: RESP
(Redis), Server-Sent Events over HTTP/1.1, and HAProxy's runtime API. The readers are pure (bytes in,
values out); `RedisSubscriber` and `SSEClient` drive them from a socket in a thread.

Standard library and pytest only, so Tests/Deployment and Tests/Images can import it (as
`EndToEnd.raw_clients`) without the browser tooling. Every call has a deadline and fails loudly."""
import socket
import threading
import time

import pytest


# --- RESP --------------------------------------------------------------------------------------

class RespError(Exception):
    """A `-ERR ...` reply."""


def resp_command(*arguments):
    """One command as Redis reads it: an array of bulk strings."""
    encoded = [a if isinstance(a, bytes) else str(a).encode() for a in arguments]
    return b"*%d\r\n" % len(encoded) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in encoded)


class RespReader:
    """RESP2 replies from bytes as they arrive: `feed()` the bytes, then take the replies that are
    complete from `replies()`. Simple and bulk strings come out as bytes, integers as int, arrays as
    lists, nil as None, and errors as `RespError` values (not raised: a reply like any other)."""

    def __init__(self):
        self._buffer = bytearray()
        self._position = 0

    def feed(self, data):
        self._buffer += data

    def replies(self):
        """Every complete reply fed so far, in order; an incomplete one waits for more bytes."""
        while (parsed := self._parse(self._position)) is not None:
            value, self._position = parsed
            yield value
        if self._position > 1 << 20:  # drop what has been read, now and then rather than per reply
            del self._buffer[:self._position]
            self._position = 0

    def _line(self, position):
        end = self._buffer.find(b"\r\n", position)
        return (None, position) if end < 0 else (bytes(self._buffer[position:end]), end + 2)

    def _parse(self, position):
        """(value, next position) for the reply at `position`, or None when it is incomplete."""
        line, after = self._line(position)
        if line is None:
            return None
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest, after
        if kind == b"-":
            return RespError(rest.decode(errors="replace")), after
        if kind == b":":
            return int(rest), after
        if kind == b"$":
            length = int(rest)
            if length < 0:
                return None, after
            if len(self._buffer) < after + length + 2:
                return None
            return bytes(self._buffer[after:after + length]), after + length + 2
        if kind == b"*":
            count = int(rest)
            if count < 0:
                return None, after
            items = []
            for _ in range(count):
                item = self._parse(after)
                if item is None:
                    return None
                value, after = item
                items.append(value)
            return items, after
        raise ValueError(f"not a RESP reply: {line!r}")


class _SocketReader:
    """Reads `self.sock` in a thread of its own until `stop()`. `_received(now, data)` gets each chunk
    with its arrival time (b"" at the end of the stream) and returns True once nothing more is to be
    read; whatever it raises ends the reading and fails the test at `stop()`. `ready` is set when the
    subclass says so, or when the reading ends, so nobody waits for a stream that failed."""

    what = "the reader"

    def _start_reading(self, ready_within=5):
        self.error = None
        self.stopping = False
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        if not self.ready.wait(ready_within) or self.error is not None:
            pytest.fail(f"{self.what} not ready within {ready_within} s ({self.error})")

    def _read(self):
        self.sock.settimeout(0.5)
        try:
            while not self.stopping:
                try:
                    data = self.sock.recv(1 << 16)
                except socket.timeout:
                    continue
                if self._received(time.monotonic(), data) or not data:
                    return
        except Exception as error:  # reported by stop()
            self.error = error
        finally:
            self.ready.set()

    def stop(self):
        self.stopping = True
        if getattr(self, "thread", None) is not None:
            self.thread.join(timeout=5)
        self.sock.close()
        if getattr(self, "error", None) is not None:
            pytest.fail(f"{self.what} failed: {self.error}")


class RedisSubscriber(_SocketReader):
    """SUBSCRIBE `channel` on a raw socket, in a thread: counts every message and when it came (and
    keeps the payloads unless `keep=False`)."""

    def __init__(self, port, keep=True, password=None, channel="calculation"):
        self.what = f"the Redis subscriber to {channel}"
        self.messages = []  # (monotonic time, payload)
        self.keep = keep
        self.count = 0
        self.reader = RespReader()
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        command = resp_command("SUBSCRIBE", channel)
        if password is not None:
            command = resp_command("AUTH", password) + command
        self.sock.sendall(command)
        self._start_reading()

    def _received(self, now, data):
        if not data:
            raise ConnectionError("Redis closed the subscription")
        self.reader.feed(data)
        for reply in self.reader.replies():
            if isinstance(reply, RespError):
                raise reply
            if not isinstance(reply, list):
                continue  # AUTH's OK
            if reply[0] == b"subscribe":
                self.ready.set()
            elif reply[0] == b"message":
                self.count += 1
                if self.keep:
                    self.messages.append((now, reply[2]))
        return False


# --- Server-Sent Events --------------------------------------------------------------------------

class SSEReader:
    """A `text/event-stream` response from bytes as they arrive: the HTTP head (it must be a 200),
    a chunked or close-delimited body, and the events in it. `feed()` returns the events completed by
    those bytes as (event name, data) pairs; comments and `retry:` are read and dropped."""

    def __init__(self):
        self._raw = bytearray()
        self._body = bytearray()
        self.chunked = None  # unknown until the head is in
        self.ended = False  # the terminating chunk arrived

    @property
    def opened(self):
        """The head has arrived (and was a 200)."""
        return self.chunked is not None

    def feed(self, data):
        self._raw += data
        if self.chunked is None:
            head_end = self._raw.find(b"\r\n\r\n")
            if head_end < 0:
                return []
            head = self._raw[:head_end].decode("latin-1").lower()
            if not head.startswith("http/1.1 200"):
                raise ConnectionError(f"the event stream answered {head.splitlines()[0]!r}")
            self.chunked = "transfer-encoding: chunked" in head
            del self._raw[:head_end + 4]
        if self.chunked:
            self._unchunk()
        else:
            self._body += self._raw
            self._raw.clear()
        events = []
        while (end := self._body.find(b"\n\n")) >= 0:
            frame = bytes(self._body[:end])
            del self._body[:end + 2]
            event = self._event(frame)
            if event is not None:
                events.append(event)
        return events

    def _unchunk(self):
        while not self.ended:  # whole chunks only
            line_end = self._raw.find(b"\r\n")
            if line_end < 0:
                return
            size = int(self._raw[:line_end].split(b";")[0], 16)
            if len(self._raw) < line_end + 2 + size + 2:
                return
            self._body += self._raw[line_end + 2:line_end + 2 + size]
            del self._raw[:line_end + 2 + size + 2]
            self.ended = size == 0

    @staticmethod
    def _event(frame):
        """(name, data) of one frame, data lines joined by newlines; None for a frame without data."""
        name, data = b"message", []
        for line in frame.split(b"\n"):
            if not line or line.startswith(b":"):
                continue
            field, _, value = line.partition(b":")
            value = value[1:] if value.startswith(b" ") else value
            if field == b"event":
                name = value
            elif field == b"data":
                data.append(value)
        return (name, b"\n".join(data)) if data else None


class SSEClient(_SocketReader):
    """GET `path` (the results stream) on a raw socket. With `read=False` it sends the request and
    never reads a byte: a browser tab that stopped reading its stream (its receive buffer kept small,
    as a stalled tab's fills). Otherwise a thread reads and decodes the stream, recording when each
    `event` arrived."""

    what = "the results stream"

    def __init__(self, port, read=True, receive_buffer=None, path="/api/results", event=b"calculation"):
        self.events = []  # (monotonic time, data)
        self.closed = False
        self.event = event
        self.reader = SSEReader()
        self.sock = socket.socket()
        if receive_buffer is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(5)
        self.sock.connect(("127.0.0.1", port))
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                          "Accept: text/event-stream\r\n\r\n".encode())
        if read:
            self._start_reading()

    def _received(self, now, data):
        if not data:
            self.closed = True
            return True
        events = self.reader.feed(data)
        if self.reader.opened:
            self.ready.set()
        self.events.extend((now, payload) for name, payload in events if name == self.event)
        self.closed = self.reader.ended
        return self.closed

    def peer_closed(self, timeout=10):
        """For a client that never read: has the server cut the connection off? Reads what the
        kernel buffered until the end of the stream (EOF or a reset), or fails after `timeout`."""
        self.sock.settimeout(1)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                try:
                    if not self.sock.recv(1 << 20):
                        return True
                except socket.timeout:
                    continue
        except ConnectionResetError:
            return True
        return False


# --- HAProxy's runtime API --------------------------------------------------------------------------

def haproxy_command(port, command, timeout=5):
    """One command on HAProxy's runtime API at 127.0.0.1:`port`; its whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(command.encode() + b"\n")
        return s.makefile().read()
