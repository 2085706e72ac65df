"""What the websocket benchmarks share: a daphne process serving the console (as `make
run` does) on a throw-away database with a logged-in session, a minimal RFC 6455 client
speaking to it the way the pages do, and an RSS sampler for the daphne process.

The client is deliberately small: text and binary frames, client masking, fragmented
messages, ping/pong and close; no extensions, no TLS.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from common import admin_client
from export import proc_kb

from tests.daphne import free_port, start_daphne

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0, 1, 2, 8, 9, 10
_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


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


class RSSSampler:
    """VmRSS of a process every `interval` seconds, in a thread; `peak_mb()` since the
    last `mark()`, relative to the RSS at `baseline()`."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid = pid
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(OSError, KeyError):
                self.samples.append((time.monotonic(), proc_kb(self.pid, "VmRSS")))
            self._stop.wait(self.interval)

    def __enter__(self) -> RSSSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def now_mb(self) -> float:
        return proc_kb(self.pid, "VmRSS") / 1024

    def peak_mb(self, since: float, until: float | None = None) -> float:
        until = until or time.monotonic()
        window = [kb for t, kb in self.samples if since <= t <= until]
        return max(window, default=0) / 1024


@contextlib.contextmanager
def console(fleet) -> Iterator[tuple[int, str, int]]:
    """A daphne process serving the console with host `bench` (engine A registered):
    yields (port, session cookie, daphne's pid)."""
    from console.hosts.models import Host

    client = admin_client()
    cookie = client.cookies["sessionid"].value
    Host.objects.create(name="bench", slug="bench", url=fleet.unix_url)
    port = free_port()
    server = start_daphne(port)
    try:
        yield port, cookie, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except Exception:
            server.kill()
            server.wait()


@contextlib.contextmanager
def bench_container(fleet, api, prefix: str, command: list[str]) -> Iterator[str]:
    """A container of the fleet's base image (no network, a unique name from `prefix`)
    that will run `command`, not started yet: yields its id, removes it at the end."""
    container_id = api.create_container(
        fleet.base_image,
        command,
        name=unique(prefix),
        host_config=api.create_host_config(network_mode="none"),
    )["Id"]
    try:
        yield container_id
    finally:
        api.remove_container(container_id, force=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def vm_rss_mb(pid: int) -> float:
    return proc_kb(pid, "VmRSS") / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def unique(prefix: str) -> str:
    """A container name no other run (nor a test on the same fleet) uses."""
    return f"{prefix}-{os.getpid()}-{os.urandom(3).hex()}"
