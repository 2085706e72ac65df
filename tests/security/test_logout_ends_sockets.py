"""Logging out ends the sockets that session opened: a terminal kept running commands
for a session that was over. The same user's other sessions keep theirs."""

import asyncio
import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from console.access.models import Role
from console.asgi import application
from tests.containers.test_terminal import _processes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def _terminal(client: Client, cid: str) -> WebsocketCommunicator:
    headers = [
        (b"origin", b"http://127.0.0.1"),
        (b"host", b"127.0.0.1"),
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
    ]
    socket = WebsocketCommunicator(
        application, f"/ws/hosts/unix/containers/{cid}/terminal/?cmd=sh", headers=headers
    )
    connected, _ = await socket.connect(timeout=10)
    assert connected
    await socket.send_to(bytes_data=b"echo $((6*7))\n")
    seen = b""
    while b"42\r\n" not in seen:
        output = await socket.receive_output(10)
        assert output["type"] == "websocket.send", output
        if output.get("bytes"):
            seen += output["bytes"]
            await socket.send_json_to({"ack": 1_000_000})
    return socket


async def _closed(socket: WebsocketCommunicator) -> tuple[int, list[str]]:
    texts = []
    while (output := await socket.receive_output(10))["type"] != "websocket.close":
        if output.get("text"):
            texts.append(json.loads(output["text"]).get("text", ""))
    return output["code"], texts


async def test_logout_closes_that_sessions_terminal_only(
    make_user, unix_host, make_container, engine_api
):
    cid = await asyncio.to_thread(make_container, f"logout-{uuid.uuid4().hex[:8]}")
    user = await sync_to_async(make_user)("lo-op", Role.OPERATOR, unix_host)
    leaving, staying = Client(), Client()
    for client in (leaving, staying):
        await sync_to_async(client.force_login)(user)
    ended = await _terminal(leaving, cid)
    kept = await _terminal(staying, cid)

    response = await sync_to_async(leaving.post)("/accounts/logout/")
    assert response.status_code in (200, 302)
    code, texts = await _closed(ended)
    assert code == 4401 and "logged out" in texts[-1]
    # The other session's terminal still answers.
    await kept.send_to(bytes_data=b"echo still-$((1+1))\n")
    seen = b""
    while b"still-2" not in seen:
        output = await kept.receive_output(10)
        seen += output.get("bytes") or b""
    await kept.disconnect()
    for _ in range(300):  # both exec sessions ended on the engine
        if "sh" not in await _processes(engine_api, cid):
            break
        await asyncio.sleep(0.1)
    assert "sh" not in await _processes(engine_api, cid)
