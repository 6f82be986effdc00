"""Load through the whole demo: 2,000 requests/s for 60 s from the frontend, through HAProxy, with
the watcher bursting the traffic to the burst worker. The achieved rate is within 1% of the target;
every accepted request's hash is published exactly once (counted on Redis by a subscriber of our own,
and by the workers' `worker_publishes_total`); the memory of every Swift process is flat after the
first 10 s. Figures go to test-output/e2e/test_demo_load/figures.txt."""
import threading
import time

from .e2e_support import wait_for
from .local_stack import SWIFT_SERVICES, metric_sum, rss_kib
from .raw_clients import RedisSubscriber
from .test_demo_story import SWITCH_BOUND

RATE = 2000
DURATION = 60.0  # seconds of load; the test stops it itself
SAMPLE_EVERY = 5.0  # seconds between RSS samples
WARM_UP = 10.0  # seconds before memory must be flat
# "Flat": from the sample at WARM_UP to the last one, RSS grows by less than this (KiB). Allocators
# keep a few MiB of slack; a leak of one buffer per request at 2,000/s grows by tens of MiB a minute.
FLAT_KIB = 4096


def publishes(stack):
    return {name: metric_sum(stack.metrics(port), "worker_publishes_total")
            for name, port in (("worker-primary", "WORKER_PRIMARY"), ("worker-burst", "WORKER_BURST"))}


def test_2000_per_s_for_60_s_while_bursting(module_stack):
    stack = module_stack
    stack.rest()
    pids = {name: stack.pid(name) for name in SWIFT_SERVICES}
    redis = RedisSubscriber(stack.ports["REDIS"], password=stack.redis_password)
    before, published_before = stack.stats(), publishes(stack)

    samples = {name: [] for name in SWIFT_SERVICES}  # (seconds into the load, KiB)
    stop_sampling = threading.Event()

    def sample(start):
        tick = 0
        while not stop_sampling.is_set():
            for name, pid in pids.items():
                samples[name].append((tick * SAMPLE_EVERY, rss_kib(pid)))
            tick += 1
            stop_sampling.wait(max(0.0, start + tick * SAMPLE_EVERY - time.monotonic()))

    try:
        sent_at = time.monotonic()
        stack.set_rate(RATE)
        started = (sent_at + time.monotonic()) / 2
        sampler = threading.Thread(target=sample, args=(started,), daemon=True)
        sampler.start()
        burst_after = stack.wait_weight(100, timeout=SWITCH_BOUND + 2)
        time.sleep(max(0.0, started + DURATION - time.monotonic()))
        sent_at = time.monotonic()
        stack.set_rate(0)
        ended = (sent_at + time.monotonic()) / 2
        stop_sampling.set()
        sampler.join(timeout=5)
        wait_for("in-flight requests to finish", lambda: stack.stats()["inFlight"] == 0, timeout=10)
        after = stack.stats()
        succeeded = after["succeeded"] - before["succeeded"]
        wait_for("every result to reach our subscriber", lambda: redis.count >= succeeded, timeout=10)
        time.sleep(0.5)  # anything published twice would arrive now
    finally:
        stop_sampling.set()
        redis.stop()
        stack.set_rate(0)
    published = publishes(stack)

    window = ended - started
    sent = after["sent"] - before["sent"]
    achieved = sent / window
    failed = after["failed"] - before["failed"]
    dropped = after["dropped"] - before["dropped"]
    messages = [payload for _, payload in redis.messages]
    bursty = sum(1 for m in messages if m.startswith(b"bursty-"))
    by_worker = {name: published[name] - published_before[name] for name in published}
    received = after["resultsReceived"] - before["resultsReceived"]
    stack.note(f"load: target {RATE}/s for {window:.2f} s = {RATE * window:.0f}; sent {sent} "
               f"(achieved {achieved:.1f}/s, {100 * (achieved / RATE - 1):+.2f}%), succeeded {succeeded}, "
               f"failed {failed}, dropped {dropped}; burst weight 100 after {burst_after:.1f} s")
    stack.note(f"load: messages on Redis {len(messages)} ({len(set(messages))} distinct, {bursty} bursty-); "
               f"worker_publishes_total {by_worker}; frontend results received {received}; "
               f"latency p50 {after['latencySinceStart']['p50']:.2f} ms, p99 {after['latencySinceStart']['p99']:.2f} ms")
    for name, series in samples.items():
        stack.note(f"load: RSS {name} (KiB at s): " + ", ".join(f"{kib}@{t:.0f}" for t, kib in series))

    assert abs(achieved / RATE - 1) < 0.01, f"achieved {achieved:.1f}/s, target {RATE}/s"
    assert failed == 0, after["failedByReason"]
    assert len(messages) == succeeded, f"{len(messages)} messages on Redis for {succeeded} successful requests"
    assert len(set(messages)) == len(messages), "a hash was published twice"
    assert sum(by_worker.values()) == succeeded, by_worker
    assert received == succeeded, f"the frontend received {received} results of {succeeded}"
    assert bursty > 0.8 * len(messages), f"only {bursty} of {len(messages)} results came from the burst worker"
    for name, series in samples.items():
        assert len(series) >= DURATION / SAMPLE_EVERY, f"{name}: only {len(series)} RSS samples"
        warm = [kib for t, kib in series if t >= WARM_UP]
        growth = warm[-1] - warm[0]
        assert growth < FLAT_KIB, f"{name} grew by {growth} KiB after the first {WARM_UP:.0f} s: {series}"
    stack.assert_all_running("after the load")
    assert stack.exits() == []
    stack.rest()
