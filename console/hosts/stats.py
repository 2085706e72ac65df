"""`docker stats` without arguments: every running container of a host, refreshed."""

from __future__ import annotations

import asyncio

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console.access.permissions import host_for
from console.engine import stats
from console.streams.consumers import HostStreamConsumer

HOST_STATS_INTERVAL = 2.0


@require_GET
def host_stats_page(request: HttpRequest, slug: str) -> HttpResponse:
    host, _ = host_for(request.user, slug, "host.view")
    context = {"host": host, "socket_path": f"/ws/hosts/{host.slug}/stats/"}
    return render(request, "hosts/host_stats.html", context)


class HostStatsConsumer(HostStreamConsumer):
    """`docker stats` without arguments: every running container, refreshed."""

    async def stream(self) -> None:
        while True:
            table = await asyncio.to_thread(stats.stats_of_running, self.host)
            await self.send_frame({"t": "table", "rows": [row.as_dict() for row in table]})
            await asyncio.sleep(HOST_STATS_INTERVAL)
