"""A minimal RFC 6455 client speaking to a real daphne the way the pages do (static/js/
live.js): for the socket tests that need a real server and for the benchmarks.

Deliberately small: text and binary frames, client masking, fragmented messages,
ping/pong and close; no extensions, no TLS.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextlib
import hashlib
import json
import os
import struct

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0, 1, 2, 8, 9, 10
_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def run(coroutine):
    """Run a client to its end from sync code, in a thread of its own: the suite's sync
    Playwright leaves its loop marked as running in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


class Closed(Exception):
    def __init__(self, code: int):
        super().__init__(f"websocket closed ({code})")
        self.code = code


def _mask(data: bytes, key: bytes) -> bytes:
    if not data:
        return b""
    n = len(data)
    mask = int.from_bytes((key * (n // 4 + 1))[:n], "big")
    return (int.from_bytes(data, "big") ^ mask).to_bytes(n, "big")


class WebSocket:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer
        self.close_code: int | None = None

    @classmethod
    async def connect(cls, port: int, path: str, cookie: str) -> WebSocket:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
        key = base64.b64encode(os.urandom(16))
        writer.write(
            (
                f"GET {path} HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\n"
                "Upgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key.decode()}\r\n"
                "Sec-WebSocket-Version: 13\r\n"
                f"Origin: http://127.0.0.1:{port}\r\n"
                f"Cookie: sessionid={cookie}\r\n\r\n"
            ).encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            writer.close()
            raise ConnectionError(head.decode(errors="replace"))
        accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())  # noqa: S324 (RFC 6455)
        if accept not in head:
            writer.close()
            raise ConnectionError("wrong Sec-WebSocket-Accept")
        return cls(reader, writer)

    async def _send(self, opcode: int, payload: bytes) -> None:
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        key = os.urandom(4)
        self.writer.write(header + key + _mask(payload, key))
        await self.writer.drain()

    async def send_text(self, text: str) -> None:
        await self._send(TEXT, text.encode())

    async def send_json(self, value) -> None:
        await self._send(TEXT, json.dumps(value).encode())

    async def send_binary(self, data: bytes) -> None:
        await self._send(BINARY, data)

    async def recv(self) -> tuple[int, bytes]:
        """The next (TEXT or BINARY, payload); answers pings; raises Closed at a close."""
        read = self.reader.readexactly
        parts: list[bytes] = []
        opcode = CONT
        while True:
            b0, b1 = await read(2)
            op, length = b0 & 0x0F, b1 & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", await read(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", await read(8))
            key = await read(4) if b1 & 0x80 else b""
            payload = await read(length) if length else b""
            if key:
                payload = _mask(payload, key)
            if op == PING:
                await self._send(PONG, payload)
                continue
            if op == PONG:
                continue
            if op == CLOSE:
                self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                with contextlib.suppress(Exception):
                    await self._send(CLOSE, payload[:2])
                raise Closed(self.close_code)
            if op != CONT:
                opcode = op
            parts.append(payload)
            if b0 & 0x80:
                return opcode, parts[0] if len(parts) == 1 else b"".join(parts)

    async def close(self) -> None:
        if self.close_code is None:
            with contextlib.suppress(Exception):
                await self._send(CLOSE, struct.pack("!H", 1000))
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()

    async def frame(self, ack_delay: float = 0) -> dict:
        """The next JSON message as the page sees it: parts (`{"part": …, "more": …}`)
        joined into the frame they carry, every `seq` acknowledged (`ack_delay` seconds
        later: a slow page). Binary messages are skipped; raises Closed at a close."""
        joined = ""
        while True:
            opcode, payload = await self.recv()
            if opcode != TEXT:
                continue
            frame = json.loads(payload)
            if "seq" in frame:
                if ack_delay:
                    await asyncio.sleep(ack_delay)
                await self.send_json({"ack": frame["seq"]})
            if "part" not in frame:
                return frame
            joined += frame["part"]
            if not frame.get("more"):
                return json.loads(joined)
