"""Live numbers and events: `docker stats` (one container, or every running one on a
host) and `docker events`."""

from __future__ import annotations

import asyncio

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console.access.permissions import host_for
from console.engine import containers as engine_containers
from console.engine import events, stats
from console.engine.bridge import ThreadBridge
from console.engine.logs import parse_time
from console.streams.consumers import Close, HostStreamConsumer

HOST_STATS_INTERVAL = 2.0


@require_GET
def stats_page(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    host, _ = host_for(request.user, slug)
    context = {
        "host": host,
        "ref": ref,
        "windows": host.platform == "windows",
        "socket_path": f"/ws/hosts/{host.slug}/containers/{ref}/stats/",
    }
    return render(request, "streams/stats.html", context)


@require_GET
def host_stats_page(request: HttpRequest, slug: str) -> HttpResponse:
    host, _ = host_for(request.user, slug)
    context = {"host": host, "socket_path": f"/ws/hosts/{host.slug}/stats/"}
    return render(request, "streams/host_stats.html", context)


@require_GET
def events_page(request: HttpRequest, slug: str) -> HttpResponse:
    host, _ = host_for(request.user, slug)
    context = {
        "host": host,
        "types": events.EVENT_TYPES,
        "params": request.GET,
        "socket_path": f"/ws/hosts/{host.slug}/events/",
    }
    return render(request, "streams/events.html", context)


class StatsConsumer(HostStreamConsumer):
    """One container's samples; a slow page gets the latest, never a backlog."""

    async def stream(self) -> None:
        ref = self.scope["url_route"]["kwargs"]["ref"]
        running = await asyncio.to_thread(engine_containers.container_running, self.host, ref)
        if running is None:
            await self.fail(Close.GONE, f"No container {ref}.")
            return
        if not running:
            # The engine would stream zeros for as long as one listens.
            await self.finish("The container is not running.")
            return
        self.bridge = ThreadBridge(
            lambda: stats.StatsSource(self.host, ref), maxsize=2, keep_latest=True
        )
        self.bridge.start()
        try:
            async for sample in self.bridge:
                await self.send_frame({"t": "stats", "sample": sample.as_dict()})
        finally:
            self.bridge.close()
        await self.finish("The container stopped.")

    async def stopped(self) -> None:
        if bridge := getattr(self, "bridge", None):
            bridge.close()


class HostStatsConsumer(HostStreamConsumer):
    """`docker stats` without arguments: every running container, refreshed."""

    async def stream(self) -> None:
        while True:
            table = await asyncio.to_thread(stats.stats_of_running, self.host)
            await self.send_frame({"t": "table", "rows": [row.as_dict() for row in table]})
            await asyncio.sleep(HOST_STATS_INTERVAL)


class EventsConsumer(HostStreamConsumer):
    """The engine's events, with the page's type/action filters and since."""

    async def stream(self) -> None:
        filters: dict[str, list[str]] = {}
        for key in ("type", "event", "container", "image"):
            if value := self.params.get(key):
                filters[key] = [value]
        since = parse_time(self.params.get("since", ""))
        self.bridge = ThreadBridge(
            lambda: events.EventSource(self.host, since=since, filters=filters), maxsize=64
        )
        self.bridge.start()
        try:
            async for event in self.bridge:
                await self.send_frame({"t": "event", "event": event.as_dict()})
        finally:
            self.bridge.close()

    async def stopped(self) -> None:
        if bridge := getattr(self, "bridge", None):
            bridge.close()
