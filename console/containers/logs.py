"""`docker logs [-f] [--tail] [--since] [--until] [-t] [--details]`, live and as a download."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import replace

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console.access import audit
from console.access.permissions import host_for
from console.access.policy import Capabilities
from console.engine import containers as engine_containers
from console.engine.bridge import ThreadBridge
from console.engine.errors import EngineError, NotFound
from console.engine.logs import LogOptions, LogSource, parse_time
from console.streams.consumers import Close, HostStreamConsumer
from console.web.downloads import attachment

# Batches already read from the engine go out as one frame, up to this many: daphne
# costs about a millisecond a frame, so a follower that fell behind catches up in big
# frames instead of falling further behind in small ones.
COALESCE_BATCHES = 16
# A bigger tail is "all" in practice; the engine refuses numbers beyond 64 bits.
MAX_TAIL = 10**9


def log_options(params: QueryDict | dict) -> LogOptions:
    """The page's form (and the socket's query string) as engine options."""
    tail_text = str(params.get("tail", "200")).strip().lower()
    if tail_text in ("all", ""):
        tail = None
    elif re.fullmatch(r"[0-9]+", tail_text):
        tail = int(tail_text)
        if tail > MAX_TAIL:
            raise ValueError(f"tail is out of range: at most {MAX_TAIL}, or “all”")
    else:
        raise ValueError(f"tail must be a number or “all”, not {tail_text[:40]!r}")
    return LogOptions(
        follow=params.get("follow") in ("1", "on", "true"),
        tail=tail,
        since=parse_time(str(params.get("since", ""))),
        until=parse_time(str(params.get("until", ""))),
        timestamps=params.get("timestamps") in ("1", "on", "true"),
        details=params.get("details") in ("1", "on", "true"),
    )


# What the form shows, and the socket asks for, on a first visit (no query string).
FIRST_VISIT = QueryDict("follow=1")


@require_GET
def logs_page(request: HttpRequest, slug: str, ref: str):
    host, role = host_for(request.user, slug, "container.view")
    # One set of values for the form and the socket, so the page does what it shows.
    params = request.GET or FIRST_VISIT
    context = {
        "host": host,
        "caps": Capabilities(role),
        "ref": ref,
        "params": params,
        "max_lines": settings.CONSOLE_LOG_VIEW_LINES,
    }
    try:
        log_options(params)
    except ValueError as exc:
        context["error"] = str(exc)
    return render(
        request, "containers/logs.html", context, status=400 if "error" in context else 200
    )


@require_GET
def logs_download(request: HttpRequest, slug: str, ref: str):
    """The selected range as a .log file, streamed from the engine (never following)."""
    host, _ = host_for(request.user, slug, "container.view")
    try:
        options = replace(log_options(request.GET), follow=False)
        source = LogSource(host, ref, options, line_limit=settings.CONSOLE_LOG_LINE_LIMIT)
    except NotFound:
        raise Http404(f"No container {ref} on {host.name}.") from None
    except (ValueError, EngineError) as exc:
        return HttpResponse(f"{exc}\n", status=400, content_type="text/plain; charset=utf-8")

    def body():
        try:
            for _stream, data in source.frames():
                yield data
        finally:
            source.close()

    params = {k: v for k, v in request.GET.items() if k != "csrfmiddlewaretoken"}
    audit.record(request.user, "container.logs_download", host=host, target=ref, params=params)
    return attachment(request, body(), f"{ref}.log", "text/plain; charset=utf-8")


class LogsConsumer(HostStreamConsumer):
    """Follows across restarts: when the stream ends because the container stopped, it
    says so, waits for the container to run again and carries on from then."""

    permission = "container.view"

    async def stream(self) -> None:
        ref = self.scope["url_route"]["kwargs"]["ref"]
        options = log_options(self.params)
        while True:
            self.bridge = ThreadBridge(
                lambda o=options: LogSource(
                    self.host, ref, o, line_limit=settings.CONSOLE_LOG_LINE_LIMIT
                ),
                maxsize=8,
            )
            self.bridge.start()
            try:
                async for batch in self.bridge:
                    for more in self.bridge.take_ready(COALESCE_BATCHES):
                        batch += more
                    await self.send_frame({"t": "lines", "lines": batch})
            finally:
                self.bridge.close()
            if not options.follow:
                await self.finish("End of the logs.")
                return
            now = time.time_ns()
            stopped_at = f"{now // 10**9}.{now % 10**9:09d}"
            if not await self._wait_until_running(ref):
                return
            options = replace(options, since=stopped_at, tail=None)

    async def _wait_until_running(self, ref: str) -> bool:
        """True once the container runs again; False (socket closed) once it is removed."""
        announced = False
        while True:
            running = await asyncio.to_thread(engine_containers.container_running, self.host, ref)
            if running is None:
                await self.fail(Close.GONE, "The container was removed.")
                return False
            if running:
                if announced:
                    await self.send_status("The container started again.", state="running")
                return True
            if not announced:
                await self.send_status(
                    "The container stopped; waiting for it to start again.", state="stopped"
                )
                announced = True
            await asyncio.sleep(1)

    async def stopped(self) -> None:
        bridge = getattr(self, "bridge", None)
        if bridge is not None:
            bridge.close()
