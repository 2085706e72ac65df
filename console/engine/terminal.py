"""`docker exec -it` and `docker attach` as byte streams for the terminal page.

The engine hijacks the HTTP connection; what it hands back differs per transport
(a socket.SocketIO for unix and tcp, an ssl.SSLSocket for TLS, a paramiko Channel
for SSH). Reads go through the HTTP response's own buffer first, because the first
output may already sit there with the response headers (docker-py issue 3332).
"""

from __future__ import annotations

import contextlib
import secrets
import shlex
import socket
import threading
from dataclasses import dataclass

from console.engine.client import client_for, translate
from console.engine.errors import Conflict, EngineError, NotFound
from console.engine.wire import RawBody, demultiplex, hard_close, own_connection

# Every exec the console starts carries MARKER=<token> in its environment, and so does
# whatever runs in its terminal. The engine has no call to stop an exec and closing the
# connection leaves the process running; the token finds the processes to end, also
# before the shell printed anything and after a console restart.
MARKER = "CONSOLE_SESSION"
# Ends every process of the marked sessions (field 6 of /proc/PID/stat is the session
# id, the 4th after the name): SIGHUP as a closed terminal would, SIGKILL to what is
# left a second later. Exits 0 once none is left.
_END_SESSION = r"""
m='{marker}'
sids=$(for p in /proc/[0-9]*; do
  tr '\000' '\n' < "$p/environ" 2>/dev/null | grep -qxF "$m" || continue
  set -- $(sed 's/.*) //' "$p/stat" 2>/dev/null); echo "$4"
done)
[ -n "$sids" ] || exit 0
members() {{
  for p in /proc/[0-9]*; do
    set -- $(sed 's/.*) //' "$p/stat" 2>/dev/null)
    [ "$1" = Z ] && continue
    for s in $sids; do [ "$4" = "$s" ] && echo "${{p#/proc/}}"; done
  done
}}
kill -HUP $(members) 2>/dev/null
for _ in 1 2 3 4 5 6 7 8 9 10; do
  [ -n "$(members)" ] || exit 0
  sleep 0.1 2>/dev/null || sleep 1
done
kill -KILL $(members) 2>/dev/null
sleep 0.1 2>/dev/null || sleep 1
[ -z "$(members)" ]
"""


def new_marker() -> str:
    return secrets.token_hex(12)


def end_session(host, container_id: str, marker: str) -> bool:
    """End the processes of the exec session marked `marker` in the container (a POSIX
    one): True once none is left (a stopped or removed container has none). Raises
    EngineError when the engine cannot be asked."""
    api = client_for(host)
    script = _END_SESSION.format(marker=f"{MARKER}={marker}")
    try:
        with translate():
            killer = api.exec_create(container_id, ["sh", "-c", script], user="0")
            api.exec_start(killer["Id"])  # waits for the script's end
            return api.exec_inspect(killer["Id"]).get("ExitCode") == 0
    except (NotFound, Conflict):  # removed, or not running: nothing of it runs
        return True


class _HijackedStream:
    """Blocking read/write on the engine's hijacked connection."""

    def __init__(self, api, response):
        self._sock = own_connection(api, response)
        api._disable_socket_timeout(self._sock)
        self._response = response
        self._body = RawBody(response)  # a hijacked connection: no chunked encoding

    def read(self) -> bytes:
        """Some bytes, blocking; b"" at the end of the stream."""
        return self._body.read()

    def write(self, data: bytes) -> None:
        target = self._sock._sock if isinstance(self._sock, socket.SocketIO) else self._sock
        target.sendall(data)

    def close(self) -> None:
        hard_close(self._sock)
        with contextlib.suppress(Exception):
            self._response.close()


@dataclass(frozen=True)
class ExecRequest:
    command: list[str]
    user: str = ""
    workdir: str = ""
    cols: int = 80
    rows: int = 24
    posix: bool = True  # False on engines without a POSIX shell (Windows): no hang-up


def parse_command(text: str) -> list[str]:
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise ValueError(f"the command cannot be read: {exc}") from None
    if not words:
        raise ValueError("give a command to run, e.g. sh")
    return words


class ExecSession:
    """One `docker exec -it` process and its stream, marked with `marker`."""

    def __init__(self, host, ref: str, request: ExecRequest, marker: str):
        self.host = host
        self.marker = marker
        self._api = client_for(host)
        self._posix = request.posix
        environment = {"TERM": "xterm-256color"}
        if request.posix:
            environment[MARKER] = marker
        self._closing = threading.Lock()
        self._closed = False
        # Whether the processes ended: None until close() knows.
        self.ended: bool | None = None
        # Whether the process outlived its stream (the connection to the engine broke).
        self.outlived_stream: bool | None = None
        with translate():
            self.container_id = self._api.inspect_container(ref)["Id"]
            created = self._api.exec_create(
                self.container_id,
                request.command,
                stdin=True,
                tty=True,
                user=request.user,
                workdir=request.workdir or None,
                environment=environment,
            )
            self.exec_id: str = created["Id"]
            response = self._api._post_json(
                self._api._url("/exec/{0}/start", self.exec_id),
                headers={"Connection": "Upgrade", "Upgrade": "tcp"},
                data={"Tty": True, "Detach": False},
                stream=True,
            )
            self._stream = _HijackedStream(self._api, response)
        # A command that ends at once is gone before the resize: nothing to size then.
        with contextlib.suppress(EngineError):
            self.resize(request.cols, request.rows)

    def __iter__(self):
        """Output chunks until the process ends (or the stream is closed)."""
        while data := self._stream.read():
            yield data

    def write(self, data: bytes) -> None:
        with translate():
            self._stream.write(data)

    def resize(self, cols: int, rows: int) -> None:
        with translate():
            self._api.exec_resize(self.exec_id, height=max(rows, 1), width=max(cols, 1))

    def running(self) -> bool:
        with translate():
            return bool(self._api.exec_inspect(self.exec_id).get("Running"))

    def close(self) -> None:
        """Close the stream and end the session's processes in the container. Called
        from the stream's thread and the page's: the second waits for the first."""
        with self._closing:
            if self._closed:
                return
            self._closed = True
            self._stream.close()
            with contextlib.suppress(EngineError):
                self.outlived_stream = self.running()
            if self._posix:  # also what the shell left running in its terminal
                self.end()
            elif self.outlived_stream is False:
                self.ended = True

    def end(self) -> bool:
        """One try at ending the session's processes (POSIX only): True once none is
        left, False while the engine cannot be asked."""
        with contextlib.suppress(EngineError):
            self.ended = end_session(self.host, self.container_id, self.marker)
        return bool(self.ended)


class AttachSession:
    """`docker attach`: the main process's stdin and output. The engine itself watches
    for the detach keys (Ctrl-p Ctrl-q) and ends the stream without stopping it."""

    def __init__(self, host, ref: str, cols: int = 80, rows: int = 24):
        self._api = client_for(host)
        with translate():
            info = self._api.inspect_container(ref)
            self.container_id: str = info["Id"]
            self.tty = bool((info.get("Config") or {}).get("Tty"))
            response = self._api.post(
                self._api._url("/containers/{0}/attach", self.container_id),
                params={
                    "stdin": 1,
                    "stdout": 1,
                    "stderr": 1,
                    "stream": 1,
                    "detachKeys": "ctrl-p,ctrl-q",
                },
                headers={"Connection": "Upgrade", "Upgrade": "tcp"},
                stream=True,
            )
            self._stream = _HijackedStream(self._api, response)
        self.resize(cols, rows)

    def __iter__(self):
        if self.tty:
            while data := self._stream.read():
                yield data
            return
        # Without a tty the output is multiplexed (8-byte frame headers).
        buffer = bytearray()
        while data := self._stream.read():
            buffer += data
            for _stream, payload in demultiplex(buffer):
                yield payload

    def write(self, data: bytes) -> None:
        with translate():
            self._stream.write(data)

    def resize(self, cols: int, rows: int) -> None:
        if self.tty:
            with contextlib.suppress(Exception), translate():
                self._api.resize(self.container_id, height=max(rows, 1), width=max(cols, 1))

    def close(self) -> None:
        self._stream.close()
