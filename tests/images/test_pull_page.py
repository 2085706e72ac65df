"""The pull page: a form for the pull websocket (per-layer progress), which also works
without JavaScript; bad references are a clear message before anything is asked."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from console.access.models import AuditEntry


def test_the_page_is_prefilled_from_the_query(operator, unix_host):
    page = operator.get("/hosts/unix/images/pull/?ref=team/app&all_tags=1").content.decode()
    assert 'name="ref" value="team/app"' in page
    assert 'name="all_tags"' in page and "checked" in page
    assert 'data-progress-socket="/ws/hosts/unix/images/pull/"' in page
    assert 'id="pull-progress"' in page


def test_viewers_may_not_pull(viewer, unix_host):
    assert viewer.get("/hosts/unix/images/pull/").status_code == 403
    assert viewer.post("/hosts/unix/images/pull/", {"ref": "busybox"}).status_code == 403


@pytest.mark.parametrize(
    ("ref", "all_tags", "message"),
    [
        ("", False, "This field is required."),
        ("Team/App:1", False, "repository names must be lowercase"),
        ("team/app:bad tag", False, "is not a valid image reference"),
        ("team//app", False, "is not a valid image reference"),
        ("team/app@sha256:abc", False, "is not a valid image reference"),
        ("team/app:1", True, "To pull every tag, give the repository without a tag"),
    ],
)
def test_an_invalid_reference_is_a_clear_message(operator, unix_host, ref, all_tags, message):
    data = {"ref": ref} | ({"all_tags": "on"} if all_tags else {})
    response = operator.post("/hosts/unix/images/pull/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_without_javascript_the_server_pulls_and_says_how_it_ended(
    operator, unix_host, registry_image, engine_api
):
    response = operator.post("/hosts/unix/images/pull/", {"ref": registry_image})
    page = response.content.decode()
    assert f"Downloaded newer image for {registry_image}" in page
    assert "Digest: sha256:" in page
    assert registry_image in engine_api.inspect_image(registry_image)["RepoTags"]
    entry = AuditEntry.objects.get(action="image.pull")
    assert entry.ok and entry.target == registry_image and entry.params["all_tags"] is False


def test_an_engine_refusal_is_shown_as_the_engine_says_it(operator, unix_host, fleet):
    ref = f"{fleet.registry}/console-test/never-pushed:v1"
    page = operator.post("/hosts/unix/images/pull/", {"ref": ref}).content.decode()
    assert "Pull failed:" in page and "manifest unknown" in page
    assert not AuditEntry.objects.get(action="image.pull").ok


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_all_tags_over_the_socket(ws, admin_user, unix_host, registry_image, engine_api):
    repository = registry_image.rpartition(":")[0]
    socket = await ws(f"/ws/hosts/unix/images/pull/?ref={repository}&all_tags=1", admin_user)
    frames = await socket.until_closed(timeout=30)
    assert socket.close_code == 1000, frames
    layers = [layer for f in frames if f["t"] == "progress" for layer in f["layers"]]
    assert any(layer["status"] == "Pull complete" for layer in layers), frames
    assert any(layer["total"] for layer in layers)  # a bar has something to show
    end = frames[-2]
    assert end["end"] and any(line.startswith("Digest: sha256:") for line in end["summary"])
    image = await asyncio.to_thread(engine_api.inspect_image, registry_image)
    assert registry_image in image["RepoTags"]
    entry = await database_sync_to_async(AuditEntry.objects.get)(action="image.pull")
    assert entry.ok and entry.target == repository and entry.params["all_tags"] is True


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("ref=no%20such%20ref", "is not a valid image reference"),
        ("ref=team/app:1&all_tags=1", "To pull every tag"),
        ("", "say which image"),
    ],
)
async def test_a_bad_reference_closes_the_socket_saying_why(
    ws, admin_user, unix_host, query, message
):
    socket = await ws(f"/ws/hosts/unix/images/pull/?{query}", admin_user)
    frames = await socket.until_closed()
    assert socket.close_code == 4400
    assert message in frames[0]["text"]
    assert not await database_sync_to_async(AuditEntry.objects.exists)()
