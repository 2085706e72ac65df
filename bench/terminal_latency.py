"""Keystroke-to-echo round trip: one byte typed into `cat` in a shell, until the tty's
echo of it is back, through the console's terminal websocket (binary frames, acknowledged
by count as the page does) vs through the engine's own exec socket (docker-py
exec_create with a tty and stdin, exec_start socket=True), same engine, same run.

Prints p50 and p99 of both (console targets: p50 < 5 ms, p99 < 20 ms). Not a test: it
only prints what it measured.

    CONSOLE_FLEET_STATE=/tmp/console-fleet/fleet.json .venv/bin/python bench/terminal_latency.py
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import select
import socket
import statistics
import time

from common import fleet
from wsbench import bench_container, console, percentile

from tests.engines import raw_client
from tests.wsclient import BINARY, WebSocket

KEYSTROKES = 300
BLOCK = 50  # keystrokes on one side before switching to the other
KEY = b"a"


class ConsoleTerminal:
    def __init__(self, ws: WebSocket):
        self.ws = ws
        self.received = 0  # binary frames, acknowledged by count
        self.output = bytearray()

    async def read(self, timeout: float) -> bytes:
        while True:
            opcode, payload = await asyncio.wait_for(self.ws.recv(), timeout)
            if opcode == BINARY:
                self.received += 1
                await self.ws.send_json({"ack": self.received})
                return payload
            frame = json.loads(payload)
            if frame.get("t") == "error":
                raise RuntimeError(frame)

    async def until(self, marker: bytes, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while marker not in self.output:
            self.output += await self.read(max(deadline - time.monotonic(), 0.01))
        del self.output[: self.output.index(marker) + len(marker)]

    async def drain(self, quiet: float = 0.3) -> None:
        with contextlib.suppress(TimeoutError):
            while True:
                await self.read(quiet)
        self.output.clear()

    async def keystroke(self) -> float:
        started = time.perf_counter()
        await self.ws.send_binary(KEY)
        while KEY not in self.output:
            self.output += await self.read(10)
        elapsed = time.perf_counter() - started
        del self.output[: self.output.index(KEY) + 1]
        return elapsed


class RawTerminal:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.output = bytearray()

    def read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            raise TimeoutError
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("exec stream ended")
        return data

    def until(self, marker: bytes, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while marker not in self.output:
            self.output += self.read(max(deadline - time.monotonic(), 0.01))
        del self.output[: self.output.index(marker) + len(marker)]

    def drain(self, quiet: float = 0.3) -> None:
        with contextlib.suppress(TimeoutError):
            while True:
                self.read(quiet)
        self.output.clear()

    def keystroke(self) -> float:
        started = time.perf_counter()
        self.sock.sendall(KEY)
        while KEY not in self.output:
            self.output += self.read(10)
        elapsed = time.perf_counter() - started
        del self.output[: self.output.index(KEY) + 1]
        return elapsed


def main() -> None:
    with fleet() as running:
        run(running)


def run(fleet) -> None:
    api = raw_client(fleet)
    with bench_container(fleet, api, "bench-terminal", ["sleep", "3600"]) as container_id:
        api.start(container_id)
        with console(fleet) as (port, cookie, _pid):
            asyncio.run(measure(api, container_id, port, cookie))


async def measure(api, container_id: str, port: int, cookie: str) -> None:
    path = f"/ws/hosts/bench/containers/{container_id}/terminal/?cmd=sh"
    ws = await WebSocket.connect(port, path, cookie)
    exec_id = api.exec_create(container_id, ["sh"], stdin=True, tty=True)["Id"]
    raw_io = api.exec_start(exec_id, tty=True, socket=True)
    raw_sock = raw_io._sock
    try:
        term = ConsoleTerminal(ws)
        await term.until(b"# ")
        await ws.send_binary(b"cat\r")
        await term.until(b"cat\r\n")
        await term.drain()

        raw = RawTerminal(raw_sock)
        raw.sock.sendall(b"cat\r")
        raw.until(b"cat\r\n")
        raw.drain()

        console_times: list[float] = []
        raw_times: list[float] = []
        while len(console_times) < KEYSTROKES:
            for _ in range(BLOCK):
                console_times.append(await term.keystroke())
            for _ in range(BLOCK):
                raw_times.append(raw.keystroke())
    finally:
        await ws.close()
        with contextlib.suppress(OSError):
            raw_sock.sendall(b"\x04\x04exit\r")
        raw_io.close()

    def ms(values: list[float], p: float) -> float:
        return percentile(values, p) * 1000

    print(f"{KEYSTROKES} keystrokes each into `cat` (tty echo), alternating blocks of {BLOCK}")
    print(
        f"engine exec socket (docker-py):  p50 {ms(raw_times, 50):6.2f} ms  "
        f"p99 {ms(raw_times, 99):6.2f} ms  max {max(raw_times) * 1000:6.2f} ms"
    )
    print(
        f"console terminal websocket:      p50 {ms(console_times, 50):6.2f} ms  "
        f"p99 {ms(console_times, 99):6.2f} ms  max {max(console_times) * 1000:6.2f} ms"
        "  (targets: p50 < 5 ms, p99 < 20 ms)"
    )
    print(
        f"console minus raw: p50 +{ms(console_times, 50) - ms(raw_times, 50):.2f} ms, "
        f"mean +{(statistics.mean(console_times) - statistics.mean(raw_times)) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
