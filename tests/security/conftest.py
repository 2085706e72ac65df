"""The browser-test console and Chromium, for the probes that need a real browser."""

from tests.e2e.conftest import (  # noqa: F401  (fixtures, found by name)
    browser,
    console_server,
    e2e_host,
    engine_containers,
    page,
)
