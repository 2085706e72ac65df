"""Every exec the console starts ends when its page goes, on every transport, and is in
the audit log even if it lived 100 ms; the engine dropping the stream does not pass for
the process's end; a console started anew ends what a previous one left running."""

from __future__ import annotations

import asyncio
import subprocess

import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command

from console.access.models import AuditEntry
from console.containers import terminal
from console.engine import terminal as engine_terminal
from tests.conftest import STOPPABLE
from tests.security.transports import (  # noqa: F401  (fixtures)
    host,
    private_ssh_host,
    private_sshd,
    raw_api,
    run_on,
    stored,
    tls_api,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
transports = pytest.mark.parametrize("which", ["tls_host", "ssh_host"])


def _shells(api, cid) -> list[str]:
    """The container's processes that are a terminal's shell (not its main process)."""
    commands = [p[-1] for p in api.top(cid)["Processes"]]
    return [c for c in commands if c == "sh" or c.startswith("sh -c printf")]


async def _until(predicate, timeout: float = 20) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await asyncio.to_thread(predicate):
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


def _ended_entry() -> bool:
    """Whether the exec's entry says it ended (written once the engine confirmed it)."""
    return AuditEntry.objects.filter(action="container.exec", params__has_key="ended").exists()


def _exec_ended_entry() -> bool:
    return AuditEntry.objects.filter(action="container.exec", params__exec_ended=True).exists()


async def _exec_entries() -> list[AuditEntry]:
    return await database_sync_to_async(list)(AuditEntry.objects.filter(action="container.exec"))


@transports
@pytest.mark.parametrize("leave", ["at once", "once the shell runs"])
async def test_a_terminal_left_early_ends_its_shell_and_is_audited(
    ws,
    admin_user,
    host,  # noqa: F811
    raw_api,  # noqa: F811
    run_on,  # noqa: F811
    leave,
):
    cid = await asyncio.to_thread(run_on, STOPPABLE)
    socket = await ws(f"/ws/hosts/{host.slug}/containers/{cid}/terminal/?cmd=sh", admin_user)
    if leave == "once the shell runs":
        assert await _until(lambda: _shells(raw_api, cid), timeout=10)
    await socket.close()
    assert await _until(lambda: not _shells(raw_api, cid)), _shells(raw_api, cid)
    assert await _until(_ended_entry)
    [entry] = await _exec_entries()
    assert entry.ok and entry.params["command"] == ["sh"]


async def test_a_dropped_ssh_connection_ends_the_shell_and_says_so(
    ws,
    admin_user,
    private_ssh_host,  # noqa: F811
    private_sshd,  # noqa: F811
    engine_api,
    make_container,
):
    cid = await database_sync_to_async(make_container)("transport-term-drop")
    path = f"/ws/hosts/{private_ssh_host.slug}/containers/{cid}/terminal/?cmd=sh"
    socket = await ws(path, admin_user)
    assert await _until(lambda: _shells(engine_api, cid), timeout=10)
    await asyncio.to_thread(private_sshd.restart)
    frames = [f for f in await _frames(socket) if f.get("t") == "status"]
    assert frames and frames[-1]["text"] != "The process ended.", frames
    assert await _until(lambda: not _shells(engine_api, cid)), frames
    await socket.close()
    assert await _until(_exec_ended_entry)


async def _frames(socket, timeout: float = 20) -> list[dict]:
    """Text frames (output acknowledged) until the socket closes."""
    import json

    communicator = socket.communicator
    frames, received = [], 0
    while True:
        output = await communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            return frames
        if output.get("bytes") is not None:
            received += 1
            await communicator.send_json_to({"ack": received})
        else:
            frames.append(json.loads(output["text"]))


def _gone_owner() -> str:
    """The owner name of a console process of this machine that has ended."""
    probe = subprocess.Popen(["true"])
    probe.wait()
    machine = terminal.OWNER.rpartition("/")[0]
    return f"{machine}/{probe.pid}.1"


async def test_a_new_console_ends_the_shells_a_gone_one_left(
    admin_user, unix_host, make_container, engine_api
):
    cid = await database_sync_to_async(make_container)("transport-term-left")
    unix = await database_sync_to_async(stored)(unix_host)
    marker = engine_terminal.new_marker()
    request = engine_terminal.ExecRequest(command=["sh"])
    # What a console that then died did: it recorded the exec and started it.
    session = await asyncio.to_thread(engine_terminal.ExecSession, unix, cid, request, marker)
    record = terminal.left_behind_record(cid, marker) | {"owner": _gone_owner()}
    entry = await database_sync_to_async(AuditEntry.objects.create)(
        username="admin", host=unix, action="container.exec", target=cid, params=record
    )
    session._stream.close()  # its connection went with it; the shell did not
    assert await _until(lambda: _shells(engine_api, cid), timeout=10)

    await database_sync_to_async(call_command)("end_terminals")

    assert await _until(lambda: not _shells(engine_api, cid)), _shells(engine_api, cid)
    await database_sync_to_async(entry.refresh_from_db)()
    assert entry.params["exec_ended"] is True


async def test_the_sweep_leaves_open_terminals_alone(
    ws,
    admin_user,
    unix_host,
    make_container,
    engine_api,
):
    cid = await database_sync_to_async(make_container)("transport-term-open")
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/terminal/?cmd=sh", admin_user)
    assert await _until(lambda: _shells(engine_api, cid), timeout=10)
    await database_sync_to_async(call_command)("end_terminals")
    await socket.communicator.send_to(bytes_data=b"echo still-$((6*7))\n")
    seen = b""
    while b"still-42" not in seen:
        output = await socket.communicator.receive_output(10)
        assert output["type"] != "websocket.close"
        seen += output.get("bytes") or b""
    await socket.close()
