"""Logs of several containers in one time-ordered stream, each line with its
container's name: the containers picked on the page, or every container of a compose
project (what Portainer lacks)."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
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
# Lines of the merged history per frame.
HISTORY_BATCH = 2000


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


def _lines(source: LogSource, index: int) -> Iterator[tuple]:
    for batch in source:
        for stream, text in batch:
            yield stream, text, index


class MergedHistory:
    """The histories of several containers as one time-ordered run of batches of lines
    (stream, text, index of its container). Each log is read as the merge needs it
    (heapq.merge over the engine's streams), so what is held at once is an engine read
    per container and a batch, however long the histories: the page gets them whole,
    in order, and keeps its last CONSOLE_LOG_VIEW_LINES."""

    def __init__(self, host, rows, options: LogOptions):
        self.host, self.rows, self.options = host, rows, options
        self.sources: list[LogSource] = []
        # Each container's last line, where following it goes on from.
        self.last: list[tuple | None] = [None] * len(rows)

    def open(self) -> MergedHistory:
        """Every container's log opened, at once (each is an inspect and a request)."""
        with ThreadPoolExecutor(max_workers=8) as pool:
            opening = [pool.submit(self._open, row) for row in self.rows]
        self.sources = [f.result() for f in opening if f.exception() is None]
        if failures := [f.exception() for f in opening if f.exception() is not None]:
            self.close()
            raise failures[0]
        return self

    def _open(self, row) -> LogSource:
        limit = settings.CONSOLE_LOG_LINE_LIMIT
        return LogSource(self.host, row.id, self.options, line_limit=limit)

    def __iter__(self) -> Iterator[list[tuple]]:
        lines = [_lines(source, index) for index, source in enumerate(self.sources)]
        batch: list[tuple] = []
        for line in heapq.merge(*lines, key=_ordering_key):
            self.last[line[2]] = line
            batch.append(line)
            if len(batch) == HISTORY_BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    def close(self) -> None:
        for source in self.sources:
            source.close()


def _after(line: tuple | None, fallback: str) -> str:
    """`since` for following on from `line` (its timestamp plus a nanosecond)."""
    if line is None:
        return fallback
    seconds, nanos = _ordering_key(line)
    moment = seconds * 10**9 + nanos + 1
    return f"{moment // 10**9}.{moment % 10**9:09d}"


class MergedLogsConsumer(HostStreamConsumer):
    """First the history of every container (tail/since/until), merged in time order
    (`MergedHistory`); then, when following, new lines put in order within a short
    window."""

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
        history = MergedHistory(self.host, rows, history_options)
        bridge = ThreadBridge(history.open, maxsize=4)
        self.bridges = [bridge]  # closed by `stopped` when the page goes first
        bridge.start()
        async for batch in bridge:
            await self._send(batch)
        if asked.follow:
            await self._follow(rows, asked, [_after(line, started) for line in history.last])
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
