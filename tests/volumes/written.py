"""Volumes for the volume-browser tests: made on engine A and filled by a container, and
the check that the browser's helper containers are gone afterwards."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import pytest

from tests.engines import raw_client

HELPER_FILTER = {"label": "console.helper=volume-browser"}


@contextlib.contextmanager
def volume_written_by(fleet, prefix: str, script: str) -> Iterator[tuple[object, str, str]]:
    """(engine client, volume name, writer container id): a new volume that `script` wrote
    at /data in a container that has ended; both are removed afterwards."""
    api = raw_client(fleet)
    volume = f"{prefix}-{uuid.uuid4().hex[:8]}"
    api.create_volume(volume)
    host_config = api.create_host_config(
        binds={volume: {"bind": "/data", "mode": "rw"}}, network_mode="none"
    )
    writer = api.create_container(
        fleet.base_image, ["sh", "-c", script], host_config=host_config, name=f"{volume}-writer"
    )["Id"]
    try:
        api.start(writer)
        assert api.wait(writer, timeout=30)["StatusCode"] == 0
        yield api, volume, writer
    finally:
        with contextlib.suppress(Exception):
            api.remove_container(writer, force=True)
        with contextlib.suppress(Exception):
            api.remove_volume(volume)
        api.close()


@pytest.fixture
def helper_image_and_no_leftovers(settings, fleet, engine_api):
    """The browser's helpers run the fleet's image, and none is left behind."""
    settings.CONSOLE_VOLUME_HELPER_IMAGE = fleet.base_image
    yield
    assert engine_api.containers(all=True, filters=HELPER_FILTER) == []
