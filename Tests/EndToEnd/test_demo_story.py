"""The demo the way a person uses it: scripts/run-local as the README says, the page in headless
chromium, a rate typed into the field. 5/s: plain hashes, 100% primary. 20/s: the watcher moves the
mesh and the hashes turn `bursty-`. 3/s: back to plain. Screenshots of each step go to
test-output/e2e/test_demo_story/, the measured delays to figures.txt there.

How long the switch may take (local run, deploy/local): Prometheus scrapes HAProxy every 1 s, the
watcher's query is `rate(...[5s])` and it polls every 1 s, then HAProxy applies the new weight to the
next request and the result reaches the page within a second: 1 + 5 + 1 + 1 = 8 s at most. From 5/s
to 20/s the 5 s average passes 15/s after about 3.3 s of the new rate (back down to 3/s it falls
under 10/s after about 2.9 s), so the switch usually shows in 4 to 6 s."""
import re
import time

import pytest
from selenium.webdriver.common.by import By

from .e2e_support import listed, number, screenshot, set_rate, text, wait_for

PLAIN_HASH = re.compile(r"^[A-Za-z0-9+/]{43}=$")
BURST_HASH = re.compile(r"^bursty-[A-Za-z0-9+/]{43}=$")
SCRAPE, WINDOW, POLL, DELIVERY = 1, 5, 1, 1
SWITCH_BOUND = SCRAPE + WINDOW + POLL + DELIVERY  # seconds, see above

# Pixels of each colour the chart draws its bars with (app.js COLORS), counted in the canvas.
CHART_PIXELS = """
const canvas = document.getElementById("share-chart");
const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
const near = (i, r, g, b) => Math.abs(data[i] - r) < 16 && Math.abs(data[i + 1] - g) < 16 && Math.abs(data[i + 2] - b) < 16;
let primary = 0, burst = 0;
for (let i = 0; i < data.length; i += 4) {
  if (data[i + 3] < 200) continue;
  if (near(i, 0x2f, 0x5b, 0xd3)) primary += 1;
  else if (near(i, 0xee, 0x7a, 0x1a)) burst += 1;
}
return {primary, burst};
"""


def newest(driver):
    """The newest hash in the list (the first item), or None."""
    return driver.execute_script("const li = document.querySelector('#results li'); return li && li.textContent;")


def wait_page(driver, what, condition, timeout):
    return wait_for(what, lambda: condition(driver), timeout=timeout, interval=0.1)


def achieved_near(driver, rate):
    value = number(text(driver, "achieved-rate"))
    return value is not None and abs(value - rate) <= max(0.5, rate * 0.05)


def switch(stack, driver, rps, weight, pattern):
    """Types `rps`; returns the seconds until HAProxy's burst weight is `weight` and until the newest
    hash on the page matches `pattern`. Fails past SWITCH_BOUND."""
    set_rate(driver, rps)
    typed = time.monotonic()
    weight_at = page_at = None
    while weight_at is None or page_at is None:
        now = time.monotonic() - typed
        if now > SWITCH_BOUND + 2:
            pytest.fail(f"after typing {rps}: burst weight {stack.burst_weight()} (wanted {weight}, "
                        f"at {weight_at} s), newest hash {newest(driver)!r} (at {page_at} s); the switch "
                        f"should take at most {SWITCH_BOUND} s")
        if weight_at is None and stack.burst_weight() == weight:
            weight_at = now
        hash_ = newest(driver)
        if page_at is None and hash_ and pattern.match(hash_):
            page_at = now
        time.sleep(0.05)
    return weight_at, page_at


def test_type_5_then_20_then_3(module_stack, module_browser):
    stack, driver = module_stack, module_browser
    shots = stack.output_dir
    driver.get(stack.url + "/")
    assert driver.title == "String Hashr"
    wait_page(driver, "the page to connect", lambda d: text(d, "connection-status") == "connected", 10)
    assert stack.burst_weight() == 0

    # 1. Type 5: plain hashes stream in; about 5/s achieved, 100% primary.
    set_rate(driver, 5)
    wait_page(driver, "10 hashes in the list", lambda d: len(listed(d)) >= 10, 10)
    hashes = listed(driver)
    assert all(PLAIN_HASH.match(h) for h in hashes), hashes[:5]
    wait_page(driver, "the panel to show about 5/s achieved", lambda d: achieved_near(d, 5), 10)
    wait_page(driver, "100% primary", lambda d: text(d, "share-primary") == "100%", 10)
    assert text(driver, "share-burst") == "0%"
    assert number(text(driver, "target-rate")) == 5
    assert number(text(driver, "failed")) == 0
    assert stack.burst_weight() == 0
    screenshot(driver, shots / "1-rate-5.png")

    # 2. Type 20: within the watcher's window the hashes turn bursty-.
    weight_at, page_at = switch(stack, driver, 20, 100, BURST_HASH)
    stack.note(f"5 -> 20/s: HAProxy burst weight 100 after {weight_at:.1f} s, first bursty- hash on the page "
               f"after {page_at:.1f} s (bound {SWITCH_BOUND} s)")
    assert page_at <= SWITCH_BOUND
    # The chart marks the switch as soon as the first second with burst results is complete.
    wait_page(driver, "burst bars in the chart", lambda d: d.execute_script(CHART_PIXELS)["burst"] > 0, 3)
    screenshot(driver, shots / "2-switch-chart.png", "share-chart")
    wait_page(driver, "100% burst", lambda d: text(d, "share-burst") == "100%", 10)
    assert text(driver, "share-primary") == "0%"
    hashes = listed(driver, 50)
    assert all(BURST_HASH.match(h) for h in hashes), hashes[:5]
    # At the browser's 1280 px a whole `bursty-` hash fits on its line, not cut short with an ellipsis.
    cut = driver.execute_script(
        "return [...document.querySelectorAll('#results li')].slice(0, 20)"
        ".filter(li => li.scrollWidth > li.clientWidth).length")
    assert cut == 0, f"{cut} of the newest 20 bursty- hashes do not fit on their line"
    wait_page(driver, "the panel to show about 20/s achieved", lambda d: achieved_near(d, 20), 10)
    # The chart shows the switch: primary bars before, burst bars after, marked.
    pixels = driver.execute_script(CHART_PIXELS)
    assert pixels["primary"] > 200 and pixels["burst"] > 200, pixels
    history = stack.stats()["history"]
    first_burst = next(i for i, s in enumerate(history) if s["burst"] > 0)
    assert any(s["primary"] > 0 for s in history[:first_burst]), history
    assert number(text(driver, "failed")) == 0
    screenshot(driver, shots / "2-rate-20-burst.png")
    screenshot(driver, shots / "2-chart.png", "share-chart")

    # 3. Type 3: back to plain hashes, 100% primary.
    weight_at, page_at = switch(stack, driver, 3, 0, PLAIN_HASH)
    stack.note(f"20 -> 3/s: HAProxy burst weight 0 after {weight_at:.1f} s, first plain hash on the page "
               f"after {page_at:.1f} s (bound {SWITCH_BOUND} s)")
    assert page_at <= SWITCH_BOUND
    wait_page(driver, "100% primary again", lambda d: text(d, "share-primary") == "100%", 10)
    assert text(driver, "share-burst") == "0%"
    wait_page(driver, "the panel to show about 3/s achieved", lambda d: achieved_near(d, 3), 10)
    history = stack.stats()["history"]
    last_burst = max(i for i, s in enumerate(history) if s["burst"] > 0)
    assert any(s["primary"] > 0 for s in history[last_burst + 1:]), history
    assert number(text(driver, "failed")) == 0
    assert number(text(driver, "dropped")) == 0
    assert driver.find_elements(By.CSS_SELECTOR, "#offline-banner:not([hidden])") == []
    screenshot(driver, shots / "3-rate-3-primary.png")
    screenshot(driver, shots / "3-chart.png", "share-chart")

    set_rate(driver, 0)
    stack.assert_all_running("after the story")
    assert stack.exits() == []
