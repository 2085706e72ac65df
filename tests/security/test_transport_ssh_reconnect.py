"""An SSH host comes back by itself once its sshd is back: the dead session is dropped
and the next engine call connects anew (no one has to press Test)."""

from __future__ import annotations

import pytest

from console.engine import client, containers, system
from tests.security.transports import private_ssh_host, private_sshd  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_the_next_call_after_an_sshd_restart_succeeds(private_ssh_host, private_sshd):  # noqa: F811
    assert system.engine_summary(private_ssh_host)
    assert private_sshd.sessions()  # the cached client holds a connection to it
    private_sshd.restart()
    assert system.engine_summary(private_ssh_host)
    assert containers.list_containers(private_ssh_host, all=True) is not None


def test_a_dropped_transport_reconnects_on_the_next_call(private_ssh_host):  # noqa: F811
    api = client.client_for(private_ssh_host)
    api.version()
    api._custom_adapter.ssh_client.get_transport().close()
    assert system.engine_summary(private_ssh_host)
