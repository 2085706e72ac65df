"""A real console (daphne, its own SQLite) and real Chromium, for every test that needs a
browser: registered for the whole suite by tests/conftest.py, so one Chromium serves them
all (a second sync Playwright in one process refuses to start)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.daphne import Console, serve_console

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def console_server(tmp_path_factory) -> Iterator[Console]:
    with serve_console(tmp_path_factory.mktemp("console-data")) as console:
        yield console


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `python -m tests.fleet install` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def wait_until(page, expression: str, timeout: float = 15) -> None:
    """Poll a JavaScript expression until it is truthy. (Playwright's wait_for_function
    evals its predicate inside the page, which the CSP, without 'unsafe-eval', refuses;
    page.evaluate goes through the DevTools protocol instead.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout}s: {expression}")
        page.wait_for_timeout(100)


def log_in(page, console: Console) -> None:
    page.goto(console.url + "/")
    page.fill("#id_username", console.username)
    page.fill("#id_password", console.password)
    page.click("button[type=submit]")
    page.wait_for_url(console.url + "/")


@pytest.fixture
def e2e_host(console_server, fleet) -> str:
    """Engine A registered in the browser-test console (once per run)."""
    if "e2e-unix" not in console_server.manage("hosts"):
        console_server.manage("addhost", "e2e-unix", fleet.unix_url)
    return "e2e-unix"


@pytest.fixture
def engine_containers(fleet):
    """engine_containers(name, command, **create_kwargs): a started container on engine A
    with no network, removed after the test."""
    from tests.engines import raw_client

    api = raw_client(fleet)
    made = []

    def make(name, command, **kwargs):
        none = api.create_host_config(network_mode="none")
        cid = api.create_container(
            fleet.base_image, command, name=name, host_config=none, **kwargs
        )["Id"]
        made.append(cid)
        api.start(cid)
        return cid

    make.api = api
    yield make
    for cid in made:
        with contextlib.suppress(Exception):
            api.remove_container(cid, force=True)
    api.close()


# Collects Content-Security-Policy violations of every document the page loads.
CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI || "inline"} ${e.sourceFile}`);
});
"""


class CspViolations:
    """Every CSP violation of a page: its `securitypolicyviolation` events and the
    console's reports."""

    def __init__(self, page):
        self.page = page
        self.found: list[str] = []
        page.add_init_script(CSP_WATCH)
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.found.append(message.text)

    def visit(self, url: str, ready: str) -> None:
        """Open `url`, wait for `ready`, and assert the page raised no violation."""
        self.page.goto(url)
        self.page.wait_for_selector(ready)
        self.page.wait_for_timeout(250)
        assert self.collect() == [], url

    def collect(self) -> list[str]:
        """The violations so far (call it before leaving each page)."""
        self.found.extend(self.page.evaluate("window.__csp.splice(0)"))
        return self.found


@pytest.fixture
def csp_violations(page) -> CspViolations:
    return CspViolations(page)
