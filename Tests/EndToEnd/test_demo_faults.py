"""Faults in the running demo (scripts/run-local, the page in headless chromium): each test breaks one
part, checks the others notice the right way and keep running, brings the part back on its port with
run-local's own arguments and checks the demo recovers with no restart of anything else. One stack
serves the module; `at_rest` checks it is whole and natural before each test and puts it back after.
Screenshots and measured figures go to test-output/e2e/test_demo_faults/."""
import signal
import socket
import time

import pytest
from selenium.webdriver.common.by import By

from .e2e_support import number, screenshot, set_rate, text, wait_for
from .local_stack import SERVICES, SHUTDOWN_GRACE, SWIFT_SERVICES, alive, rss_kib
from .raw_clients import RedisSubscriber, SSEClient
from .test_demo_story import BURST_HASH, SWITCH_BOUND, newest, wait_page


@pytest.fixture
def at_rest(module_stack):
    """The module's stack, whole and at rest (rate 0, 100% primary) before and after the test.
    A service a failed test left dead is started again, so the next test starts clean."""
    stack = module_stack
    stack.assert_all_running("before the test")
    stack.rest()
    yield stack
    for name in stack.dead():
        if name in stack.specs:
            stack.restart(name)
    stack.rest()
    stack.assert_all_running("after the test")


def open_page(driver, stack):
    driver.get(stack.url + "/")
    wait_page(driver, "the page to connect", lambda d: text(d, "connection-status") == "connected", 10)


def failed_on_page(driver):
    """The page's Failed tile: (count, shown as a warning)."""
    tile = driver.find_element(By.ID, "failed")
    return number(tile.text) or 0, "warn" in (tile.get_attribute("class") or "")


def results_flow(stack, minimum, timeout):
    """Waits until `minimum` more requests succeed and as many more results arrive; returns seconds."""
    start_stats = stack.stats()
    start = time.monotonic()
    wait_for(f"{minimum} more successes and results",
             lambda: (lambda s: s["succeeded"] - start_stats["succeeded"] >= minimum
                      and s["resultsReceived"] - start_stats["resultsReceived"] >= minimum)(stack.stats()),
             timeout=timeout, interval=0.1)
    return time.monotonic() - start


def failures_stop(stack, quiet=2.0, timeout=15):
    """Waits until the failed count stays put for `quiet` seconds."""
    def steady():
        before = stack.stats()["failed"]
        time.sleep(quiet)
        return stack.stats()["failed"] == before
    wait_for(f"failures to stop for {quiet} s", steady, timeout=timeout, interval=0)


def reasons(before, after):
    """The failures between two statistics, by reason (the ones that happened)."""
    return {k: v - before["failedByReason"][k] for k, v in after["failedByReason"].items()
            if v != before["failedByReason"][k]}


def snapshot(stack):
    """The PID of every service and how many exits run-local has reported so far."""
    return {name: stack.pid(name) for name in SERVICES}, len(stack.exits())


def others_untouched(stack, before, broken):
    """Every service but `broken` still runs with the PID it had; run-local reported no exit but
    the one of `broken`."""
    pids, exits = before
    for name in SERVICES:
        if name != broken:
            assert stack.pid(name) == pids[name] and alive(pids[name]), f"{name} was restarted or died"
    assert stack.exits()[exits:] == [broken], stack.output()[-2000:]
    stack.assert_all_running(f"after {broken} came back")


def test_redis_killed_for_5_s_at_20_per_s(at_rest, module_browser):
    stack, driver = at_rest, module_browser
    open_page(driver, stack)
    before_all = snapshot(stack)
    set_rate(driver, 20)
    results_flow(stack, 20, timeout=10)

    before = stack.stats()
    stack.kill("redis")
    killed = time.monotonic()
    # The frontend reports failures (the workers answer 503 at once), the page shows them.
    wait_for("failures during the outage", lambda: stack.stats()["failed"] > before["failed"], timeout=5)
    wait_page(driver, "the page to show failures", lambda d: failed_on_page(d)[0] > 0 and failed_on_page(d)[1], 5)
    assert stack.metrics("FRONTEND")["frontend_redis_connected"] == 0
    assert stack.stats()["redisConnected"] is False
    wait_page(driver, "the page to say Redis is unreachable",
              lambda d: d.find_element(By.ID, "redis-banner").is_displayed(), 5)
    assert stack.api("GET", "/_healthz", port=stack.ports["WORKER_PRIMARY"])[0] == 503
    screenshot(driver, stack.output_dir / "redis-down.png")
    time.sleep(max(0.0, killed + 5 - time.monotonic()))
    down = stack.stats()
    assert down["failedByReason"]["status_5xx"] > 0, down["failedByReason"]

    stack.restart("redis")
    back = time.monotonic()
    count_before = number(text(driver, "results-count"))
    took = results_flow(stack, 20, timeout=15)
    wait_page(driver, "results on the page again", lambda d: number(text(d, "results-count")) > count_before, 10)
    on_page = time.monotonic() - back
    failures_stop(stack)
    after = stack.stats()
    stack.note(f"Redis killed for {back - killed:.1f} s at 20/s: {down['failed'] - before['failed']} failed "
               f"({after['failed'] - before['failed']} in all, by reason {reasons(before, after)}); results again {took:.1f} s after the restart "
               f"(on the page after {on_page:.1f} s)")
    assert stack.metrics("FRONTEND")["frontend_redis_connected"] == 1
    assert text(driver, "connection-status") == "connected"
    wait_page(driver, "the Redis notice to go", lambda d: not d.find_element(By.ID, "redis-banner").is_displayed(), 5)
    screenshot(driver, stack.output_dir / "redis-back.png")
    others_untouched(stack, before_all, "redis")


def test_burst_worker_killed_while_bursting(at_rest, module_browser):
    stack, driver = at_rest, module_browser
    open_page(driver, stack)
    before_all = snapshot(stack)
    set_rate(driver, 20)
    stack.wait_weight(100, timeout=SWITCH_BOUND + 2)
    wait_page(driver, "bursty- hashes", lambda d: BURST_HASH.match(newest(d) or ""), 5)

    before = stack.stats()
    stack.kill("worker-burst")
    killed = time.monotonic()
    wait_for("failures while the burst worker is gone", lambda: stack.stats()["failed"] > before["failed"], timeout=5)
    wait_page(driver, "the page to show failures", lambda d: failed_on_page(d)[0] > 0 and failed_on_page(d)[1], 5)
    time.sleep(max(0.0, killed + 3 - time.monotonic()))  # long enough for HAProxy's health check to notice
    screenshot(driver, stack.output_dir / "burst-worker-down.png")
    down = stack.stats()
    assert stack.specs["worker-burst"].env.get("PREFIX") == "bursty-"

    stack.restart("worker-burst")
    back = time.monotonic()
    took = results_flow(stack, 20, timeout=15)
    wait_page(driver, "bursty- hashes again", lambda d: BURST_HASH.match(newest(d) or ""), 5)
    failures_stop(stack)
    after = stack.stats()
    stack.note(f"burst worker killed for {back - killed:.1f} s at 20/s: {down['failed'] - before['failed']} failed "
               f"({after['failed'] - before['failed']} in all, by reason {reasons(before, after)}); results again "
               f"{took:.1f} s after the restart; burst weight {stack.burst_weight()}")
    assert stack.burst_weight() == 100
    screenshot(driver, stack.output_dir / "burst-worker-back.png")
    others_untouched(stack, before_all, "worker-burst")


def test_prometheus_stopped_while_bursting(at_rest):
    stack = at_rest
    before_all = snapshot(stack)
    stack.set_rate(20)
    stack.wait_weight(100, timeout=SWITCH_BOUND + 2)

    stack.kill("prometheus", sig=signal.SIGTERM)
    stopped = time.monotonic()
    # Routing stays as it is while the watcher cannot query.
    while time.monotonic() < stopped + 6:
        assert stack.burst_weight() == 100, "the route moved while Prometheus was away"
        time.sleep(0.25)
    watcher = stack.metrics("WATCHER")
    assert watcher["istiowatcher_consecutive_query_failures"] >= 3, watcher
    assert watcher["istiowatcher_burst_weight"] == 100

    stack.restart("prometheus")
    back = time.monotonic()
    values = 'istiowatcher_queries_total{outcome="value"}'
    values_before = stack.metrics("WATCHER").get(values, 0)
    # A restarted Prometheus has no data for a few seconds (it waits about 5 s for service discovery
    # before its first scrape, then rate() needs two samples); "no data" holds the route too. Its
    # first rates cover only part of the query's [5s] range and read low (6-9 rps for 20): the
    # watcher holds the route for that range after the first rate, so it never moves.
    def read_a_full_rate_again():
        assert stack.burst_weight() == 100, "the route moved while Prometheus was coming back"
        m = stack.metrics("WATCHER")
        return m.get(values, 0) > values_before + 1 and m["istiowatcher_observed_rate"] >= 15 \
            and m["istiowatcher_consecutive_query_failures"] == 0
    wait_for("the watcher to read a rate from Prometheus again", read_a_full_rate_again, timeout=20, interval=0.2)
    recovered = time.monotonic() - back
    settled = time.monotonic()
    while time.monotonic() < settled + 7:  # the 5 s range, and the 1 s poll, and a margin
        assert stack.burst_weight() == 100, "the route moved after Prometheus came back"
        time.sleep(0.25)

    # It carries on: a lower rate brings the traffic back to primary.
    stack.set_rate(3)
    lowered = time.monotonic()
    stack.wait_weight(0, timeout=SWITCH_BOUND + 2)
    stack.note(f"Prometheus stopped for {back - stopped:.1f} s while bursting: burst weight stayed 100; the watcher "
               f"read a rate again {recovered:.1f} s after the restart and moved back to primary "
               f"{time.monotonic() - lowered:.1f} s after the rate went to 3/s")
    others_untouched(stack, before_all, "prometheus")


RATE = 2000  # results per second while a tab stalls
# seconds: the stalled stream's kernel send buffer (capped at 256 KiB) plus SSE_CLIENT_BUFFER (1 MiB), at about
# 140 KB/s of events, is ~9 s; three times that before the test calls it stuck.
CUT_OFF_DEADLINE = 30


def test_a_tab_that_stops_reading_does_not_slow_the_others(at_rest, module_browser):
    """A raw client sends GET /api/results and never reads; a healthy raw client and the page in the
    browser read along. Results flow at 2,000/s until the frontend cuts the stalled stream off (first
    the kernel's socket buffers fill, then the frontend's own SSE_CLIENT_BUFFER, 1 MiB). Meanwhile the
    healthy stream gets every result, as quickly as a direct Redis subscriber, and the page counts
    them all."""
    stack, driver = at_rest, module_browser
    open_page(driver, stack)
    cut_before = stack.metrics("FRONTEND").get("frontend_result_streams_cut_off_total", 0)
    rss_before = rss_kib(stack.pid("frontend"))
    failed_before = stack.stats()["failed"]
    redis = RedisSubscriber(stack.ports["REDIS"], password=stack.redis_password)
    healthy = SSEClient(stack.ports["FRONTEND"])
    stalled = SSEClient(stack.ports["FRONTEND"], read=False, receive_buffer=4096)
    try:
        page_before = number(text(driver, "results-count"))
        stack.set_rate(RATE)
        start = time.monotonic()
        cut_at = None
        while cut_at is None and time.monotonic() < start + CUT_OFF_DEADLINE:
            time.sleep(0.5)
            if stack.metrics("FRONTEND").get("frontend_result_streams_cut_off_total", 0) > cut_before:
                cut_at = time.monotonic() - start
        rss_stalled = rss_kib(stack.pid("frontend"))
        stack.set_rate(0)
        wait_for("in-flight requests to finish", lambda: stack.stats()["inFlight"] == 0, timeout=10)
        time.sleep(1.0)
    finally:
        redis.stop()
        healthy.stop()
    published = dict((payload, when) for when, payload in redis.messages)
    delivered = dict((payload, when) for when, payload in healthy.events)
    missing = [p for p in published if p not in delivered]
    delays = sorted(delivered[p] - published[p] for p in published if p in delivered)
    p50, p99 = delays[len(delays) // 2], delays[int(len(delays) * 0.99)]
    wait_page(driver, "the page to count every result",
              lambda d: number(text(d, "results-count")) - page_before >= len(published), 5)
    page_count = number(text(driver, "results-count")) - page_before
    stack.note(f"stalled tab at {RATE}/s: cut off after {cut_at} s; the healthy stream got {len(delivered)} of "
               f"{len(published)} results, its delay behind a direct Redis subscriber p50 {p50 * 1000:.1f} ms, "
               f"p99 {p99 * 1000:.1f} ms, max {delays[-1] * 1000:.1f} ms; the browser tab counted "
               f"{page_count:.0f}; frontend RSS {rss_before} KiB before, {rss_stalled} KiB at the cut-off")
    assert cut_at is not None, f"the stalled stream was not cut off within {CUT_OFF_DEADLINE} s"
    assert stalled.peer_closed(), "the frontend still holds the stalled stream"
    stalled.stop()
    assert missing == [], f"{len(missing)} results never reached the healthy stream"
    assert p99 < 0.25, f"the healthy stream lagged: p99 {p99:.3f} s"
    assert page_count == len(published), "the browser tab missed results"
    assert text(driver, "connection-status") == "connected"
    assert stack.stats()["failed"] == failed_before


def test_ctrl_c_at_100_per_s_stops_everything(own_stack):
    stack = own_stack
    stack.set_rate(100)
    results_flow(stack, 200, timeout=10)
    pids = {name: stack.pid(name) for name in SERVICES}
    status, took, gone = stack.interrupt(timeout=len(SERVICES) * (SHUTDOWN_GRACE + 5))
    out = stack.output()
    order = sorted(gone.items(), key=lambda item: item[1])
    steps = [(name, at - (order[i - 1][1] if i else 0.0)) for i, (name, at) in enumerate(order)]
    stack.note("Ctrl-C at 100/s, each service gone (since the one before it): " +
               ", ".join(f"{name} {at:.2f} s ({step:.2f} s)" for (name, at), (_, step) in zip(order, steps)) +
               f"; run-local exited {status} after {took:.2f} s")
    assert status == 0, out
    assert "run-local: stopped" in out and "did not stop within" not in out, out
    assert set(gone) == set(SERVICES), f"still running: {set(SERVICES) - set(gone)}"
    for name, step in steps:
        assert step < SHUTDOWN_GRACE, f"{name} took {step:.1f} s to stop (grace {SHUTDOWN_GRACE} s)"
    for name, pid in pids.items():
        assert not alive(pid), f"{name} (pid {pid}) was left behind"
    for name in SWIFT_SERVICES:
        log = (stack.run_dir / "logs" / f"{name}.log").read_text()
        assert "shutting down" in log and log.rstrip().endswith("stopped"), f"{name} did not stop cleanly:\n{log[-2000:]}"
    for name, port in stack.ports.items():
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, f"something still listens on {name}'s port {port}"
