"""Logs of several containers in one time-ordered stream, each line with its
container's name: the containers picked on the page, or every container of a compose
project (what Portainer lacks)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import replace
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console.access.permissions import host_for
from console.containers.logs import log_options
from console.engine import containers as engine_containers
from console.engine.bridge import ThreadBridge
from console.engine.errors import EngineError
from console.engine.logs import LogOptions, LogSource, parse_time
from console.streams.consumers import HostStreamConsumer

COMPOSE_PROJECT = "com.docker.compose.project"
# Lines arriving within this window are put in time order before they are sent.
ORDER_WINDOW = 0.15
MAX_CONTAINERS = 50


def pick_containers(host, names: list[str], project: str) -> list[engine_containers.ContainerRow]:
    """The containers asked for by name or id, or all of a compose project."""
    rows = engine_containers.list_containers(host, all=True)
    if project:
        return [r for r in rows if r.labels.get(COMPOSE_PROJECT) == project][:MAX_CONTAINERS]
    wanted = set(names)
    return [r for r in rows if r.name in wanted or r.id in wanted or r.short_id in wanted][
        :MAX_CONTAINERS
    ]


@require_GET
def merged_logs_page(request: HttpRequest, slug: str) -> HttpResponse:
    host, _ = host_for(request.user, slug, "container.view")
    error = None
    try:
        rows = engine_containers.list_containers(host, all=True)
    except EngineError as exc:
        rows, error = [], exc
    projects = sorted({r.compose_project for r in rows if r.compose_project})
    context = {
        "host": host,
        "rows": rows,
        "projects": projects,
        "chosen": request.GET.getlist("container"),
        "project": request.GET.get("project", ""),
        "params": request.GET,
        "error": error,
        "max_lines": settings.CONSOLE_LOG_VIEW_LINES,
        "ready": bool(request.GET.getlist("container") or request.GET.get("project")),
        "socket": f"/ws/hosts/{host.slug}/logs/?"
        + urlencode(
            {
                "containers": ",".join(request.GET.getlist("container")),
                "project": request.GET.get("project", ""),
                "tail": request.GET.get("tail", "100"),
                **{k: request.GET.get(k, "") for k in ("follow", "since", "timestamps")},
            }
        ),
    }
    try:
        log_options(request.GET)
    except ValueError as exc:
        context.update(option_error=str(exc), ready=False)
    status = 400 if "option_error" in context else 200
    return render(request, "containers/merged_logs.html", context, status=status)


def _ordering_key(line: tuple) -> tuple[int, int]:
    """A line's engine timestamp as (seconds, nanoseconds); RFC 3339 strings with
    trimmed fractions do not sort as text."""
    stamp = line[1].split(" ", 1)[0]
    try:
        seconds, _, nanos = parse_time(stamp).partition(".")
        return int(seconds), int(nanos or 0)
    except (ValueError, AttributeError):
        return 0, 0


def _history(host, row, options: LogOptions, index: int) -> list[tuple]:
    source = LogSource(host, row.id, options, line_limit=settings.CONSOLE_LOG_LINE_LIMIT)
    try:
        return [(stream, text, index) for batch in source for stream, text in batch]
    finally:
        source.close()


def _after(line: tuple | None, fallback: str) -> str:
    """`since` for following on from `line` (its timestamp plus a nanosecond)."""
    if line is None:
        return fallback
    seconds, nanos = _ordering_key(line)
    moment = seconds * 10**9 + nanos + 1
    return f"{moment // 10**9}.{moment % 10**9:09d}"


class MergedLogsConsumer(HostStreamConsumer):
    """First the history of every container (tail/since/until), merged and sorted; then,
    when following, new lines put in order within a short window."""

    permission = "container.view"

    async def stream(self) -> None:
        names = [n for n in self.params.get("containers", "").split(",") if n]
        project = self.params.get("project", "")
        rows = await asyncio.to_thread(pick_containers, self.host, names, project)
        if not rows:
            raise ValueError("no container matches: pick containers or a compose project")
        # Timestamps order the lines; they are cut off again unless the page asked for them.
        asked = log_options(self.params)
        self.show_timestamps = asked.timestamps
        history_options = replace(asked, timestamps=True, follow=False)
        await self.send_status("", names=[r.name for r in rows])
        now = time.time_ns()
        started = f"{now // 10**9}.{now % 10**9:09d}"
        histories = await asyncio.gather(
            *(
                asyncio.to_thread(_history, self.host, row, history_options, index)
                for index, row in enumerate(rows)
            )
        )
        merged_history = sorted((line for h in histories for line in h), key=_ordering_key)
        for start in range(0, len(merged_history), 2000):
            await self._send(merged_history[start : start + 2000])
        if asked.follow:
            await self._follow(
                rows, asked, [_after(h[-1] if h else None, started) for h in histories]
            )
        await self.finish("End of the logs.")

    async def _send(self, lines: list[tuple]) -> None:
        if not self.show_timestamps:
            lines = [(s, text.split(" ", 1)[-1], who) for s, text, who in lines]
        await self.send_frame({"t": "lines", "lines": lines})

    async def _follow(self, rows, asked: LogOptions, since: list[str]) -> None:
        merged: asyncio.Queue = asyncio.Queue(maxsize=32)
        self.bridges = [
            ThreadBridge(
                lambda row=row, after=after: LogSource(
                    self.host,
                    row.id,
                    replace(asked, timestamps=True, follow=True, tail=None, since=after),
                    line_limit=settings.CONSOLE_LOG_LINE_LIMIT,
                ),
                maxsize=4,
            )
            for row, after in zip(rows, since, strict=True)
        ]
        readers = [
            asyncio.create_task(self._read(index, bridge, merged))
            for index, bridge in enumerate(self.bridges)
        ]
        try:
            await self._send_in_order(merged, readers)
        finally:
            for reader in readers:
                reader.cancel()

    @staticmethod
    async def _read(index: int, bridge, merged: asyncio.Queue) -> None:
        bridge.start()
        with contextlib.suppress(EngineError):
            async for batch in bridge:
                await merged.put([(stream, text, index) for stream, text in batch])

    async def _send_in_order(self, merged: asyncio.Queue, readers: list[asyncio.Task]) -> None:
        while True:
            pending: list[tuple] = []
            try:
                pending.extend(await asyncio.wait_for(merged.get(), timeout=ORDER_WINDOW))
            except TimeoutError:
                if all(r.done() for r in readers) and merged.empty():
                    return
                continue
            await asyncio.sleep(ORDER_WINDOW)  # let the other containers' lines arrive
            while not merged.empty():
                pending.extend(merged.get_nowait())
            await self._send(sorted(pending, key=_ordering_key))

    async def stopped(self) -> None:
        for bridge in getattr(self, "bridges", []):
            bridge.close()
