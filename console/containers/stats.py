"""`docker stats CONTAINER`: one container's live numbers."""

from __future__ import annotations

import asyncio

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console.access.permissions import host_for
from console.access.policy import Capabilities
from console.engine import containers as engine_containers
from console.engine import stats
from console.engine.bridge import ThreadBridge
from console.streams.consumers import Close, HostStreamConsumer


@require_GET
def stats_page(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    host, role = host_for(request.user, slug, "container.view")
    context = {
        "host": host,
        "caps": Capabilities(role),
        "ref": ref,
        "windows": host.platform == "windows",
        "socket_path": f"/ws/hosts/{host.slug}/containers/{ref}/stats/",
    }
    return render(request, "containers/stats.html", context)


class StatsConsumer(HostStreamConsumer):
    """One container's samples; a slow page gets the latest, never a backlog."""

    permission = "container.view"

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
