"""A daphne process serving the console on loopback, as `make run` does: for the browser
journeys (tests/e2e) and the benchmarks (bench/)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_daphne(
    port: int,
    env: dict[str, str] | None = None,
    log: IO | int = subprocess.DEVNULL,
    timeout: float = 30,
) -> subprocess.Popen:
    """daphne on 127.0.0.1:`port` (environment `env`, else this process's; its output to
    `log`), once it accepts connections;
    RuntimeError when it does not within `timeout` seconds."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "console.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    server.wait()
    raise RuntimeError("daphne did not start")
