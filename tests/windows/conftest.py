"""The Windows engine double registered as console hosts (no real engine needed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.windows_double import WindowsEngineDouble


def _double(flavor: str) -> Iterator[WindowsEngineDouble]:
    double = WindowsEngineDouble(flavor).start()
    try:
        yield double
    finally:
        double.stop()


@pytest.fixture
def windows_double() -> Iterator[WindowsEngineDouble]:
    """A Windows Server 2022 engine double (process isolation by default)."""
    yield from _double("windows")


@pytest.fixture
def desktop_windows_double() -> Iterator[WindowsEngineDouble]:
    """Docker Desktop on Windows in Windows-containers mode (Hyper-V by default)."""
    yield from _double("desktop-windows")


@pytest.fixture
def wsl2_double() -> Iterator[WindowsEngineDouble]:
    """A Linux engine inside a WSL2 distribution."""
    yield from _double("wsl2")


@pytest.fixture
def desktop_wsl2_double() -> Iterator[WindowsEngineDouble]:
    """Docker Desktop's WSL2 backend."""
    yield from _double("desktop-wsl2")


def register(double: WindowsEngineDouble, slug: str):
    """The double as a host whose platform the console has detected (as the dashboard
    or the host page records it)."""
    from console import engine
    from console.hosts.models import Host

    host = Host.objects.create(name=f"{slug} engine", slug=slug, url=double.url)
    host.record_platform(engine.engine_summary(host).platform)
    host.refresh_from_db()
    return host


@pytest.fixture
def win_host(db, windows_double):
    return register(windows_double, "win")


@pytest.fixture
def wsl_host(db, wsl2_double):
    return register(wsl2_double, "wsl")
