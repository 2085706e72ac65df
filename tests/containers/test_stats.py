"""Stats and events over websockets, against the real engine."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from console.access.models import Role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_stats_samples_are_within_bounds(
    ws, admin_user, unix_host, make_container, engine_api
):
    busy = ["sh", "-c", "while true; do :; done"]
    cid = await database_sync_to_async(make_container)("stats-1", busy)
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/stats/", admin_user)
    samples = []
    while len(samples) < 3:
        frame = await socket.receive(timeout=15)
        if frame["t"] == "stats":
            samples.append(frame["sample"])
    cpus = (await asyncio.to_thread(engine_api.info))["NCPU"]
    for sample in samples:
        assert 0 <= sample["cpu_percent"] <= 100 * cpus
        assert 0 < sample["memory_used"] <= sample["memory_limit"]
        assert 0 <= sample["memory_percent"] <= 100
        assert sample["pids"] >= 1
    assert max(s["cpu_percent"] for s in samples[1:]) > 10  # the loop keeps a core busy
    await socket.close()


async def test_host_stats_table_lists_running_containers(ws, make_user, unix_host, make_container):
    cid = await database_sync_to_async(make_container)("stats-2")
    viewer = await database_sync_to_async(make_user)("v", Role.VIEWER, unix_host)
    socket = await ws("/ws/hosts/unix/stats/", viewer)
    frame = await socket.receive(timeout=20)
    assert frame["t"] == "table"
    row = next(r for r in frame["rows"] if r["id"] == cid)
    assert row["name"] == "stats-2" and row["pids"] >= 1
    await socket.close()


async def test_events_reach_the_socket(ws, admin_user, unix_host, make_container, engine_api):
    socket = await ws("/ws/hosts/unix/events/?type=container&event=start", admin_user)
    await asyncio.sleep(0.3)  # the engine's event subscription is open
    cid = await database_sync_to_async(make_container)("events-1")
    frame = await socket.receive(timeout=10)
    assert frame["t"] == "event"
    assert frame["event"]["action"] == "start"
    assert frame["event"]["actor_id"] == cid
    assert frame["event"]["name"] == "events-1"
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


async def test_stats_of_a_stopped_container_end(ws, admin_user, unix_host, make_container):
    cid = await database_sync_to_async(make_container)("stats-3", start=False)
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/stats/", admin_user)
    frames = await socket.until_closed(timeout=15)
    assert socket.close_code == 1000
    assert frames[-2]["text"] == "The container is not running."
