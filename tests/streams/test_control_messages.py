"""What the page sends is checked: a bad acknowledgement or control message closes the
socket with 4400 and says why (it used to raise out of `receive` and kill the consumer),
an acknowledgement ahead of what was sent does not lift the window, and a bug inside a
stream closes with 4500, a message and a logged traceback."""

import asyncio
import json
import logging
import uuid

import pytest
from channels.testing import WebsocketCommunicator
from django.urls import path

from console.streams.consumers import HostStreamConsumer
from tests.containers.test_terminal import _processes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

CHATTY = ["sh", "-c", "i=0; while [ $i -lt 5000 ]; do i=$((i+1)); echo line $i; done; sleep 600"]


async def _closed(communicator) -> tuple[int, list[dict]]:
    texts = []
    while (output := await communicator.receive_output(10))["type"] != "websocket.close":
        if output.get("text"):
            texts.append(json.loads(output["text"]))
    return output["code"], texts


@pytest.mark.parametrize("ack", ["x", None, -1, True, [1], {"n": 1}])
async def test_a_bad_acknowledgement_closes_with_4400(
    ws, admin_user, unix_host, make_container, ack
):
    cid = await asyncio.to_thread(make_container, f"ctl-{uuid.uuid4().hex[:8]}", CHATTY)
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/logs/?follow=1&tail=all", admin_user)
    await socket.communicator.send_json_to({"ack": ack})
    code, texts = await _closed(socket.communicator)
    assert code == 4400
    assert texts[-1]["t"] == "error" and "ack" in texts[-1]["text"]


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '{"resize": ["wide", "tall"]}'])
async def test_a_malformed_control_message_closes_the_terminal_with_4400(
    ws, admin_user, unix_host, make_container, engine_api, text
):
    cid = await asyncio.to_thread(make_container, f"ctl-{uuid.uuid4().hex[:8]}")
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/terminal/?cmd=sh", admin_user)
    await socket.communicator.send_to(bytes_data=b"echo ready\n")
    seen = b""
    while b"ready\r\n" not in seen:
        output = await socket.communicator.receive_output(10)
        seen += output.get("bytes") or b""
    await socket.communicator.send_to(text_data=text)
    code, texts = await _closed(socket.communicator)
    assert code == 4400 and "Bad message from the page" in texts[-1]["text"]
    for _ in range(300):  # and the shell it ran is gone
        if "sh" not in await _processes(engine_api, cid):
            break
        await asyncio.sleep(0.1)
    assert "sh" not in await _processes(engine_api, cid)


async def test_an_acknowledgement_ahead_does_not_lift_the_window(
    ws, admin_user, unix_host, make_container
):
    cid = await asyncio.to_thread(make_container, f"ctl-{uuid.uuid4().hex[:8]}", CHATTY)
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/logs/?follow=1&tail=all", admin_user)
    communicator = socket.communicator
    await communicator.send_json_to({"ack": 10**9})
    frames = []
    while not await communicator.receive_nothing(timeout=1):
        frames.append(json.loads((await communicator.receive_output(10))["text"]))
    counted = [f for f in frames if "seq" in f]
    assert 0 < len(counted) <= HostStreamConsumer.window
    await communicator.send_json_to({"ack": counted[-1]["seq"]})
    assert json.loads((await communicator.receive_output(10))["text"])["seq"] == len(counted) + 1


class _BuggyConsumer(HostStreamConsumer):
    async def stream(self) -> None:
        await self.send_frame({"t": "lines", "lines": []})
        {}["missing"]


async def test_a_bug_in_a_stream_closes_with_4500_and_is_logged(
    admin_user, unix_host, client, caplog
):
    from channels.auth import AuthMiddlewareStack
    from channels.db import database_sync_to_async
    from channels.routing import URLRouter

    application = AuthMiddlewareStack(
        URLRouter([path("ws/hosts/<slug:slug>/bug/", _BuggyConsumer.as_asgi())])
    )
    await database_sync_to_async(client.force_login)(admin_user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    communicator = WebsocketCommunicator(
        application, "/ws/hosts/unix/bug/", headers=[(b"host", b"127.0.0.1"), (b"cookie", cookie)]
    )
    assert (await communicator.connect(timeout=10))[0]
    with caplog.at_level(logging.ERROR, logger="console.streams.consumers"):
        first = json.loads((await communicator.receive_output(10))["text"])
        await communicator.send_json_to({"ack": first["seq"]})
        code, texts = await _closed(communicator)
    assert code == 4500 and "KeyError" in texts[-1]["text"]
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)
