"""Uploads through daphne itself, the way a browser sends them: a multipart body big
enough for Twisted to spool it to disk, read from that spool by the console
(`console.web.daphne.uploads_from_disk`) and streamed on into the engine byte for byte."""

import hashlib
import io
import os
import tarfile
import uuid

from tests.browser import log_in
from tests.conftest import STOPPABLE


def test_a_large_upload_reaches_the_container_intact(
    page, console_server, e2e_host, engine_containers
):
    name = f"e2e-upload-{uuid.uuid4().hex[:6]}"
    cid = engine_containers(name, STOPPABLE)
    payload = os.urandom(3 * 1024 * 1024 + 17)  # several of the spool reader's chunks
    log_in(page, console_server)
    files_page = f"{console_server.url}/hosts/{e2e_host}/containers/{name}/files/?path=/tmp"
    page.goto(files_page)
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")

    response = page.request.post(
        f"{console_server.url}/hosts/{e2e_host}/containers/{name}/files/upload/",
        multipart={
            "csrfmiddlewaretoken": token,
            "path": "/tmp",
            "files": {"name": "big.bin", "mimeType": "application/octet-stream", "buffer": payload},
        },
    )

    assert response.ok
    assert "1 entry uploaded into /tmp" in response.text()
    stream, _ = engine_containers.api.get_archive(cid, "/tmp/big.bin")
    with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as archive:
        stored = archive.extractfile("big.bin").read()
    assert hashlib.sha256(stored).digest() == hashlib.sha256(payload).digest()
