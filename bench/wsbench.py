"""What the websocket benchmarks share: a daphne process serving the console (as `make
run` does) on a throw-away database with a logged-in session and an RSS sampler for the
daphne process. The client speaking to it the way the pages do is tests/wsclient.py.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from common import admin_client

from tests.daphne import free_port, proc_kb, start_daphne


class RSSSampler:
    """VmRSS of a process every `interval` seconds, in a thread; `peak_mb()` since the
    last `mark()`, relative to the RSS at `baseline()`."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid = pid
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(OSError, KeyError):
                self.samples.append((time.monotonic(), proc_kb(self.pid, "VmRSS")))
            self._stop.wait(self.interval)

    def __enter__(self) -> RSSSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def now_mb(self) -> float:
        return proc_kb(self.pid, "VmRSS") / 1024

    def peak_mb(self, since: float, until: float | None = None) -> float:
        until = until or time.monotonic()
        window = [kb for t, kb in self.samples if since <= t <= until]
        return max(window, default=0) / 1024


@contextlib.contextmanager
def console(fleet) -> Iterator[tuple[int, str, int]]:
    """A daphne process serving the console with host `bench` (engine A registered):
    yields (port, session cookie, daphne's pid)."""
    from console.hosts.models import Host

    client = admin_client()
    cookie = client.cookies["sessionid"].value
    Host.objects.create(name="bench", slug="bench", url=fleet.unix_url)
    port = free_port()
    server = start_daphne(port)
    try:
        yield port, cookie, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except Exception:
            server.kill()
            server.wait()


@contextlib.contextmanager
def bench_container(fleet, api, prefix: str, command: list[str]) -> Iterator[str]:
    """A container of the fleet's base image (no network, a unique name from `prefix`)
    that will run `command`, not started yet: yields its id, removes it at the end."""
    container_id = api.create_container(
        fleet.base_image,
        command,
        name=unique(prefix),
        host_config=api.create_host_config(network_mode="none"),
    )["Id"]
    try:
        yield container_id
    finally:
        api.remove_container(container_id, force=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def vm_rss_mb(pid: int) -> float:
    return proc_kb(pid, "VmRSS") / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def unique(prefix: str) -> str:
    """A container name no other run (nor a test on the same fleet) uses."""
    return f"{prefix}-{os.getpid()}-{os.urandom(3).hex()}"
