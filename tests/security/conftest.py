"""The browser-test console and Chromium, for the probes that need a real browser, and
the run form's tagged containers."""

from tests.containers.test_run import run  # noqa: F401  (a fixture, found by name)
from tests.e2e.conftest import (  # noqa: F401  (fixtures, found by name)
    browser,
    console_server,
    e2e_host,
    engine_containers,
    page,
)
