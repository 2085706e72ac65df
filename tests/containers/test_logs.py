"""Logs over the websocket and as a download, compared with the engine's own answer."""

import asyncio
import time
from urllib.parse import urlencode

import pytest
from channels.db import database_sync_to_async

from console.access.models import Role
from tests.engines import cli

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

PRINTER = ["sh", "-c", "for i in $(seq 1 30); do echo out $i; echo err $i >&2; done; sleep 600"]


async def _container(make_container, engine_api, name, command=PRINTER, wait_for=b"err 30"):
    cid = await database_sync_to_async(make_container)(name, command)
    for _ in range(100):
        if wait_for in engine_api.logs(cid):
            break
        await asyncio.sleep(0.05)
    return cid


def _engine_lines(engine_api, cid, **kwargs) -> list[str]:
    return engine_api.logs(cid, **kwargs).decode().splitlines()


async def test_tail_gives_the_engines_lines_with_streams_told_apart(
    ws, admin_user, unix_host, make_container, engine_api
):
    cid = await _container(make_container, engine_api, "logs-1")
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/logs/?tail=10", admin_user)
    frames = await socket.until_closed()
    lines = [line for f in frames if f["t"] == "lines" for line in f["lines"]]
    assert [text for _, text in lines] == _engine_lines(engine_api, cid, tail=10)
    assert all(text.startswith("err" if stream == 2 else "out") for stream, text in lines)
    assert socket.close_code == 1000
    assert any(f.get("end") for f in frames)
    everything = await ws(f"/ws/hosts/unix/containers/{cid}/logs/?tail=all", admin_user)
    lines = [
        line for f in await everything.until_closed() if f["t"] == "lines" for line in f["lines"]
    ]
    assert sorted(text for stream, text in lines if stream == 2) == sorted(
        f"err {n}" for n in range(1, 31)
    )
    assert sorted(text for stream, text in lines if stream == 1) == sorted(
        f"out {n}" for n in range(1, 31)
    )


async def test_since_until_and_timestamps_give_what_the_cli_gives(
    ws, admin_user, unix_host, make_container, engine_api, fleet
):
    cid = await _container(make_container, engine_api, "logs-2")
    stamped = _engine_lines(engine_api, cid, timestamps=True, tail="all")
    since, until = stamped[20].split()[0], stamped[40].split()[0]  # RFC 3339, nanoseconds
    query = urlencode({"tail": "all", "timestamps": "1", "since": since, "until": until})
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/logs/?{query}", admin_user)
    lines = [line for f in await socket.until_closed() if f["t"] == "lines" for line in f["lines"]]
    shell = cli(fleet, "logs", "-t", "--since", since, "--until", until, cid)
    assert [t for s, t in lines if s == 1] == shell.stdout.decode().splitlines()
    assert [t for s, t in lines if s == 2] == shell.stderr.decode().splitlines()
    assert 0 < len(lines) < len(stamped)


async def test_relative_since_like_the_cli(ws, admin_user, unix_host, make_container, engine_api):
    cid = await _container(make_container, engine_api, "logs-3")
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/logs/?tail=all&since=10m", admin_user)
    lines = [t for f in await socket.until_closed() if f["t"] == "lines" for _, t in f["lines"]]
    assert len(lines) == 60
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/logs/?tail=all&until=10m", admin_user)
    assert not [f for f in await socket.until_closed() if f["t"] == "lines"]


async def test_follow_delivers_lines_written_after_connect(
    ws, admin_user, unix_host, make_container, engine_api
):
    ticker = ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.1; done"]
    cid = await _container(make_container, engine_api, "logs-4", ticker, wait_for=b"tick 1")
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/logs/?follow=1&tail=0", admin_user)
    started = time.time()
    lines = await socket.lines(5)
    assert len(lines) >= 5
    numbers = [int(t.split()[1]) for _, t in lines]
    assert numbers == sorted(numbers) and numbers[0] > 1
    assert time.time() - started < 5
    await socket.close()


async def test_follow_says_when_the_container_stops_and_is_removed(
    ws, admin_user, unix_host, make_container, engine_api
):
    cid = await _container(make_container, engine_api, "logs-5")
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/logs/?follow=1&tail=1", admin_user)
    assert len(await socket.lines(1)) == 1
    engine_api.kill(cid)
    for _ in range(20):
        frame = await socket.receive()
        if frame.get("state") == "stopped":
            break
    else:
        pytest.fail("no 'stopped' status")
    engine_api.start(cid)
    started = await socket.receive()
    assert started.get("state") == "running"
    # The run after the restart, from its start (tail=1 kept the first run's early
    # lines out):
    texts = {t for _, t in await socket.lines(60)}
    assert {"out 1", "err 1", "out 30"} <= texts
    engine_api.remove_container(cid, force=True)
    frames = await socket.until_closed(timeout=15)
    assert socket.close_code in (4410,)
    assert any("removed" in f.get("text", "") for f in frames)


async def test_hostile_bytes_and_a_one_megabyte_line_keep_the_socket_open(
    ws, admin_user, unix_host, make_container, engine_api
):
    script = (
        "printf 'bad \\377\\376 bytes\\n'; head -c 1000000 /dev/zero | tr '\\0' x; echo; "
        "printf '\\033[31mred\\033[0m <b>bold?</b>\\n'; echo after; sleep 600"
    )
    cid = await _container(make_container, engine_api, "logs-6", ["sh", "-c", script], b"after")
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/logs/?tail=all&follow=1", admin_user)
    lines = [t for _, t in await socket.lines(4)]
    assert lines[0] == "bad \ufffd\ufffd bytes"
    assert lines[1] == "x" * 1_000_000
    assert lines[2] == "\x1b[31mred\x1b[0m <b>bold?</b>"  # the page renders colours only
    assert lines[3] == "after"
    assert socket.close_code is None
    await socket.close()


async def test_anonymous_and_other_team_are_refused(
    ws, make_user, unix_host, tls_host, make_container, engine_api
):
    cid = await _container(make_container, engine_api, "logs-7")
    anonymous = await ws(f"/ws/hosts/unix/containers/{cid}/logs/")
    await anonymous.until_closed()
    assert anonymous.close_code == 4401
    outsider = await database_sync_to_async(make_user)("out", Role.ADMIN, tls_host)
    refused = await ws(f"/ws/hosts/unix/containers/{cid}/logs/", outsider)
    await refused.until_closed()
    assert refused.close_code == 4404


async def test_viewer_may_read_logs(ws, make_user, unix_host, make_container, engine_api):
    cid = await _container(make_container, engine_api, "logs-8")
    viewer = await database_sync_to_async(make_user)("v", Role.VIEWER, unix_host)
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/logs/?tail=2", viewer)
    assert len(await socket.lines(2)) == 2


async def test_missing_container_and_bad_input_have_their_own_codes(ws, admin_user, unix_host):
    gone = await ws("/ws/hosts/unix/containers/no-such-container/logs/", admin_user)
    await gone.until_closed()
    assert gone.close_code == 4410
    bad = await ws("/ws/hosts/unix/containers/whatever/logs/?since=yesterday", admin_user)
    await bad.until_closed()
    assert bad.close_code == 4400


async def test_dead_host_closes_with_host_down(ws, admin_user, db, tmp_path):
    from console.hosts.models import Host

    await database_sync_to_async(Host.objects.create)(
        name="gone", slug="gone", url=f"unix://{tmp_path}/none.sock"
    )
    socket = await ws("/ws/hosts/gone/containers/x/logs/", admin_user)
    frames = await socket.until_closed()
    assert socket.close_code == 4502
    assert "Unreachable" in frames[0]["text"]
