"""docker pull over the websocket: per-layer progress, the end, the audit entry."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from console.access.models import AuditEntry, Role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_pull_from_the_registry_reports_progress_and_lands(
    ws, admin_user, unix_host, registry_image, engine_api
):
    socket = await ws(f"/ws/hosts/unix/images/pull/?ref={registry_image}", admin_user)
    frames = await socket.until_closed(timeout=30)
    progress = [f for f in frames if f["t"] == "progress"]
    assert progress, frames
    statuses = {layer["status"] for f in progress for layer in f["layers"]}
    assert "Pull complete" in statuses or "Already exists" in statuses
    assert socket.close_code == 1000
    assert f"Downloaded newer image for {registry_image}" in frames[-2]["text"]
    image = await asyncio.to_thread(engine_api.inspect_image, registry_image)
    assert registry_image in image["RepoTags"]
    entry = await database_sync_to_async(AuditEntry.objects.get)(action="image.pull")
    assert entry.ok and entry.target == registry_image


async def test_leaving_the_page_does_not_cancel_the_pull(
    ws, admin_user, unix_host, registry_image, engine_api
):
    socket = await ws(f"/ws/hosts/unix/images/pull/?ref={registry_image}", admin_user)
    await socket.close()
    for _ in range(100):
        if await database_sync_to_async(AuditEntry.objects.filter(action="image.pull").exists)():
            break
        await asyncio.sleep(0.1)
    image = await asyncio.to_thread(engine_api.inspect_image, registry_image)
    assert registry_image in image["RepoTags"]


async def test_a_missing_image_says_what_the_registry_said(ws, admin_user, unix_host, fleet):
    ref = f"{fleet.registry}/console-test/never-pushed:v1"
    socket = await ws(f"/ws/hosts/unix/images/pull/?ref={ref}", admin_user)
    frames = await socket.until_closed(timeout=30)
    assert frames[-2]["text"].startswith("Pull failed:")
    assert "not found" in frames[-2]["error"] or "unknown" in frames[-2]["error"]
    entry = await database_sync_to_async(AuditEntry.objects.get)(action="image.pull")
    assert not entry.ok


async def test_viewers_may_not_pull(ws, make_user, unix_host, registry_image):
    viewer = await database_sync_to_async(make_user)("v", Role.VIEWER, unix_host)
    socket = await ws(f"/ws/hosts/unix/images/pull/?ref={registry_image}", viewer)
    await socket.until_closed()
    assert socket.close_code == 4403
