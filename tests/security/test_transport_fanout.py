"""Silent hosts never cost a healthy host its deadline: however many dashboards wait on
them at once, the next fan-out still answers the healthy host as up, and a call the page
stopped waiting for gives its thread back at the deadline, not at the engine timeout."""

from __future__ import annotations

import threading

import pytest

from console import engine
from tests.security.transports import stored

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def silent_hosts(db, silent_server):
    from console.hosts.models import Host

    return [
        Host.objects.create(name=f"silent {n}", slug=f"silent-{n}", url=silent_server)
        for n in range(3)
    ]


def test_many_loads_with_silent_hosts_leave_the_healthy_host_up(unix_host, silent_hosts):
    loads = [
        threading.Thread(target=engine.fan_out, args=(silent_hosts, engine.engine_summary))
        for _ in range(12)
    ]
    for load in loads:
        load.start()
    for load in loads:
        load.join(30)
    # The next dashboard, while the engine calls of those loads may still wait.
    results = engine.fan_out([stored(unix_host), *silent_hosts], engine.engine_summary)
    assert results[0].ok, results[0].error
    assert not any(result.ok for result in results[1:])


def test_an_abandoned_call_ends_at_the_deadline(settings, silent_hosts):
    settings.CONSOLE_ENGINE_TIMEOUT = 120
    ended = threading.Event()

    def summary(host):
        try:
            return engine.engine_summary(host)
        finally:
            ended.set()

    [result] = engine.fan_out(silent_hosts[:1], summary, deadline=1)
    assert not result.ok
    # Far less than the engine timeout: the thread is free again.
    assert ended.wait(20)
