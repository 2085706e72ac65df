"""The websocket test client (`ws`), through the real ASGI application (routing, auth,
origin check); registered for the whole suite in tests/conftest.py."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from console.asgi import application


class Socket:
    """A connected test websocket that acknowledges frames and joins parts as the page
    does (static/js/live.js)."""

    def __init__(self, communicator: WebsocketCommunicator):
        self.communicator = communicator
        self.close_code: int | None = None

    async def receive(self, timeout: float = 10) -> dict:
        joined = ""
        while True:
            output = await self.communicator.receive_output(timeout)
            if output["type"] == "websocket.close":
                self.close_code = output.get("code")
                return {"t": "closed", "code": self.close_code}
            frame = json.loads(output["text"])
            if "seq" in frame:
                await self.communicator.send_json_to({"ack": frame["seq"]})
            if "part" not in frame:
                return frame
            joined += frame["part"]
            if not frame.get("more"):
                return json.loads(joined)

    async def lines(self, count: int, timeout: float = 10) -> list[list]:
        """Receive until `count` lines arrived (or the socket closed)."""
        got: list[list] = []
        while len(got) < count:
            frame = await self.receive(timeout)
            if frame["t"] == "lines":
                got.extend(frame["lines"])
            elif frame["t"] == "closed":
                break
        return got

    async def until_closed(self, timeout: float = 10) -> list[dict]:
        frames = []
        while True:
            frame = await self.receive(timeout)
            frames.append(frame)
            if frame["t"] == "closed":
                return frames

    async def close(self) -> None:
        await self.communicator.disconnect()


@pytest.fixture
def ws(client):
    """await ws(path, user=None) -> Socket, connected (and accepted) as `user`."""
    opened: list[Socket] = []

    async def connect(path: str, user=None) -> Socket:
        headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
        if user is not None:
            await database_sync_to_async(client.force_login)(user)
            session = client.cookies["sessionid"].value
            headers.append((b"cookie", f"sessionid={session}".encode()))
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await communicator.connect(timeout=10)
        assert connected
        socket = Socket(communicator)
        opened.append(socket)
        return socket

    return connect
