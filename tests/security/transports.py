"""Helpers shared by the transport tests: host rows as the console reads them back
(with their secrets decrypted on access), and direct access to engine B."""

from __future__ import annotations

import pytest

from tests.engines import raw_client


def stored(host):
    """The row as views load it: a freshly created row still holds plain strings."""
    from console.hosts.models import Host

    return Host.objects.get(pk=host.pk)


@pytest.fixture
def tls_api(fleet):
    """docker-py straight to engine B (the one behind tls_host)."""
    api = raw_client(fleet, "tls")
    yield api
    api.close()
