"""The terminal page: `docker exec -it` and `docker attach` in xterm.js."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from pathlib import Path

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console import engine
from console.access import audit
from console.access.models import AuditEntry
from console.access.permissions import host_for
from console.access.policy import Capabilities
from console.engine import terminal
from console.engine.bridge import ThreadBridge
from console.engine.errors import EngineError
from console.streams.consumers import HostStreamConsumer
from console.web.csp import xterm_styles

LINUX_SHELLS = ("sh", "bash", "ash")
WINDOWS_SHELLS = ("cmd", "powershell")


def shells_for(host) -> tuple[str, ...]:
    return WINDOWS_SHELLS if host.platform == "windows" else LINUX_SHELLS


@require_GET
@xterm_styles
def terminal_page(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    host, role = host_for(request.user, slug, "container.exec")
    shells = shells_for(host)
    context = {
        "host": host,
        "caps": Capabilities(role),
        "ref": ref,
        "shells": shells,
        "command": request.GET.get("cmd", shells[0]),
        "exec_user": request.GET.get("user", ""),
        "workdir": request.GET.get("workdir", ""),
        "mode": "exec",
        "socket_path": f"/ws/hosts/{host.slug}/containers/{ref}/terminal/",
    }
    return render(request, "containers/terminal.html", context)


@require_GET
@xterm_styles
def attach_page(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    host, role = host_for(request.user, slug, "container.attach")
    context = {
        "host": host,
        "caps": Capabilities(role),
        "ref": ref,
        "mode": "attach",
        "socket_path": f"/ws/hosts/{host.slug}/containers/{ref}/attach/",
    }
    return render(request, "containers/terminal.html", context)


def _size(params: dict) -> tuple[int, int]:
    def number(key: str, default: int) -> int:
        value = str(params.get(key, ""))
        return min(int(value), 1000) if value.isdigit() else default

    return number("cols", 80), number("rows", 24)


class _SessionConsumer(HostStreamConsumer):
    """Bytes both ways between the page's terminal and an engine session; the session
    is recorded in the audit log with its start, end and duration.

    The entry is written before the engine is asked, so a session that lived 100 ms,
    or one a crash cut short, is in the log all the same."""

    action = ""
    window = 16
    session = None
    opening: asyncio.Future | None = None
    entry: AuditEntry | None = None
    # Keystrokes typed before the engine session is open, replayed once it is.
    early_input = b""

    def prepare(self) -> None:
        """Read the page's parameters (a ValueError says what is wrong with them)."""

    def open_session(self, ref: str):
        raise NotImplementedError

    def audit_params(self) -> dict:
        return {}

    def opened_params(self) -> dict:
        """What the entry learns once the session is open."""
        return {}

    def ended_params(self) -> dict:
        return {}

    async def announce(self) -> None:
        """Tell the page what it needs to know of the open session, before its output."""

    async def stream(self) -> None:
        ref = self.scope["url_route"]["kwargs"]["ref"]
        self.prepare()
        self.started = time.time()
        self.entry = await database_sync_to_async(audit.record)(
            self.user,
            self.action,
            host=self.host,
            target=ref,
            params=self.audit_params() | {"started": _iso(self.started)},
        )
        # Shielded: when the page goes while the engine opens the session, the opening
        # goes on and `stopped` ends what it opened.
        self.opening = asyncio.ensure_future(asyncio.to_thread(self.open_session, ref))
        try:
            self.session = await asyncio.shield(self.opening)
        except EngineError as exc:
            # A session the engine refused is a failed change: recorded, then reported.
            self.entry.ok, self.entry.error = False, exc.message
            await database_sync_to_async(self.entry.save)(update_fields=["ok", "error"])
            raise
        self.entry.params |= self.opened_params()
        await database_sync_to_async(self.entry.save)(update_fields=["params"])
        await self.announce()
        if self.early_input:
            await asyncio.to_thread(self.session.write, self.early_input)
            self.early_input = b""
        bridge = ThreadBridge(lambda: self.session, maxsize=16)
        self.bridge = bridge
        bridge.start()
        try:
            async for chunk in bridge:
                await self.send_data(chunk)
        finally:
            # Closing the session is engine calls (an exec that hangs up its processes).
            await asyncio.to_thread(bridge.close)
        self.left_running()
        await self.finish(self.ended_text())

    def ended_text(self) -> str:
        return "The session ended."

    async def on_bytes(self, data: bytes) -> None:
        if self.session is not None:
            await asyncio.to_thread(self.session.write, data)
        elif len(self.early_input) < 64 * 1024:
            self.early_input += data

    async def on_message(self, message: dict) -> None:
        size = message.get("resize")
        if self.session is not None and isinstance(size, list) and len(size) == 2:
            cols, rows = (int(v) for v in size)
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.session.resize, min(cols, 1000), min(rows, 1000))

    async def stopped(self) -> None:
        # Shielded: ending the processes and the entry must finish even when the server
        # stops waiting for this consumer.
        await asyncio.shield(asyncio.ensure_future(self._end()))

    async def _end(self) -> None:
        if self.session is None and self.opening is not None:
            with contextlib.suppress(Exception):
                self.session = await self.opening
                if self.entry is not None:
                    self.entry.params |= self.opened_params()
        if self.session is not None:
            await asyncio.to_thread(self.session.close)
        if self.entry is not None and self.entry.ok:
            ended = time.time()
            self.entry.params |= {
                "ended": _iso(ended),
                "seconds": round(ended - self.started, 1),
            } | self.ended_params()
            await database_sync_to_async(self.entry.save)(update_fields=["params"])
        self.left_running()

    def left_running(self) -> None:
        """Called once the session is closed: deal with what the engine could not be
        asked to end (called again when the page goes)."""


def _iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


class TerminalConsumer(_SessionConsumer):
    action = permission = "container.exec"
    retrying = False  # a thread keeps trying to end the processes

    def prepare(self) -> None:
        cols, rows = _size(self.params)
        self.request = terminal.ExecRequest(
            command=terminal.parse_command(self.params.get("cmd") or shells_for(self.host)[0]),
            user=self.params.get("user", ""),
            workdir=self.params.get("workdir", ""),
            cols=cols,
            rows=rows,
            posix=self.host.platform != "windows",
        )
        self.marker = terminal.new_marker()
        sweep_once()

    def open_session(self, ref: str):
        return terminal.ExecSession(self.host, ref, self.request, self.marker)

    def audit_params(self) -> dict:
        return {
            "command": self.request.command,
            "user": self.request.user,
            "workdir": self.request.workdir,
        } | left_behind_record(self.scope["url_route"]["kwargs"]["ref"], self.marker)

    def opened_params(self) -> dict:
        return {"container": self.session.container_id, "exec_id": self.session.exec_id}

    def ended_params(self) -> dict:
        return {"exec_ended": True} if self.session and self.session.ended else {}

    def left_running(self) -> None:
        if self.retrying or self.session is None or not self.request.posix or self.session.ended:
            return
        self.retrying = True
        threading.Thread(
            target=_end_when_reachable, args=(self.session, self.entry), daemon=True
        ).start()

    def ended_text(self) -> str:
        if self.session.outlived_stream is False:
            return "The process ended."
        if self.session.ended:
            return "The connection to the engine broke; the process was ended."
        return (
            "The connection to the engine broke; the console ends the process as soon "
            "as the engine answers again."
        )


# How long a process keeps trying to end an exec the engine could not be asked to end;
# after that, the next console start does (`end_left_behind`).
RETRY_FOR = 600


def _end_when_reachable(session: terminal.ExecSession, entry: AuditEntry | None) -> None:
    delay, give_up = 1.0, time.monotonic() + RETRY_FOR
    try:
        while not session.end() and time.monotonic() < give_up:
            time.sleep(delay)
            delay = min(delay * 2, 30)
        if session.ended and entry is not None:
            entry.params["exec_ended"] = True
            entry.save(update_fields=["params"])
    finally:
        connections.close_all()  # this thread's


class AttachConsumer(_SessionConsumer):
    action = permission = "container.attach"

    def open_session(self, ref: str):
        cols, rows = _size(self.params)
        return terminal.AttachSession(self.host, ref, cols, rows)

    async def announce(self) -> None:
        # Without a tty nothing turns the process's LF into CR LF: the page does, for display.
        await self.send_status("", tty=self.session.tty)

    def ended_text(self) -> str:
        return "Detached (or the container stopped)."


# ------------------------------------------------- execs a previous console left running
# Every exec's entry names the console process that runs it (host name, pid and the
# pid's start time, so a reused pid is told apart). A console that dies (crash, restart,
# kill) cannot end its execs; the next one ends those of processes that are gone:
# `manage.py end_terminals` before daphne starts (`make run`), and once per process at
# its first terminal (a console started some other way). Processes of other machines,
# or still running, are left alone: their sessions may be open.


def _identity(pid: int) -> str | None:
    """`pid` and its start time (Linux); None if no such process, or not knowable."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return f"{pid}.{stat.rsplit(')', 1)[1].split()[19]}"


OWNER = f"{socket.gethostname()}/{_identity(os.getpid()) or os.getpid()}"


def left_behind_record(ref: str, marker: str) -> dict:
    """What an exec's entry holds so that a later console can end it."""
    return {"container": ref, "marker": marker, "owner": OWNER}


def _owner_gone(owner: str) -> bool:
    machine, _, identity = owner.rpartition("/")
    if machine != socket.gethostname() or "." not in identity:
        return False  # another machine's, or started where pids cannot be told apart
    return _identity(int(identity.split(".")[0])) != identity


def end_left_behind() -> int:
    """End the execs recorded by console processes of this machine that are gone;
    returns how many ended. Their entries get `exec_ended`."""
    pending = [
        entry
        for entry in AuditEntry.objects.filter(action="container.exec", params__has_key="marker")
        .exclude(params__has_key="exec_ended")
        .select_related("host")
        if _owner_gone(entry.params.get("owner", ""))
    ]
    by_host: dict = {}
    for entry in pending:
        by_host.setdefault(entry.host, []).append(entry)
    if None in by_host:  # the host was removed: nothing left to end there
        for entry in by_host.pop(None):
            entry.params["exec_ended"] = "host removed"
            entry.save(update_fields=["params"])

    def end(host) -> list[AuditEntry]:
        return [
            entry
            for entry in by_host[host]
            if terminal.end_session(host, entry.params["container"], entry.params["marker"])
        ]

    ended = 0
    deadline = settings.CONSOLE_ENGINE_TIMEOUT * 2
    for result in engine.fan_out(list(by_host), end, deadline=deadline):
        for entry in result.value or []:
            entry.params["exec_ended"] = True
            entry.save(update_fields=["params"])
            ended += 1
    return ended


_swept = threading.Event()


def sweep_once() -> None:
    """`end_left_behind` in the background, the first time this process opens a terminal."""
    if _swept.is_set():
        return
    _swept.set()

    def sweep() -> None:
        try:
            end_left_behind()
        finally:
            connections.close_all()  # this thread's

    threading.Thread(target=sweep, daemon=True, name="end-left-behind").start()
