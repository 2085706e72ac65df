"""What the log sockets send, through a real daphne (whose autobahn refuses a websocket
message over its limit, 1 MiB by default): long and non-ASCII lines arrive whole, a
refused send closes the socket and says why, and a finished log ends only once the page
has everything."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from tests.daphne import serve_console
from tests.wsclient import BINARY, Closed, WebSocket, run

MIB = 1024 * 1024
# A line just under the console's 1 MiB line limit, 600 kB of CJK text (1.2 MB once
# escaped as \uXXXX), a line over the limit, then a marker line.
UNDER_LIMIT = "x" * (MIB - 1)
OVER_LIMIT = "y" * (MIB + MIB // 2)
PRINTER = [
    "sh",
    "-c",
    f"head -c {MIB - 1} /dev/zero | tr '\\0' x; echo;"
    " yes 中 | head -n 200000 | tr -d '\\n'; echo;"
    f" head -c {len(OVER_LIMIT)} /dev/zero | tr '\\0' y; echo;"
    " echo done",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory, fleet):
    """(console, its admin's session cookie) for a daphne with default limits."""
    with serve_console(tmp_path_factory.mktemp("frames")) as console:
        console.manage("addhost", "frames", fleet.unix_url)
        yield console, console.session_cookie()


@pytest.fixture(scope="module")
def served_small(tmp_path_factory, fleet):
    """The same for a daphne whose websocket messages may carry at most 64 KiB."""
    daphne_args = ["--websocket-max-message-size", str(64 * 1024)]
    with serve_console(tmp_path_factory.mktemp("frames-small"), daphne_args) as console:
        console.manage("addhost", "frames", fleet.unix_url)
        yield console, console.session_cookie()


def _finished(make_container, engine_api, command) -> str:
    """A container that ran `command` to the end."""
    cid = make_container(f"frames-{uuid.uuid4().hex[:8]}", command)
    engine_api.wait(cid, timeout=60)
    return cid


async def _until_closed(console, cookie: str, path: str, take) -> list:
    """Open `path` and give what arrives to `take(ws)` until the server closes; the frames
    `take` did not keep, the last of them the close (or the connection's loss)."""
    ws = await WebSocket.connect(console.port, path, cookie)
    others: list = []
    try:
        while True:
            if (frame := await asyncio.wait_for(take(ws), timeout=30)) is not None:
                others.append(frame)
    except Closed as closed:
        others.append({"t": "closed", "code": closed.code})
    except (ConnectionError, asyncio.IncompleteReadError) as lost:
        others.append({"t": "lost", "error": repr(lost)})
    finally:
        await ws.close()
    return others


async def _read_all(console, cookie: str, path: str, ack_delay: float = 0) -> tuple[list, list]:
    """Every frame until the server closes: (lines, the other frames)."""
    lines: list = []

    async def take(ws):
        frame = await ws.frame(ack_delay)
        if frame.get("t") != "lines":
            return frame
        lines.extend(frame["lines"])
        return None

    others = await _until_closed(console, cookie, path, take)
    return lines, others


def _cjk_as_the_engine_has_it(engine_api, cid) -> str:
    """The CJK line as `docker logs` gives it: the json-file driver stores a long line in
    16 KiB pieces and turns the UTF-8 character cut at each seam into U+FFFD."""
    text = engine_api.logs(cid).split(b"\n")[1].decode("utf-8", errors="replace")
    assert text.count("中") > 199_000
    return text


def test_long_and_cjk_lines_arrive_whole(served, make_container, engine_api):
    console, cookie = served
    cid = _finished(make_container, engine_api, PRINTER)
    path = f"/ws/hosts/frames/containers/{cid}/logs/?tail=all"
    lines, others = run(_read_all(console, cookie, path))
    texts = [text for _stream, text in lines]
    cjk = _cjk_as_the_engine_has_it(engine_api, cid)
    assert [len(t) for t in texts] == [MIB - 1, len(cjk), MIB + len(" […cut]"), 4]
    assert texts == [UNDER_LIMIT, cjk, "y" * MIB + " […cut]", "done"]
    assert others[-2:] == [
        {"t": "status", "text": "End of the logs.", "end": True},
        {"t": "closed", "code": 1000},
    ]


def test_merged_logs_send_big_frames_in_parts(served, make_container, engine_api):
    # The merged history goes 2000 lines a frame: of 200 CJK characters each, 1.2 MB of
    # UTF-8 (2.4 MB escaped). (Not longer lines: with timestamps, which the merged view
    # asks for, the engine puts one before every 16 KiB piece of a line.)
    console, cookie = served
    wide = "中" * 200
    command = ["sh", "-c", f"for i in $(seq 1 3000); do echo $i {wide}; done"]
    cid = _finished(make_container, engine_api, command)
    path = f"/ws/hosts/frames/logs/?containers={cid}&tail=all"
    lines, others = run(_read_all(console, cookie, path))
    assert [text for _stream, text, _who in lines] == [f"{i} {wide}" for i in range(1, 3001)]
    assert others[-1] == {"t": "closed", "code": 1000}


def test_a_refused_send_closes_the_socket_and_says_why(served_small, make_container, engine_api):
    console, cookie = served_small
    cid = _finished(
        make_container, engine_api, ["sh", "-c", "head -c 200000 /dev/zero | tr '\\0' z"]
    )
    path = f"/ws/hosts/frames/containers/{cid}/logs/?tail=all"
    lines, others = run(_read_all(console, cookie, path))
    assert lines == []
    error, closed = others[-2:]
    assert error["t"] == "error" and error["code"] == 4500
    assert "server error" in error["text"]
    assert closed == {"t": "closed", "code": 4500}
    assert "PayloadExceededError" in console.log.read_text()


def test_a_slow_page_gets_the_end_of_a_finished_log(served, make_container, engine_api):
    console, cookie = served
    cid = _finished(make_container, engine_api, ["seq", "1", "50000"])
    path = f"/ws/hosts/frames/containers/{cid}/logs/?tail=all"
    lines, others = run(_read_all(console, cookie, path, ack_delay=0.3))
    assert [text for _stream, text in lines] == [str(n) for n in range(1, 50_001)]
    assert others[-2:] == [
        {"t": "status", "text": "End of the logs.", "end": True},
        {"t": "closed", "code": 1000},
    ]


async def _terminal_output(console, cookie: str, path: str, ack_delay: float) -> tuple[bytes, list]:
    """All a terminal sent, acknowledging each binary frame `ack_delay` s late (a slow
    page), and the text frames."""
    output = bytearray()
    count = 0

    async def take(ws):
        nonlocal count
        opcode, payload = await ws.recv()
        if opcode != BINARY:
            return json.loads(payload)
        output.extend(payload)
        count += 1
        await asyncio.sleep(ack_delay)
        await ws.send_json({"ack": count})
        return None

    others = await _until_closed(console, cookie, path, take)
    return bytes(output), others


def test_a_slow_page_gets_the_end_of_a_terminal_session(served, make_container, engine_api):
    console, cookie = served
    cid = make_container(f"frames-term-{uuid.uuid4().hex[:8]}")
    path = f"/ws/hosts/frames/containers/{cid}/terminal/?cmd=seq%201%2030000"
    output, others = run(_terminal_output(console, cookie, path, ack_delay=0.05))
    numbers = output.decode().split()
    assert numbers[-1] == "30000" and len(numbers) == 30000
    assert others[-1] == {"t": "closed", "code": 1000}
    assert others[-2]["t"] == "status" and others[-2]["end"] is True
