"""Helpers for the end-to-end tests: the real binaries, free ports, HTTP, waiting, and processes
started and stopped by PID with timeouts. Nothing here skips: a missing binary or tool fails the
test with a message saying what to do.

Tests import these from here (`from .e2e_support import ...`), never from `conftest`: this folder
is a package so that its conftest.py does not take the bare name `conftest` from Tests/Deployment's."""
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

REPO = pathlib.Path(__file__).resolve().parents[2]
# scripts/test builds the debug binaries before running pytest; HASHR_BIN_DIR points elsewhere
# (a release build, another scratch path).
BIN_DIR = pathlib.Path(os.environ.get("HASHR_BIN_DIR", REPO / ".build" / "debug"))
OUTPUT_DIR = REPO / "test-output"


def free_port():
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, condition, timeout=10.0, interval=0.05):
    """Polls `condition` until it returns something truthy, which is returned; fails after `timeout`."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # the thing waited for may refuse connections for a while
            last_error = error
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s waiting for {what}" + (f" (last error: {last_error})" if last_error else ""))


def accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def http(method, url, body=None, timeout=5):
    """(status, headers, body bytes) of one request; HTTP errors are answers too."""
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def binary(name):
    """The built executable `name`; fails (never skips) when it is not there."""
    path = BIN_DIR / name
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing: build it first (swift build, or scripts/test which builds before testing)")
    return path


def tool(name):
    path = shutil.which(name) or (f"/usr/bin/{name}" if os.access(f"/usr/bin/{name}", os.X_OK) else None)
    if path is None:
        pytest.fail(f"{name} is not installed (see .ci/run)")
    return path


class Service:
    """One child process with its output in a log file, stopped by its PID."""

    def __init__(self, name, argv, env=None, log_dir=None, replace_env=False, cwd=None):
        """`env` adds to this process's environment, or with `replace_env` is the whole of it."""
        self.name = name
        log_dir = pathlib.Path(log_dir or OUTPUT_DIR)
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{name}.log"
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [str(a) for a in argv], env=dict(env or {}) if replace_env else dict(os.environ, **(env or {})),
            cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid = self.process.pid

    def running(self):
        return self.process.poll() is None

    def log_text(self):
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Sends `sig` to the PID, waits up to `timeout` s, then SIGKILL. Returns the exit status."""
        if self.running():
            try:
                os.kill(self.pid, sig)
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
            except ProcessLookupError:
                pass
        self.log.close()
        return self.process.returncode


# --- the page in a browser -----------------------------------------------------------------------

def start_browser(console_log=False):
    """Headless Debian chromium through its chromium-driver; fails (never skips) when either is missing.
    `console_log`: keep the page's console for `driver.get_log("browser")`."""
    options = webdriver.ChromeOptions()
    options.binary_location = tool("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,1100", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    if console_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=ChromeService(executable_path=tool("chromedriver")), options=options)
    except WebDriverException as error:
        pytest.fail(f"cannot start headless chromium through chromedriver: {error}")
    # A page that never answers fails the test instead of hanging it.
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(10)
    return driver


def screenshot(driver, path, element_id=None):
    """Saves a screenshot (of the page, or of one element) once CSS transitions have finished, so the
    share bar shows the figures next to it rather than a frame of its animation."""
    wait_for("the page's transitions to finish",
             lambda: driver.execute_script("return document.getAnimations().every(a => !(a instanceof CSSTransition))"), timeout=5)
    if element_id is None:
        driver.save_screenshot(str(path))
    else:
        driver.find_element(By.ID, element_id).screenshot(str(path))


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def listed(driver, count=200):
    """The page's newest `count` hashes, newest first."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#results li')).slice(0, arguments[0]).map(li => li.textContent);",
        count)


def set_rate(driver, rps):
    """Types `rps` into the rate field and presses Enter, as a person does."""
    field = driver.find_element(By.ID, "rate-input")
    # Select all and type over it in one go. WebDriver's clear() blurs the field, and the page's
    # once-a-second refresh of an unfocused field could then put the old rate back before the keys
    # arrive ("20" + "3" typed = 203).
    field.send_keys(Keys.CONTROL + "a" + Keys.NULL + str(rps) + Keys.ENTER)


def number(value):
    try:
        return float(value.replace(",", ""))
    except ValueError:
        return None
