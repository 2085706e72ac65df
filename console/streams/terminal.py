"""The terminal page: `docker exec -it` and `docker attach` in xterm.js."""

from __future__ import annotations

import asyncio
import contextlib
import time

from channels.db import database_sync_to_async
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console.access.models import AuditEntry, Role, audit
from console.access.permissions import host_for
from console.csp import xterm_styles
from console.engine import streams, terminal
from console.engine.errors import EngineError
from console.streams.consumers import HostStreamConsumer

LINUX_SHELLS = ("sh", "bash", "ash")
WINDOWS_SHELLS = ("cmd", "powershell")


def shells_for(host) -> tuple[str, ...]:
    return WINDOWS_SHELLS if host.platform == "windows" else LINUX_SHELLS


@require_GET
@xterm_styles
def terminal_page(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    host, _ = host_for(request.user, slug, Role.OPERATOR)
    shells = shells_for(host)
    context = {
        "host": host,
        "ref": ref,
        "shells": shells,
        "command": request.GET.get("cmd", shells[0]),
        "exec_user": request.GET.get("user", ""),
        "workdir": request.GET.get("workdir", ""),
        "mode": "exec",
        "socket_path": f"/ws/hosts/{host.slug}/containers/{ref}/terminal/",
    }
    return render(request, "streams/terminal.html", context)


@require_GET
@xterm_styles
def attach_page(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    host, _ = host_for(request.user, slug, Role.OPERATOR)
    context = {
        "host": host,
        "ref": ref,
        "mode": "attach",
        "socket_path": f"/ws/hosts/{host.slug}/containers/{ref}/attach/",
    }
    return render(request, "streams/terminal.html", context)


def _size(params: dict) -> tuple[int, int]:
    def number(key: str, default: int) -> int:
        value = str(params.get(key, ""))
        return min(int(value), 1000) if value.isdigit() else default

    return number("cols", 80), number("rows", 24)


class _SessionConsumer(HostStreamConsumer):
    """Bytes both ways between the page's terminal and an engine session; the session
    is recorded in the audit log with its start, end and duration."""

    need = Role.OPERATOR
    action = ""
    window = 16
    session = None
    entry: AuditEntry | None = None
    # Keystrokes typed before the engine session is open, replayed once it is.
    early_input = b""

    def open_session(self, ref: str):
        raise NotImplementedError

    def audit_params(self) -> dict:
        return {}

    async def stream(self) -> None:
        ref = self.scope["url_route"]["kwargs"]["ref"]
        try:
            self.session = await asyncio.to_thread(self.open_session, ref)
        except EngineError as exc:
            # A session the engine refused is a failed change: recorded, then reported.
            await database_sync_to_async(audit)(
                self.user,
                self.action,
                host=self.host,
                target=ref,
                params=self.audit_params(),
                error=exc.message,
            )
            raise
        if self.early_input:
            await asyncio.to_thread(self.session.write, self.early_input)
            self.early_input = b""
        self.started = time.time()
        self.entry = await database_sync_to_async(audit)(
            self.user,
            self.action,
            host=self.host,
            target=ref,
            params=self.audit_params() | {"started": _iso(self.started)},
        )
        bridge = streams.ThreadBridge(lambda: self.session, maxsize=16)
        self.bridge = bridge
        bridge.start()
        try:
            async for chunk in bridge:
                await self.send_data(chunk)
        finally:
            # Closing the session is engine calls (an exec that hangs up its processes).
            await asyncio.to_thread(bridge.close)
        await self.send_status(self.ended_text(), end=True)
        await self.close(1000)

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
        if self.session is not None:
            await asyncio.to_thread(self.session.close)
        if self.entry is not None:
            ended = time.time()
            self.entry.params |= {"ended": _iso(ended), "seconds": round(ended - self.started, 1)}
            await database_sync_to_async(self.entry.save)(update_fields=["params"])


def _iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


class TerminalConsumer(_SessionConsumer):
    action = "container.exec"

    def open_session(self, ref: str):
        cols, rows = _size(self.params)
        self.request = terminal.ExecRequest(
            command=terminal.parse_command(self.params.get("cmd") or shells_for(self.host)[0]),
            user=self.params.get("user", ""),
            workdir=self.params.get("workdir", ""),
            cols=cols,
            rows=rows,
            wrap=self.host.platform != "windows",
        )
        return terminal.ExecSession(self.host, ref, self.request)

    def audit_params(self) -> dict:
        return {
            "command": self.request.command,
            "user": self.request.user,
            "workdir": self.request.workdir,
        }

    def ended_text(self) -> str:
        return "The process ended."


class AttachConsumer(_SessionConsumer):
    action = "container.attach"

    def open_session(self, ref: str):
        cols, rows = _size(self.params)
        return terminal.AttachSession(self.host, ref, cols, rows)

    def ended_text(self) -> str:
        return "Detached (or the container stopped)."
