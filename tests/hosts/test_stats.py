"""A host's stats table over its websocket, against the real engine."""

import pytest
from channels.db import database_sync_to_async

from console.access.models import Role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_host_stats_table_lists_running_containers(ws, make_user, unix_host, make_container):
    cid = await database_sync_to_async(make_container)("stats-2")
    viewer = await database_sync_to_async(make_user)("v", Role.VIEWER, unix_host)
    socket = await ws("/ws/hosts/unix/stats/", viewer)
    frame = await socket.receive(timeout=20)
    assert frame["t"] == "table"
    row = next(r for r in frame["rows"] if r["id"] == cid)
    assert row["name"] == "stats-2" and row["pids"] >= 1
    await socket.close()
