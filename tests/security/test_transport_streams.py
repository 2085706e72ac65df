"""Streams (build, pull, logs) never hand a connection they closed back to the client's
shared pool: the next ordinary call on the same host works, on TLS and SSH alike."""

from __future__ import annotations

import contextlib
import io
import tarfile
import threading
import uuid

import pytest

from console.engine import build, containers, streams, system
from console.streams import pulls
from tests.security.transports import stored, tls_api  # noqa: F401  (a fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("which", ["tls_host", "ssh_host"]),
]


@pytest.fixture
def host(which, request):
    return stored(request.getfixturevalue(which))


@pytest.fixture
def raw_api(which, request):
    """docker-py straight to the engine behind `host`."""
    return request.getfixturevalue("tls_api" if which == "tls_host" else "engine_api")


def _context(tmp_path, dockerfile: str) -> str:
    path = tmp_path / f"context-{uuid.uuid4().hex[:6]}.tar"
    with tarfile.open(path, "w") as tar:
        data = dockerfile.encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return str(path)


def test_builds_in_a_row(host, raw_api, fleet, tmp_path):
    repository = f"console-test/transport-{uuid.uuid4().hex[:8]}"
    try:
        for attempt in range(3):
            context = _context(tmp_path, f"FROM {fleet.base_image}\nLABEL attempt={attempt}\n")
            source = build.BuildSource(host, context, build.BuildOptions(tags=[repository]))
            try:
                events = list(source)  # to the engine's end, as the build job reads it
            finally:
                source.close()
            assert any(event.image_id for event in events)
            assert system.engine_summary(host)
    finally:
        for image in raw_api.images(name=repository):
            with contextlib.suppress(Exception):
                raw_api.remove_image(image["Id"], force=True)


def test_a_pull_job_then_the_next_page(host, raw_api, registry_image, admin_user):
    try:
        job = pulls.start_or_join(host, registry_image, admin_user)
        assert job.finished.wait(60)
        assert not job.error
        assert system.engine_summary(host)
        assert containers.list_containers(host, all=True) is not None
    finally:
        with contextlib.suppress(Exception):
            raw_api.remove_image(registry_image, force=True)


CHATTY = ["sh", "-c", "while true; do echo x; sleep 0.05; done"]


@pytest.fixture
def chatty(fleet, raw_api):
    """A container on `host`'s engine printing a line every 50 ms."""
    none = raw_api.create_host_config(network_mode="none")
    cid = raw_api.create_container(fleet.base_image, CHATTY, host_config=none)["Id"]
    raw_api.start(cid)
    yield cid
    raw_api.remove_container(cid, force=True)


def test_logs_closed_from_another_thread_then_many_polls(host, chatty):
    for _ in range(6):
        source = streams.LogSource(host, chatty, streams.LogOptions(follow=True), line_limit=1000)
        first = threading.Event()

        def read(source=source, first=first):
            with contextlib.suppress(Exception):
                for _batch in source:
                    first.set()

        reader = threading.Thread(target=read)
        reader.start()
        assert first.wait(10)
        source.close()  # as the consumer does, from the loop's thread
        reader.join(10)
        for _ in range(4):
            assert containers.list_containers(host, all=True) is not None
