"""Push: tag first if needed, then `docker push` with per-layer progress over the push
websocket (a job, audited at its end); the pushed repository then shows in the
registry's catalog. Without JavaScript the server pushes and waits."""

import asyncio
import html
import uuid

import pytest
from channels.db import database_sync_to_async

from console.access.models import AuditEntry
from console.engine.registry import search_catalog
from console.images.models import Registry


@pytest.fixture
def fleet_registry(db, fleet):
    return Registry.objects.create(name="fleet", url=f"http://{fleet.registry}")


def _repository() -> str:
    return f"console-test/push-{uuid.uuid4().hex[:8]}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_push_streams_layer_progress_and_the_catalog_then_has_it(
    ws, client, admin_user, unix_host, fleet, images, engine_api
):
    image_id = await asyncio.to_thread(images.build, "echo pushed > /pushed")
    registry = await database_sync_to_async(Registry.objects.create)(
        name="fleet", url=f"http://{fleet.registry}"
    )
    repository = _repository()
    target = f"{fleet.registry}/{repository}:v2"
    await database_sync_to_async(client.force_login)(admin_user)
    form = {"registry": registry.pk, "repository": repository, "tag": "v2", "live": "1"}
    response = await database_sync_to_async(client.post)(
        f"/hosts/unix/images/{image_id}/push/", form
    )
    page = html.unescape(response.content.decode())
    quoted = target.replace(":", "%3A").replace("/", "%2F")
    assert f'data-progress-autostart="/ws/hosts/unix/images/push/?ref={quoted}"' in page
    tags = (await asyncio.to_thread(engine_api.inspect_image, image_id))["RepoTags"]
    assert target in tags  # tagged first

    socket = await ws(f"/ws/hosts/unix/images/push/?ref={target}", admin_user)
    frames = await socket.until_closed(timeout=30)
    assert socket.close_code == 1000, frames
    layers = [layer for f in frames if f["t"] == "progress" for layer in f["layers"]]
    statuses = {layer["status"] for layer in layers}
    assert "Pushed" in statuses, statuses  # the new layer went up
    end = frames[-2]
    assert end["end"] and "v2: digest: sha256:" in end["text"]

    found = await asyncio.to_thread(search_catalog, f"http://{fleet.registry}", None, repository)
    assert [(r.name, r.tags) for r in found.repositories] == [(repository, ["v2"])]
    entries = await database_sync_to_async(
        lambda: list(AuditEntry.objects.order_by("pk").values_list("action", "ok", "target"))
    )()
    assert entries == [("image.tag", True, image_id), ("image.push", True, target)]


def test_without_javascript_the_server_pushes_and_says_how_it_ended(
    admin_client, unix_host, fleet, fleet_registry, images, engine_api
):
    image_id = images.build("echo nojs > /nojs")
    repository = _repository()
    form = {"registry": fleet_registry.pk, "repository": repository, "tag": "v1"}
    page = admin_client.post(f"/hosts/unix/images/{image_id}/push/", form).content.decode()
    assert "v1: digest: sha256:" in page
    found = search_catalog(f"http://{fleet.registry}", None, repository)
    assert [(r.name, r.tags) for r in found.repositories] == [(repository, ["v1"])]
    entry = AuditEntry.objects.get(action="image.push")
    assert entry.ok and entry.target == f"{fleet.registry}/{repository}:v1"
    assert "digest: sha256:" in entry.params["status"]


def test_the_form_is_filled_from_the_image_name(
    admin_client, unix_host, fleet, fleet_registry, images
):
    repository = _repository()
    image_id = images.build("true", tag=f"{fleet.registry}/{repository}:v9")
    page = admin_client.get(f"/hosts/unix/images/{image_id}/push/").content.decode()
    assert f'<option value="{fleet_registry.pk}" selected>fleet</option>' in page
    assert f'name="repository" value="{repository}"' in page
    assert 'name="tag" value="v9"' in page


def test_bad_names_are_field_errors_and_nothing_is_tagged(operator, unix_host, images, engine_api):
    image_id = images.build("true")
    response = operator.post(
        f"/hosts/unix/images/{image_id}/push/", {"repository": "Team/App", "tag": "v1"}
    )
    assert "repository names must be lowercase" in response.content.decode()
    response = operator.post(
        f"/hosts/unix/images/{image_id}/push/", {"repository": "team/app", "tag": "-x"}
    )
    assert "is not a valid image reference" in response.content.decode()
    assert engine_api.inspect_image(image_id)["RepoTags"] == []
    assert not AuditEntry.objects.exists()


def test_an_unreachable_registry_is_said_as_the_engine_says_it(operator, unix_host, images):
    image_id = images.build("true")
    page = operator.post(
        f"/hosts/unix/images/{image_id}/push/", {"repository": "127.0.0.1:9/team/app", "tag": "v1"}
    ).content.decode()
    assert "Push failed:" in page and "connection refused" in page
    assert not AuditEntry.objects.get(action="image.push").ok


def test_a_push_lends_the_registry_credentials_to_the_engine(
    admin_client, unix_host, images, stub_registry
):
    stub = stub_registry(auth="basic")
    Registry.objects.create(
        name="stub", url=stub.url, username=stub.username, password=stub.password
    )
    image_id = images.build("true")
    registry = Registry.objects.get()
    form = {"registry": registry.pk, "repository": "team/app", "tag": "v1"}
    page = admin_client.post(f"/hosts/unix/images/{image_id}/push/", form).content.decode()
    assert "Push failed:" in page
    assert any(given == stub.basic() for _, given in stub.seen), stub.seen


def test_viewers_may_not_push(viewer, unix_host, images):
    image_id = images.build("true")
    assert viewer.get(f"/hosts/unix/images/{image_id}/push/").status_code == 403


def test_an_image_that_is_not_there_is_a_404(operator, unix_host):
    assert operator.get("/hosts/unix/images/sha256-nothing/push/").status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_digest_cannot_be_pushed(ws, admin_user, unix_host):
    socket = await ws("/ws/hosts/unix/images/push/?ref=team/app@sha256:" + "a" * 64, admin_user)
    frames = await socket.until_closed()
    assert socket.close_code == 4400 and "digest" in frames[0]["text"]
