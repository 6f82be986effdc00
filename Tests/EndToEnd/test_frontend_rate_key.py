"""The page with a rate-control key configured (RATE_CONTROL_TOKEN), in headless chromium against the
real frontend and worker binaries: it asks for the key, says so when a wrong one is refused, sets the
rate with the right one, keeps it for the tab only, and works under its own Content-Security-Policy
without one console error."""
import json
import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from .e2e_support import binary, free_port, http, set_rate, start_browser, text

KEY = "e2e-rate-control-key-5f1c9a0b7d"
HASH = re.compile(r"^[A-Za-z0-9+/]{43}=$")


@pytest.fixture
def keyed_frontend(services, redis, worker):
    """The built frontend with RATE_CONTROL_TOKEN set. Returns its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    services("frontend", [binary("frontend")],
             env={"PORT": str(port), "REDIS_URL": f"127.0.0.1:{redis}", "PROCESSOR_URL": f"http://127.0.0.1:{worker}",
                  "RATE_CONTROL_TOKEN": KEY, "LOG_LEVEL": "info"},
             port=port, ready=lambda: http("GET", f"{url}/_healthz")[0] == 200)
    return url


@pytest.fixture
def logging_browser():
    """Headless chromium that keeps the console log."""
    driver = start_browser(console_log=True)
    yield driver
    driver.quit()


def put_rate(url, rps, authorization=None):
    """(status, headers, body) of PUT /api/rate."""
    import urllib.error
    import urllib.request
    request = urllib.request.Request(url + "/api/rate", data=json.dumps({"rps": rps}).encode(), method="PUT")
    request.add_header("Content-Type", "application/json")
    if authorization is not None:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def enter_key(driver, key):
    field = driver.find_element(By.ID, "key-input")
    field.send_keys(Keys.CONTROL + "a" + Keys.NULL + key + Keys.ENTER)


def console_problems(driver):
    """Console entries that show something broken: every warning or error, except the browser's own
    note of the 401 the test provoked on purpose. Also whether that note was seen, which shows the
    log is really being collected."""
    problems, saw_401 = [], False
    for entry in driver.get_log("browser"):
        message = entry.get("message", "")
        if entry.get("source") == "network" and "/api/rate" in message and "401" in message:
            saw_401 = True
            continue
        if entry.get("level") in ("WARNING", "SEVERE"):
            problems.append(entry)
    return problems, saw_401


def test_the_api_refuses_without_the_key(keyed_frontend):
    status, headers, body = put_rate(keyed_frontend, 5)
    assert status == 401 and headers["WWW-Authenticate"] == 'Bearer realm="string-hashr"'
    assert "error" in json.loads(body)
    status, headers, _ = put_rate(keyed_frontend, 5, "Bearer not-the-key-at-all")
    assert status == 401 and 'error="invalid_token"' in headers["WWW-Authenticate"]
    assert http("GET", keyed_frontend + "/api/rate")[2] == b'{"rps":0}'
    assert json.loads(http("GET", keyed_frontend + "/api/stats")[2])["rateControl"] == "token"
    status, _, _ = put_rate(keyed_frontend, 0, "Bearer " + KEY)
    assert status == 200


def test_the_page_asks_for_the_key_refuses_a_wrong_one_and_sets_the_rate_with_the_right_one(
        logging_browser, keyed_frontend, output_dir):
    browser = logging_browser
    browser.get(keyed_frontend + "/")
    wait = WebDriverWait(browser, 10, poll_frequency=0.1)
    wait.until(lambda d: text(d, "connection-status") == "connected", "the page never connected")
    # The frontend says a key is needed: the page asks for it, inline.
    wait.until(lambda d: d.find_element(By.ID, "key-form").is_displayed(), "the page never asked for the key")
    assert browser.find_element(By.ID, "key-input").get_attribute("type") == "password"

    # A rate typed before any key is held back, and the page says why.
    set_rate(browser, 20)
    wait.until(lambda d: "key" in text(d, "rate-message"))
    assert http("GET", keyed_frontend + "/api/rate")[2] == b'{"rps":0}'

    # A wrong key: refused by the frontend (401), the page says so and asks again, nothing changes.
    enter_key(browser, "wrong-key-for-this-demo-000")
    wait.until(lambda d: "not accepted" in text(d, "key-message"), "no message after a wrong key")
    assert browser.find_element(By.ID, "key-form").is_displayed()
    assert "not accepted" in text(browser, "rate-message")
    assert http("GET", keyed_frontend + "/api/rate")[2] == b'{"rps":0}'
    assert browser.execute_script("return sessionStorage.length") == 0, "a refused key is not kept"
    browser.save_screenshot(str(output_dir / "key-refused.png"))

    # The right key: the held rate goes out, hashes appear.
    enter_key(browser, KEY)
    wait.until(lambda d: "Sending 20 requests per second" in text(d, "rate-message"), "the rate was not set")
    assert not browser.find_element(By.ID, "key-form").is_displayed()
    assert http("GET", keyed_frontend + "/api/rate")[2] == b'{"rps":20}'
    WebDriverWait(browser, 10, poll_frequency=0.1).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#results li")) >= 5, "no hashes appeared")
    items = [item.text for item in browser.find_elements(By.CSS_SELECTOR, "#results li")]
    assert all(HASH.match(item) for item in items[:5]), items[:5]
    browser.save_screenshot(str(output_dir / "key-accepted.png"))

    # Kept for this tab (sessionStorage), never in the URL or in localStorage.
    assert KEY in browser.execute_script("return Object.values(sessionStorage).join(' ')")
    assert browser.execute_script("return localStorage.length") == 0
    assert KEY not in browser.current_url

    # After a reload the tab still has it: no question, the rate changes at once.
    browser.get(keyed_frontend + "/")
    wait.until(lambda d: text(d, "connection-status") == "connected")
    set_rate(browser, 0)
    wait.until(lambda d: text(d, "rate-message") == "Stopped.")
    assert not browser.find_element(By.ID, "key-form").is_displayed()
    assert http("GET", keyed_frontend + "/api/rate")[2] == b'{"rps":0}'

    # The page ran under its own CSP without a single complaint.
    problems, saw_401 = console_problems(browser)
    assert problems == [], problems
    assert saw_401, "the console log was not collected (goog:loggingPrefs)"
