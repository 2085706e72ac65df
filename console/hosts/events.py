"""`docker events`: the engine's events live, with the page's filters."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console.access.permissions import host_for
from console.engine import events
from console.engine.bridge import ThreadBridge
from console.engine.logs import parse_time
from console.streams.consumers import HostStreamConsumer


@require_GET
def events_page(request: HttpRequest, slug: str) -> HttpResponse:
    host, _ = host_for(request.user, slug, "host.view")
    context = {
        "host": host,
        "types": events.EVENT_TYPES,
        "params": request.GET,
        "socket_path": f"/ws/hosts/{host.slug}/events/",
    }
    return render(request, "hosts/events.html", context)


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
