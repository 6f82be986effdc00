"""The String Hashr page in a real browser (headless Debian chromium driven by Selenium through
chromium-driver), against the real frontend and worker binaries and a real redis-server."""
import re
import subprocess
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from .e2e_support import http, number, set_rate, text, tool

HASH = re.compile(r"^[A-Za-z0-9+/]{43}=$")


def test_type_a_rate_see_hashes_and_stop(browser, frontend, redis, output_dir):
    browser.get(frontend.url + "/")
    assert browser.title == "String Hashr"
    wait = WebDriverWait(browser, 10, poll_frequency=0.1)
    wait.until(lambda d: text(d, "connection-status") == "connected", "the page never connected")
    # The field shows the current rate on load.
    wait.until(lambda d: d.find_element(By.ID, "rate-input").get_attribute("value") == "0")

    set_rate(browser, 20)
    wait.until(lambda d: "Sending 20 requests per second" in text(d, "rate-message"))
    assert http("GET", frontend.url + "/api/rate")[2] == b'{"rps":20}'

    # Hash values appear in the list within seconds, newest first.
    WebDriverWait(browser, 5, poll_frequency=0.1).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#results li")) >= 5, "no hashes appeared within 5 s")
    items = [item.text for item in browser.find_elements(By.CSS_SELECTOR, "#results li")]
    assert all(HASH.match(item) for item in items), items[:5]
    assert not browser.find_element(By.ID, "results-empty").is_displayed()

    # The panel's achieved rate settles near 20 once its window is full.
    WebDriverWait(browser, 15, poll_frequency=0.2).until(
        lambda d: (number(text(d, "achieved-rate")) or 0) >= 19 and number(text(d, "achieved-rate")) <= 21,
        "the achieved rate never came near 20")
    assert number(text(browser, "target-rate")) == 20
    assert number(text(browser, "failed")) == 0
    assert number(text(browser, "p50")) is not None

    # Messages are text, never HTML: whatever is published on the channel shows literally.
    subprocess.run([tool("redis-cli"), "-p", str(redis), "PUBLISH", "calculation", "<b>not bold</b>"],
                   check=True, capture_output=True)
    wait.until(lambda d: any(i.text == "<b>not bold</b>" for i in d.find_elements(By.CSS_SELECTOR, "#results li")))
    assert browser.find_elements(By.CSS_SELECTOR, "#results b") == []

    browser.save_screenshot(str(output_dir / "frontend-20rps.png"))

    # 0 stops: after the last answers arrive, the count stays put.
    set_rate(browser, 0)
    wait.until(lambda d: text(d, "rate-message") == "Stopped.")
    time.sleep(1.0)
    before = text(browser, "results-count")
    time.sleep(2.0)
    assert text(browser, "results-count") == before
    wait.until(lambda d: number(text(d, "target-rate")) == 0)
    browser.save_screenshot(str(output_dir / "frontend-stopped.png"))

    # The page says when the frontend is gone.
    assert frontend.service.stop() == 0
    WebDriverWait(browser, 15, poll_frequency=0.2).until(
        lambda d: text(d, "connection-status") == "disconnected" and d.find_element(By.ID, "offline-banner").is_displayed(),
        "the page never said it was disconnected")
    browser.save_screenshot(str(output_dir / "frontend-disconnected.png"))
