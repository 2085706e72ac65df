"""exec and attach over the websocket, against the real engine."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async

from console.access.models import AuditEntry, Role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def _read_until(socket, marker: bytes, timeout: float = 10) -> bytes:
    """Output bytes (acknowledging each binary frame) until `marker` shows up."""
    communicator = socket.communicator
    seen = b""
    received = 0
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while marker not in seen:
        output = await communicator.receive_output(max(deadline - loop.time(), 0.01))
        if output["type"] == "websocket.close":
            socket.close_code = output.get("code")
            break
        if output.get("bytes") is not None:
            seen += output["bytes"]
            received += 1
            await communicator.send_json_to({"ack": received})
    return seen


async def _processes(engine_api, cid) -> list[str]:
    return [p[-1] for p in (await asyncio.to_thread(engine_api.top, cid))["Processes"]]


async def test_typing_a_command_returns_its_output(ws, admin_user, unix_host, make_container):
    cid = await database_sync_to_async(make_container)("term-1")
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/terminal/?cmd=sh", admin_user)
    await socket.communicator.send_to(bytes_data=b"echo $((6*7))\n")
    output = await _read_until(socket, b"42\r\n")
    # The terminal's echo of the line, then the answer: nothing of the console's between.
    assert b"echo $((6*7))\r\n42\r\n" in output
    await socket.close()


async def test_resize_changes_stty_size(ws, admin_user, unix_host, make_container):
    cid = await database_sync_to_async(make_container)("term-2")
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/terminal/?cols=100&rows=30", admin_user)
    await socket.communicator.send_to(bytes_data=b"stty size\n")
    assert b"30 100" in await _read_until(socket, b"30 100")
    await socket.communicator.send_to(text_data=json.dumps({"resize": [132, 43]}))
    await asyncio.sleep(0.3)
    await socket.communicator.send_to(bytes_data=b"stty size\n")
    assert b"43 132" in await _read_until(socket, b"43 132")
    await socket.close()


async def test_closing_the_page_ends_the_exec_processes(
    ws, admin_user, unix_host, make_container, engine_api
):
    cid = await database_sync_to_async(make_container)("term-3")
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/terminal/?cmd=sh", admin_user)
    await socket.communicator.send_to(bytes_data=b"top -d 1\n")
    await _read_until(socket, b"Load average")
    assert "top -d 1" in await _processes(engine_api, cid)
    await socket.close()
    for _ in range(50):
        remaining = await _processes(engine_api, cid)
        if "top -d 1" not in remaining and "sh" not in remaining:
            break
        await asyncio.sleep(0.1)
    assert "top -d 1" not in remaining and "sh" not in remaining
    entry = await database_sync_to_async(AuditEntry.objects.get)(action="container.exec")
    assert entry.params["command"] == ["sh"]
    assert "ended" in entry.params and entry.params["seconds"] >= 0


async def test_custom_command_user_and_workdir(ws, admin_user, unix_host, make_container):
    cid = await database_sync_to_async(make_container)("term-4")
    socket = await ws(
        f"/ws/hosts/unix/containers/{cid}/terminal/?cmd=sh+-c+'id+-u;pwd'&user=nobody&workdir=/tmp",
        admin_user,
    )
    output = await _read_until(socket, b"/tmp")
    assert b"65534" in output and b"/tmp" in output
    frames = await socket.until_closed()
    assert socket.close_code == 1000
    assert frames[-2]["text"] == "The process ended."


async def test_viewer_may_not_open_a_terminal(ws, make_user, unix_host, make_container, engine_api):
    cid = await database_sync_to_async(make_container)("term-5")
    viewer = await database_sync_to_async(make_user)("v", Role.VIEWER, unix_host)
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/terminal/", viewer)
    await socket.until_closed()
    assert socket.close_code == 4403
    assert await _processes(engine_api, cid) == [
        "sh -c trap 'exit 0' TERM; sleep 600 & wait",
        "sleep 600",
    ]


async def test_attach_detach_keys_leave_the_container_running(
    ws, admin_user, unix_host, make_container, engine_api
):
    echo = ["sh", "-c", "while read line; do echo got:$line; done"]
    cid = await database_sync_to_async(make_container)("term-6", echo, stdin_open=True, tty=True)
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/attach/", admin_user)
    await socket.communicator.send_to(bytes_data=b"hello\r")
    assert b"got:hello" in await _read_until(socket, b"got:hello")
    await socket.communicator.send_to(bytes_data=b"\x10\x11")  # Ctrl-p Ctrl-q
    await socket.until_closed()
    assert socket.close_code == 1000
    state = await asyncio.to_thread(engine_api.inspect_container, cid)
    assert state["State"]["Running"] is True
    entry = await database_sync_to_async(AuditEntry.objects.get)(action="container.attach")
    assert entry.target == cid
