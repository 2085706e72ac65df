"""The engine's events over the host's websocket, against the real engine."""

import time
import uuid

import pytest
from channels.db import database_sync_to_async

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_events_reach_the_socket(ws, admin_user, unix_host, make_container, engine_api):
    name = f"events-1-{uuid.uuid4().hex[:8]}"
    # From a second ago: the start is delivered even if the engine's subscription opens
    # after it; the name keeps other tests' containers out.
    since = int(time.time()) - 1
    query = f"type=container&event=start&container={name}&since={since}"
    socket = await ws(f"/ws/hosts/unix/events/?{query}", admin_user)
    cid = await database_sync_to_async(make_container)(name)
    frame = await socket.receive(timeout=10)
    assert frame["t"] == "event"
    assert frame["event"]["action"] == "start"
    assert frame["event"]["actor_id"] == cid
    assert frame["event"]["name"] == name
    await socket.close()


async def test_events_since_replays_the_past(ws, admin_user, unix_host, make_container):
    cid = await database_sync_to_async(make_container)("events-2", start=False)
    socket = await ws("/ws/hosts/unix/events/?since=1m&type=container&event=create", admin_user)
    ids = set()
    for _ in range(50):
        frame = await socket.receive(timeout=5)
        ids.add(frame["event"]["actor_id"])
        if cid in ids:
            break
    assert cid in ids
    await socket.close()
