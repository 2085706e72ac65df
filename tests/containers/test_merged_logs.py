"""Merged logs: several containers, one time-ordered stream with names."""

import asyncio
import tracemalloc

import pytest
from channels.db import database_sync_to_async

from console.engine.logs import parse_time

COMPOSE_PROJECT = "com.docker.compose.project"

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


# Several containers with long histories: what the console holds while it merges them
# must not grow with their length.
LONG_CONTAINERS = 4
LONG_LINES = 30_000


async def test_long_histories_merge_in_time_order_within_bounded_memory(
    ws, admin_user, unix_host, make_container, engine_api
):
    make = database_sync_to_async(make_container)
    printer = f"seq {LONG_LINES} | sed 's/^/line of a long history, number /'"
    made = [
        await make(f"long-{n}", ["sh", "-c", printer], labels={COMPOSE_PROJECT: "long"})
        for n in range(LONG_CONTAINERS)
    ]
    for cid in made:
        await asyncio.to_thread(engine_api.wait, cid, timeout=120)
    tracemalloc.start()
    try:
        socket = await ws("/ws/hosts/unix/logs/?project=long&tail=all&timestamps=1", admin_user)
        await socket.receive()  # the names
        count, last_key, last_number = 0, (0, 0), [0] * LONG_CONTAINERS
        while (frame := await socket.receive(timeout=60))["t"] != "closed":
            for _, text, who in frame.get("lines", ()):
                stamp, _, rest = text.partition(" ")
                seconds, _, nanos = parse_time(stamp).partition(".")
                key = (int(seconds), int(nanos or 0))
                number = int(rest.rsplit(" ", 1)[1])
                assert key >= last_key, "out of time order"
                assert number == last_number[who] + 1, "a container's lines out of order"
                last_key, last_number[who] = key, number
                count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # The page gets every line, in order; the console never held the histories at once
    # (about 40 MB of lines here).
    assert count == LONG_CONTAINERS * LONG_LINES
    assert socket.close_code == 1000
    assert peak < 16 * 1024 * 1024, f"{peak / 1e6:.0f} MB held"
