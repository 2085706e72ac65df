"""One container's stats over its websocket, against the real engine."""

import asyncio

import pytest
from channels.db import database_sync_to_async

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


async def test_stats_of_a_stopped_container_end(ws, admin_user, unix_host, make_container):
    cid = await database_sync_to_async(make_container)("stats-3", start=False)
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/stats/", admin_user)
    frames = await socket.until_closed(timeout=15)
    assert socket.close_code == 1000
    assert frames[-2]["text"] == "The container is not running."
