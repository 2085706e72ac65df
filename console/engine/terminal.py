"""`docker exec -it` and `docker attach` as byte streams for the terminal page.

The engine hijacks the HTTP connection; what it hands back differs per transport
(a socket.SocketIO for unix and tcp, an ssl.SSLSocket for TLS, a paramiko Channel
for SSH). Reads go through the HTTP response's own buffer first, because the first
output may already sit there with the response headers (docker-py issue 3332).
"""

from __future__ import annotations

import contextlib
import shlex
import socket
from dataclasses import dataclass

from console.engine.client import client_for, translate
from console.engine.errors import EngineError
from console.engine.streams import RawBody, demultiplex, hard_close, own_connection

# The exec'd shell first prints its PID inside the container (an OSC sequence that
# terminals ignore and the session strips), so closing the page can end it: the engine
# has no call to stop an exec, and closing the connection leaves the process running.
PID_MARK = b"\x1b]console-pid;"
_WRAPPER = "printf '\\033]console-pid;%s\\007' $$; exec \"$@\""
# Ends every process of the session (field 6 of /proc/PID/stat is the session id):
# the shell and whatever full-screen program runs in it.
_HANGUP = (
    'for p in /proc/[0-9]*; do set -- $(sed "s/.*) //" "$p/stat" 2>/dev/null); '
    '[ "$4" = "{sid}" ] && kill -{signal} "${{p#/proc/}}" 2>/dev/null; done'
)


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
    wrap: bool = True  # False on engines without a POSIX shell (Windows)


def parse_command(text: str) -> list[str]:
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise ValueError(f"the command cannot be read: {exc}") from None
    if not words:
        raise ValueError("give a command to run, e.g. sh")
    return words


class ExecSession:
    """One `docker exec -it` process and its stream."""

    def __init__(self, host, ref: str, request: ExecRequest):
        self.host = host
        self._api = client_for(host)
        command = request.command
        if request.wrap:
            command = ["sh", "-c", _WRAPPER, "sh", *command]
        with translate():
            self.container_id = self._api.inspect_container(ref)["Id"]
            created = self._api.exec_create(
                self.container_id,
                command,
                stdin=True,
                tty=True,
                user=request.user,
                workdir=request.workdir or None,
                environment={"TERM": "xterm-256color"},
            )
            self.exec_id: str = created["Id"]
            response = self._api._post_json(
                self._api._url("/exec/{0}/start", self.exec_id),
                headers={"Connection": "Upgrade", "Upgrade": "tcp"},
                data={"Tty": True, "Detach": False},
                stream=True,
            )
            self._stream = _HijackedStream(self._api, response)
        self._wrapped = request.wrap
        self.pid: str = ""
        self._head = b""
        # A command that ends at once is gone before the resize: nothing to size then.
        with contextlib.suppress(EngineError):
            self.resize(request.cols, request.rows)

    def __iter__(self):
        """Output chunks until the process ends (or the stream is closed)."""
        while data := self._stream.read():
            if self._wrapped and not self.pid:
                data = self._take_pid(data)
                if not data:
                    continue
            yield data

    def _take_pid(self, data: bytes) -> bytes:
        """Strip the wrapper's PID mark off the start of the output."""
        self._head += data
        if PID_MARK.startswith(self._head):
            return b""  # the mark is still arriving
        if self._head.startswith(PID_MARK):
            end = self._head.find(b"\x07")
            if end == -1 and len(self._head) < 64:
                return b""
            if end != -1:
                self.pid = self._head[len(PID_MARK) : end].decode(errors="replace")
                self._head = self._head[end + 1 :]
        rest, self._head, self._wrapped = self._head, b"", False
        return rest

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
        """Close the stream and end the session's processes in the container."""
        self._stream.close()
        pid, self.pid = self.pid, ""  # closed again (bridge, page): hang up only once
        if not pid.isdigit():
            return
        with contextlib.suppress(Exception), translate():
            script = (
                _HANGUP.format(sid=pid, signal="HUP")
                + "; sleep 1; "
                + _HANGUP.format(sid=pid, signal="KILL")
            )
            killer = self._api.exec_create(self.container_id, ["sh", "-c", script])
            self._api.exec_start(killer["Id"], detach=True)


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
