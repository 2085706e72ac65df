"""`docker save` as a streamed download, `docker load` of an upload, across engines."""

from __future__ import annotations

import io
import json
import tarfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from console.access.models import AuditEntry, Role
from tests.images.accounts import client_as
from tests.images.conftest import assert_asks_to_log_in


@pytest.fixture
def admin(make_user, unix_host, tls_host):
    from console.access.models import HostRole, Team

    user = make_user("img-admin", Role.ADMIN, unix_host)
    team = Team.objects.create(name="tls-admins")
    team.members.add(user)
    HostRole.objects.create(team=team, host=tls_host, role=Role.ADMIN)
    return client_as(user)


def body(response) -> bytes:
    chunks = list(response.streaming_content)
    assert len(chunks) > 1, "a save must arrive in chunks, not as one body"
    return b"".join(chunks)


def manifest(archive: bytes) -> list[dict]:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return json.load(tar.extractfile("manifest.json"))


def test_save_on_one_engine_loads_onto_another_with_the_same_id(admin, images, tls_api):
    tag = images.unique("saved") + ":v1"
    image_id = images.build("head -c 3000000 /dev/urandom > /blob", tag=tag)
    response = admin.get(f"/hosts/unix/images/{image_id}/save/")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/x-tar"
    filename = tag.replace("/", "_").replace(":", "_")
    assert response["Content-Disposition"] == f'attachment; filename="{filename}.tar"'
    archive = body(response)
    assert manifest(archive)[0]["RepoTags"] == [tag]  # saved by id, the tags kept
    images.copies.append((tls_api, image_id))
    page = admin.post(
        "/hosts/tls/images/load/", {"archive": SimpleUploadedFile("saved.tar", archive)}
    )
    assert page.status_code == 200
    assert f"<code>{tag}</code>" in page.content.decode()
    assert tls_api.inspect_image(tag)["Id"] == image_id
    saved = AuditEntry.objects.get(action="image.save")
    loaded = AuditEntry.objects.get(action="image.load")
    assert saved.ok and saved.params["images"] == [image_id] and saved.host_name == "unix engine"
    assert loaded.ok and loaded.target == tag and loaded.host_name == "tls engine"


def test_several_images_in_one_archive(admin, images):
    first, second = images.unique("one") + ":a", images.unique("two") + ":b"
    images.build("echo 1 > /one", tag=first)
    images.build("echo 2 > /two", tag=second)
    page = admin.get("/hosts/unix/images/save/")
    assert page.status_code == 200 and 'name="refs"' in page.content.decode()
    response = admin.get("/hosts/unix/images/save/", {"refs": f"{first}\n{second}"})
    assert response["Content-Disposition"] == 'attachment; filename="images.tar"'
    tags = sorted(t for entry in manifest(body(response)) for t in entry["RepoTags"])
    assert tags == sorted([first, second])


def test_saving_an_unknown_image_says_so(admin):
    response = admin.get(
        "/hosts/unix/images/save/", {"ref": "console-test/never-made:v0"}, follow=True
    )
    assert "No image console-test/never-made:v0 on this host." in response.content.decode()
    assert not AuditEntry.objects.get(action="image.save").ok


@pytest.mark.parametrize("damage", ["not a tar", "truncated"])
def test_a_bad_archive_loads_nothing(admin, images, engine_api, damage):
    tag = images.unique("half") + ":v1"
    image_id = images.build("head -c 2000000 /dev/urandom > /blob", tag=tag)
    archive = b"".join(engine_api.get_image(tag))
    engine_api.remove_image(image_id, force=True)
    upload = b"just some text\n" * 200 if damage == "not a tar" else archive[: len(archive) // 2]
    page = admin.post("/hosts/unix/images/load/", {"archive": SimpleUploadedFile("x.tar", upload)})
    assert page.status_code == 400
    text = page.content.decode()
    assert "Archive refused" in text and "the engine said: Error processing tar file" in text
    assert "Nothing was loaded." in text
    assert images.on_engine() == set()
    assert not engine_api.images(name=tag.split(":")[0])
    assert not AuditEntry.objects.get(action="image.load").ok


def test_save_needs_an_operator_load_an_admin(anonymous, make_user, unix_host, tls_host):
    outsider = client_as(make_user("other", Role.ADMIN, tls_host))
    for page in ("save/", "abc/save/", "load/"):
        path = f"/hosts/unix/images/{page}"
        assert_asks_to_log_in(anonymous.get(path))
        assert outsider.get(path).status_code == 404
    viewer = client_as(make_user("v", Role.VIEWER, unix_host))
    operator = client_as(make_user("op", Role.OPERATOR, unix_host))
    assert viewer.get("/hosts/unix/images/save/").status_code == 403
    assert viewer.get("/hosts/unix/images/abc/save/").status_code == 403
    assert operator.get("/hosts/unix/images/save/").status_code == 200
    assert operator.get("/hosts/unix/images/load/").status_code == 403
    assert operator.post("/hosts/unix/images/load/").status_code == 403
