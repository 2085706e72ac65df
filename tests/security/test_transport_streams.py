"""Streams (build, pull, logs) never hand a connection they closed back to the client's
shared pool: the next ordinary call on the same host works, on TLS and SSH alike."""

from __future__ import annotations

import contextlib
import io
import tarfile
import threading
import uuid

import pytest

from console.engine import build, containers, logs, system
from console.images import pull_job
from tests.security.transports import host, raw_api, run_on, tls_api  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("which", ["tls_host", "ssh_host"]),
]


def _context(tmp_path, dockerfile: str) -> str:
    path = tmp_path / f"context-{uuid.uuid4().hex[:6]}.tar"
    with tarfile.open(path, "w") as tar:
        data = dockerfile.encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return str(path)


def test_builds_in_a_row(host, raw_api, fleet, tmp_path):  # noqa: F811
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


def test_a_pull_job_then_the_next_page(host, raw_api, registry_image, admin_user):  # noqa: F811
    try:
        job = pull_job.start_or_join(host, registry_image, admin_user)
        assert job.finished.wait(60)
        assert not job.error
        assert system.engine_summary(host)
        assert containers.list_containers(host, all=True) is not None
    finally:
        with contextlib.suppress(Exception):
            raw_api.remove_image(registry_image, force=True)


@pytest.fixture
def chatty(run_on):  # noqa: F811
    """A container printing a line every 50 ms."""
    return run_on(["sh", "-c", "while true; do echo x; sleep 0.05; done"])


def test_logs_closed_from_another_thread_then_many_polls(host, chatty):  # noqa: F811
    for _ in range(6):
        source = logs.LogSource(host, chatty, logs.LogOptions(follow=True), line_limit=1000)
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
