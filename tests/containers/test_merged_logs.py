"""Merged logs: several containers, one time-ordered stream with names."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from console.engine.logs import parse_time

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _writer(name: str, offset: float) -> list[str]:
    return [
        "sh",
        "-c",
        f"sleep {offset}; for i in 1 2 3 4; do echo {name} $i; sleep 0.2; done; sleep 600",
    ]


async def test_compose_project_logs_arrive_in_time_order_with_names(
    ws, admin_user, unix_host, make_container, engine_api
):
    make = database_sync_to_async(make_container)
    web = await make("shop-web", _writer("web", 0), labels={"com.docker.compose.project": "shop"})
    db = await make("shop-db", _writer("db", 0), labels={"com.docker.compose.project": "shop"})
    await make("other", _writer("other", 0))
    await asyncio.sleep(1.5)
    socket = await ws("/ws/hosts/unix/logs/?project=shop&tail=all", admin_user)
    names_frame = await socket.receive()
    assert sorted(names_frame["names"]) == ["shop-db", "shop-web"]
    frames = await socket.until_closed()
    lines = [
        (names_frame["names"][who], text)
        for f in frames
        if f["t"] == "lines"
        for _, text, who in f["lines"]
    ]
    # The engine's own timestamps, nanosecond-exact, decide the order.
    stamped = []
    for cid in (web, db):
        for line in engine_api.logs(cid, timestamps=True).decode().splitlines():
            stamp, text = line.split(" ", 1)
            stamped.append((tuple(map(int, parse_time(stamp).split("."))), text))
    assert [text for _, text in lines] == [text for _, text in sorted(stamped)]
    assert {text for _, text in lines} == {f"{n} {i}" for n in ("web", "db") for i in range(1, 5)}
    assert all(text.startswith("web" if name == "shop-web" else "db") for name, text in lines)
    assert socket.close_code == 1000


async def test_chosen_containers_with_timestamps(ws, admin_user, unix_host, make_container):
    make = database_sync_to_async(make_container)
    await make("pick-a", _writer("a", 0))
    await make("pick-b", _writer("b", 0.1))
    await asyncio.sleep(1.5)
    socket = await ws(
        "/ws/hosts/unix/logs/?containers=pick-a,pick-b&tail=2&timestamps=1", admin_user
    )
    frames = await socket.until_closed()
    texts = [text for f in frames if f["t"] == "lines" for _, text, _ in f["lines"]]
    assert len(texts) == 4 and all(t[:4].isdigit() and t.endswith(("3", "4")) for t in texts)


async def test_nothing_matches_is_a_bad_request(ws, admin_user, unix_host):
    socket = await ws("/ws/hosts/unix/logs/?project=no-such-project", admin_user)
    await socket.until_closed()
    assert socket.close_code == 4400
