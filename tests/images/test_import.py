"""`docker import` of a filesystem tar, among them the one the containers page exports."""

from __future__ import annotations

import contextlib
import io
import tarfile
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from console.access.models import AuditEntry, Role
from tests.images.accounts import client_as
from tests.images.conftest import assert_asks_to_log_in


@pytest.fixture
def admin(make_user, unix_host):
    return client_as(make_user("importer", Role.ADMIN, unix_host))


@pytest.fixture
def repository(engine_api):
    name = f"console-test/imported-{uuid.uuid4().hex[:8]}"
    yield name
    for image in engine_api.images(name=name):
        with contextlib.suppress(Exception):
            engine_api.remove_image(image["Id"], force=True)


def file_tar(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_an_exported_container_imports_with_its_files(
    admin, make_container, engine_api, repository
):
    marker = uuid.uuid4().hex.encode()
    cid = make_container(f"to-export-{marker[:8].decode()}")
    engine_api.put_archive(cid, "/tmp", file_tar("marker.txt", marker))
    exported = b"".join(admin.get(f"/hosts/unix/containers/{cid}/export/").streaming_content)
    page = admin.post(
        "/hosts/unix/images/import/",
        {
            "archive": SimpleUploadedFile("export.tar", exported),
            "reference": f"{repository}:v1",
            "message": "from an export",
            "changes": 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin\nCMD ["cat", "/tmp/marker.txt"]',
        },
    )
    assert page.status_code == 200, page.content.decode()[:3000]
    image = engine_api.inspect_image(f"{repository}:v1")
    text = page.content.decode()
    assert f'href="/hosts/unix/images/{image["Id"]}/"' in text and f"{repository}:v1" in text
    assert image["Comment"] == "from an export"
    assert image["Config"]["Cmd"] == ["cat", "/tmp/marker.txt"]
    run = engine_api.create_container(
        image["Id"], host_config=engine_api.create_host_config(network_mode="none")
    )["Id"]
    try:
        engine_api.start(run)
        assert engine_api.wait(run, timeout=30)["StatusCode"] == 0
        assert engine_api.logs(run) == marker
        exported_busybox = engine_api.get_archive(run, "/bin/busybox")[1]["size"]
        assert exported_busybox == engine_api.get_archive(cid, "/bin/busybox")[1]["size"]
    finally:
        engine_api.remove_container(run, force=True)
    entry = AuditEntry.objects.get(action="image.import")
    assert entry.ok and entry.target == f"{repository}:v1"
    assert entry.params["image_id"] == image["Id"]


@pytest.mark.parametrize("damage", ["not a tar", "truncated"])
def test_a_bad_archive_makes_no_image(admin, engine_api, repository, damage):
    whole = file_tar("big.bin", bytes(range(256)) * 4000)
    upload = b"plain text, no tar\n" * 100 if damage == "not a tar" else whole[: len(whole) // 2]
    page = admin.post(
        "/hosts/unix/images/import/",
        {"archive": SimpleUploadedFile("fs.tar", upload), "reference": f"{repository}:v1"},
    )
    assert page.status_code == 400
    text = page.content.decode()
    assert "the engine said: Error processing tar file" in text and "No image was made." in text
    assert engine_api.images(name=repository) == []
    assert not AuditEntry.objects.get(action="image.import").ok


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"changes": "RUN rm -rf /"}, "a change must be one of CMD"),
        ({"reference": "Upper/Case"}, "must be lowercase"),
        ({"reference": "a@sha256:" + "0" * 64}, "A digest"),
    ],
)
def test_the_form_says_what_is_wrong(admin, data, message):
    upload = SimpleUploadedFile("fs.tar", file_tar("a", b"a"))
    page = admin.post("/hosts/unix/images/import/", {"archive": upload, **data})
    assert page.status_code == 400 and message in page.content.decode()


def test_only_admins_import(anonymous, make_user, unix_host, tls_host):
    path = "/hosts/unix/images/import/"
    assert_asks_to_log_in(anonymous.get(path))
    assert client_as(make_user("other", Role.ADMIN, tls_host)).get(path).status_code == 404
    for role in (Role.VIEWER, Role.OPERATOR):
        low = client_as(make_user(f"low{role}", role, unix_host))
        assert low.get(path).status_code == 403 and low.post(path).status_code == 403
