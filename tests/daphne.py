"""A daphne process serving the console on loopback, as `make run` does: for the browser
journeys (tests/e2e), the socket tests that need a real server and the benchmarks
(bench/)."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


class PeakRSS:
    """A process's peak resident memory since the last reset, from /proc."""

    def __init__(self, pid: int):
        self.pid = pid
        self.base_kb = 0

    def reset(self) -> None:
        # Writing 5 to clear_refs resets the peak (VmHWM) to the current RSS.
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        self.base_kb = proc_kb(self.pid, "VmRSS")

    def growth_mb(self) -> float:
        return (proc_kb(self.pid, "VmHWM") - self.base_kb) / 1024


def start_daphne(
    port: int,
    env: dict[str, str] | None = None,
    log: IO | int = subprocess.DEVNULL,
    timeout: float = 30,
    args: Sequence[str] = (),
) -> subprocess.Popen:
    """daphne on 127.0.0.1:`port` (environment `env`, else this process's; its output to
    `log`; more daphne options in `args`), once it accepts connections;
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
            *args,
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


@dataclass
class Console:
    url: str
    username: str
    password: str
    env: dict
    log: Path  # daphne's output
    pid: int = 0  # daphne's process, once it runs

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    def session_cookie(self) -> str:
        """The session id of the admin, logged in through the login form."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", "/accounts/login/")
            form = connection.getresponse()
            html = form.read().decode()
            csrf = re.search(r"csrftoken=([^;]+)", form.getheader("Set-Cookie", "")).group(1)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
            body = urlencode(
                {"username": self.username, "password": self.password, "csrfmiddlewaretoken": token}
            )
            connection.request(
                "POST",
                "/accounts/login/",
                body,
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={csrf}",
                },
            )
            answer = connection.getresponse()
            answer.read()
            cookies = " ".join(answer.headers.get_all("Set-Cookie") or [])
            return re.search(r"sessionid=([^;]+)", cookies).group(1)
        finally:
            connection.close()


@contextlib.contextmanager
def serve_console(data: Path, daphne_args: Sequence[str] = ()) -> Iterator[Console]:
    """A console on its own SQLite database in `data`, with a superuser `admin`, served
    by daphne (options `daphne_args`) until the block ends."""
    env = os.environ | {
        "CONSOLE_DATA_DIR": str(data),
        "CONSOLE_ADMIN_USERNAME": "admin",
        "CONSOLE_ADMIN_PASSWORD": "e2e-password-1",
        "CONSOLE_HOST_DEADLINE": "3",
        "DOCKER_HOST": "",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    port = free_port()
    console = Console(
        f"http://127.0.0.1:{port}", "admin", "e2e-password-1", env, data / "daphne.log"
    )
    console.manage("migrate", "--noinput", "-v0")
    console.manage("bootstrap")
    with open(console.log, "w") as log:
        try:
            server = start_daphne(port, env, log, args=daphne_args)
        except RuntimeError:
            raise RuntimeError(console.log.read_text()) from None
        console.pid = server.pid
        try:
            yield console
        finally:
            server.terminate()
            server.wait(10)
