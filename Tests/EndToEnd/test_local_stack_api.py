"""Issue 6's check of the local stack, without a browser: scripts/run-local started the README's way
in the background, the frontend answers, PUT /api/rate 25 turns the results `bursty-`, 3 brings them
back to primary, and Ctrl-C stops everything cleanly."""
from .e2e_support import wait_for
from .local_stack import SERVICES, SHUTDOWN_GRACE, alive
from .raw_clients import RedisSubscriber
from .test_demo_story import SWITCH_BOUND


def newest_results(subscriber, count=20):
    return [payload for _, payload in subscriber.messages[-count:]]


def test_rate_25_bursts_3_returns_and_ctrl_c_stops_everything(own_stack):
    stack = own_stack
    status, page = stack.api("GET", "/")
    assert status == 200 and b"String Hashr" in page

    subscriber = RedisSubscriber(stack.ports["REDIS"], password=stack.redis_password)
    try:
        stack.set_rate(25)
        wait_for("results to turn bursty- at 25/s",
                 lambda: len(subscriber.messages) >= 20
                 and all(m.startswith(b"bursty-") for m in newest_results(subscriber)),
                 timeout=SWITCH_BOUND + 10)
        assert stack.burst_weight() == 100

        stack.set_rate(3)
        wait_for("results to return to primary at 3/s",
                 lambda: all(not m.startswith(b"bursty-") for m in newest_results(subscriber, 5)),
                 timeout=SWITCH_BOUND + 10)
        assert stack.burst_weight() == 0
    finally:
        subscriber.stop()

    pids = {name: stack.pid(name) for name in SERVICES}
    exit_status, _, gone = stack.interrupt(timeout=len(SERVICES) * (SHUTDOWN_GRACE + 5))
    assert exit_status == 0, stack.output()
    assert set(gone) == set(SERVICES), f"still running: {set(SERVICES) - set(gone)}"
    assert not [name for name, pid in pids.items() if alive(pid)]
