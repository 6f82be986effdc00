"""The readers of raw_clients on bytes cut at every place (as a socket may deliver them), and the
subscriber against a real redis-server."""
import socket
import subprocess
import threading
import time

import pytest

from .e2e_support import tool, wait_for
from .raw_clients import RedisSubscriber, RespError, RespReader, SSEClient, SSEReader, resp_command

REPLIES = (b"+OK\r\n-ERR wrong\r\n:42\r\n$5\r\nhe\r\nl\r\n$-1\r\n$0\r\n\r\n"
           b"*3\r\n$7\r\nmessage\r\n$11\r\ncalculation\r\n$3\r\nabc\r\n*-1\r\n*0\r\n")


def read_all(reader, data, cut):
    replies = []
    for start in range(0, len(data), cut):
        reader.feed(data[start:start + cut])
        replies += list(reader.replies())
    return replies


@pytest.mark.parametrize("cut", [1, 2, 3, 7, len(REPLIES)])
def test_resp_replies_of_every_kind_however_the_bytes_arrive(cut):
    replies = read_all(RespReader(), REPLIES, cut)
    error = replies[1]
    assert isinstance(error, RespError) and str(error) == "ERR wrong"
    assert replies[:1] + replies[2:] == [b"OK", 42, b"he\r\nl", None, b"",
                                         [b"message", b"calculation", b"abc"], None, []]


def test_resp_commands_are_arrays_of_bulk_strings():
    assert resp_command("AUTH", "pw") == b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n"
    reader = RespReader()
    reader.feed(resp_command("SET", b"k", 7))
    assert list(reader.replies()) == [[b"SET", b"k", b"7"]]


def test_resp_rejects_what_is_not_resp():
    reader = RespReader()
    reader.feed(b"HTTP/1.1 200 OK\r\n")
    with pytest.raises(ValueError, match="not a RESP reply"):
        list(reader.replies())


STREAM_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
EVENTS = (b"retry: 2000\n\n: connected\n\nevent: calculation\ndata: one\n\n"
          b"data: two\ndata: lines\n\nevent: calculation\ndata:three\n\n")
EXPECTED = [(b"calculation", b"one"), (b"message", b"two\nlines"), (b"calculation", b"three")]


def chunked(body, size):
    pieces = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


@pytest.mark.parametrize("cut", [1, 5, 1000])
def test_sse_events_from_a_chunked_stream(cut):
    data = STREAM_HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + chunked(EVENTS, 9)
    reader = SSEReader()
    events = []
    for start in range(0, len(data), cut):
        events += reader.feed(data[start:start + cut])
    assert events == EXPECTED and reader.opened and reader.chunked and reader.ended


def test_sse_events_from_a_stream_that_ends_with_the_connection():
    reader = SSEReader()
    assert reader.feed(STREAM_HEAD + b"\r\n" + EVENTS) == EXPECTED
    assert reader.opened and not reader.chunked and not reader.ended


def test_sse_refuses_an_answer_other_than_200():
    with pytest.raises(ConnectionError, match="503"):
        SSEReader().feed(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")


def test_the_subscriber_counts_what_a_real_redis_publishes(redis):
    subscriber = RedisSubscriber(redis)
    try:
        for payload in ("first", "second\r\nline"):
            subprocess.run([tool("redis-cli"), "-p", str(redis), "PUBLISH", "calculation", payload],
                           check=True, capture_output=True, timeout=5)
        wait_for("both messages", lambda: subscriber.count == 2, timeout=5)
    finally:
        subscriber.stop()
    assert [payload for _, payload in subscriber.messages] == [b"first", b"second\r\nline"]


def test_the_sse_client_reads_a_stream_to_its_end():
    """A one-shot server on a free port sends a whole chunked stream in small pieces, then ends it."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)

        def serve():
            connection, _ = server.accept()
            with connection:
                connection.recv(1 << 16)
                stream = STREAM_HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + chunked(EVENTS, 9)
                for start in range(0, len(stream), 50):
                    connection.sendall(stream[start:start + 50])
                    time.sleep(0.01)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        client = SSEClient(server.getsockname()[1])
        wait_for("the end of the stream", lambda: client.closed, timeout=5)
        client.stop()
        thread.join(timeout=5)
    assert [data for _, data in client.events] == [b"one", b"three"]
