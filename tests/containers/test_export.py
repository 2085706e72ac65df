"""`docker export` as a streamed .tar download, against the real engines."""

from __future__ import annotations

import asyncio
import contextlib
import io
import tarfile
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import AsyncRequestFactory

from console.access.models import AuditEntry, Role
from console.containers import files
from tests.engines import raw_client


class ChunkReader(io.RawIOBase):
    """A file over an iterator of chunks, so tarfile reads a download as it streams."""

    def __init__(self, chunks):
        self.chunks = iter(chunks)
        self.pending = b""
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                return 0
            self.count += 1
        size = min(len(buffer), len(self.pending))
        buffer[:size], self.pending = self.pending[:size], self.pending[size:]
        return size


def exported_files(chunks) -> tuple[dict[str, bytes | int], int]:
    """{name: content (regular files under tmp/) or size} read from the streamed tar, and
    how many chunks it came in."""
    reader = ChunkReader(chunks)
    found: dict[str, bytes | int] = {}
    with tarfile.open(fileobj=reader, mode="r|") as tar:
        for member in tar:
            if member.isreg():
                data = tar.extractfile(member)
                found[member.name] = data.read() if member.name.startswith("tmp/") else member.size
    return found, reader.count


def engine_size(api, cid: str, path: str) -> int:
    return api.get_archive(cid, path)[1]["size"]


@pytest.fixture
def operator(make_user, unix_host, logged_in):
    return logged_in(make_user("op", Role.OPERATOR, unix_host))


def test_export_streams_the_filesystem_as_a_tar(operator, make_container, engine_api):
    cid = make_container("export-1")
    operator.post(
        "/hosts/unix/containers/export-1/files/upload/",
        {"path": "/tmp", "files": [SimpleUploadedFile("marker.txt", b"exported \xff\x00")]},
    )
    response = operator.get("/hosts/unix/containers/export-1/export/")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/x-tar"
    assert response["Content-Disposition"] == 'attachment; filename="export-1.tar"'
    found, chunks = exported_files(response.streaming_content)
    assert chunks > 1, "the export must arrive in chunks, not as one body"
    assert found["tmp/marker.txt"] == b"exported \xff\x00"
    assert found["bin/busybox"] == engine_size(engine_api, cid, "/bin/busybox")
    entry = AuditEntry.objects.get(action="container.export")
    assert entry.ok and entry.target == "export-1" and entry.host_name == "unix engine"


def test_export_under_asgi_is_pulled_chunk_by_chunk(make_user, unix_host, make_container):
    """Django would drain a plain iterator into memory under ASGI: the view hands it an
    async one."""
    make_container("export-asgi", start=False)
    request = AsyncRequestFactory().get("/hosts/unix/containers/export-asgi/export/")
    request.user = make_user("op", Role.OPERATOR, unix_host)
    response = files.export(request, "unix", "export-asgi")
    assert response.is_async

    async def drain() -> list[bytes]:
        return [chunk async for chunk in response]

    # In a thread of its own: the browser tests leave an event loop in the main one.
    with ThreadPoolExecutor(1) as pool:
        found, _ = exported_files(pool.submit(asyncio.run, drain()).result())
    assert "bin/busybox" in found


def test_export_over_tls(logged_in, make_user, tls_host, fleet):
    api = raw_client(fleet, "tls")
    none = api.create_host_config(network_mode="none")
    cid = api.create_container(fleet.base_image, name="export-tls", host_config=none)["Id"]
    try:
        client = logged_in(make_user("op", Role.OPERATOR, tls_host))
        response = client.get("/hosts/tls/containers/export-tls/export/")
        found, _ = exported_files(response.streaming_content)
        assert found["bin/busybox"] == engine_size(api, cid, "/bin/busybox")
    finally:
        with contextlib.suppress(Exception):
            api.remove_container(cid, force=True)
        api.close()


def test_a_removed_container_is_404_not_500(operator, make_container, engine_api):
    cid = make_container("export-gone")
    engine_api.remove_container(cid, force=True)
    response = operator.get("/hosts/unix/containers/export-gone/export/")
    assert response.status_code == 404
    assert "export-gone no longer exists" in response.content.decode()
    entry = AuditEntry.objects.get(action="container.export")
    assert not entry.ok and "no longer exists" in entry.error


def test_viewer_is_refused(logged_in, make_user, unix_host, make_container):
    make_container("export-viewer")
    viewer = logged_in(make_user("v", Role.VIEWER, unix_host))
    assert viewer.get("/hosts/unix/containers/export-viewer/export/").status_code == 403
    assert not AuditEntry.objects.exists()


def test_other_team_gets_404(logged_in, make_user, unix_host, tls_host):
    outsider = logged_in(make_user("out", Role.ADMIN, tls_host))
    assert outsider.get("/hosts/unix/containers/anything/export/").status_code == 404


def test_anonymous_is_sent_to_login(client, unix_host):
    response = client.get("/hosts/unix/containers/anything/export/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
