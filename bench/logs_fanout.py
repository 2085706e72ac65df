"""200 live followers (`?follow=1&tail=0&timestamps=1`, acknowledged as the page does) of
20 containers, each printing 10 lines a second, on one daphne process, for a 20 s window.

Prints: the lines delivered out of those each follower should have got (every line its
container printed in the window; target: all of them), the p50/p95/max lag from the
engine's timestamp of a line to its arrival at the follower (target p95 < 1 s), and the
daphne process's RSS (target < 400 MB); for reference, the lag of one raw docker-py
follower per container, same engine, same run. Not a test: it only prints what it measured.

    CONSOLE_FLEET_STATE=/tmp/console-fleet/fleet.json .venv/bin/python bench/logs_fanout.py
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import threading
import time
from datetime import datetime

from common import fleet
from wsbench import (
    RSSSampler,
    bench_container,
    console,
    cpu_seconds,
    percentile,
    vm_rss_mb,
)

from tests.engines import raw_client
from tests.wsclient import Closed, WebSocket

CONTAINERS = 20
FOLLOWERS = 200
WINDOW = 20.0
CATCH_UP = 30.0  # at most this long after the window for the last lines to arrive
PRINTER = 'i=0; while :; do i=$((i + 1)); echo "line $i of $HOSTNAME"; sleep 0.1; done'


def engine_time(line: str) -> float:
    """Unix time of a `timestamps=1` line (RFC 3339 with nanoseconds, UTC)."""
    stamp = line.split(" ", 1)[0]
    whole, _, fraction = stamp.rstrip("Z").partition(".")
    seconds = datetime.fromisoformat(whole + "+00:00").timestamp()
    return seconds + float("0." + (fraction or "0"))


class Follower:
    def __init__(self, container_id: str):
        self.container_id = container_id
        self.received: list[tuple[float, str]] = []  # (arrival, line)
        self.ready = asyncio.Event()
        self.error: str | None = None
        self.latest = 0.0  # engine time of the newest line received

    async def run(self, port: int, cookie: str, stop: asyncio.Event) -> None:
        path = f"/ws/hosts/bench/containers/{self.container_id}/logs/?follow=1&tail=0&timestamps=1"
        ws = await WebSocket.connect(port, path, cookie)
        try:
            while not stop.is_set():
                frame = await ws.frame()
                arrival = time.time()
                if frame.get("t") == "lines":
                    self.received.extend((arrival, text) for _, text in frame["lines"])
                    self.ready.set()
                elif frame.get("t") == "error":
                    self.error = frame.get("text")
                    return
        except (Closed, ConnectionError, asyncio.IncompleteReadError) as exc:
            self.error = self.error or repr(exc)
        finally:
            await ws.close()


def raw_follow(fleet, container_id: str, out: list[tuple[float, str]]) -> None:
    """One docker-py follower, for reference; ends when the container is removed."""
    api = raw_client(fleet)
    with contextlib.suppress(Exception):
        for chunk in api.logs(container_id, stream=True, follow=True, timestamps=True, tail=0):
            arrival = time.time()
            out.extend((arrival, line) for line in chunk.decode().splitlines())


def main() -> None:
    with fleet() as running:
        run(running)


def run(fleet) -> None:
    api = raw_client(fleet)
    containers: list[str] = []
    with contextlib.ExitStack() as stack:
        for _ in range(CONTAINERS):
            command = ["sh", "-c", PRINTER]
            container_id = stack.enter_context(bench_container(fleet, api, "bench-fanout", command))
            containers.append(container_id)
            api.start(container_id)
        with console(fleet) as (port, cookie, pid), RSSSampler(pid) as rss:
            asyncio.run(measure(fleet, api, containers, port, cookie, pid, rss))


async def measure(fleet, api, containers, port, cookie, pid, rss) -> None:
    idle_mb = vm_rss_mb(pid)
    raw_lines: dict[str, list[tuple[float, str]]] = {c: [] for c in containers}
    for container_id in containers:
        threading.Thread(
            target=raw_follow, args=(fleet, container_id, raw_lines[container_id]), daemon=True
        ).start()

    stop = asyncio.Event()
    followers = [Follower(containers[i % CONTAINERS]) for i in range(FOLLOWERS)]
    connect_started = time.monotonic()
    tasks = []
    for first in range(0, FOLLOWERS, 20):  # connect 20 at a time, as a crowd of pages would
        batch = followers[first : first + 20]
        tasks += [asyncio.create_task(f.run(port, cookie, stop)) for f in batch]
        await asyncio.sleep(0.05)
    await asyncio.wait_for(asyncio.gather(*(f.ready.wait() for f in followers)), 60)
    connected_s = time.monotonic() - connect_started

    window_start = time.time()
    mono_start = time.monotonic()
    daphne_cpu, own_cpu = cpu_seconds(pid), time.process_time()
    await asyncio.sleep(WINDOW)
    daphne_cpu = (cpu_seconds(pid) - daphne_cpu) / WINDOW
    own_cpu = (time.process_time() - own_cpu) / WINDOW
    window_end = time.time()
    # The window's last lines may still be on their way: wait until every follower has
    # one from after the window (it has all before it), at most CATCH_UP seconds.
    deadline = time.monotonic() + CATCH_UP
    while time.monotonic() < deadline:
        behind = [f for f in followers if not f.received or f.received[-1][0] < window_end]
        if not behind or all(f.error for f in behind):
            if all(
                f.received and engine_time(f.received[-1][1]) > window_end
                for f in followers
                if not f.error
            ):
                break
        await asyncio.sleep(0.2)
    caught_up_s = time.monotonic() - mono_start - WINDOW
    peak_mb = rss.peak_mb(mono_start)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    # What each container printed in the window, by the engine's own account.
    expected: dict[str, set[str]] = {}
    for container_id in containers:
        text = api.logs(container_id, timestamps=True, tail="all").decode()
        expected[container_id] = {
            line for line in text.splitlines() if window_start <= engine_time(line) <= window_end
        }

    want = got = 0
    lags: list[float] = []
    short = []
    for follower in followers:
        should = expected[follower.container_id]
        lines = {text for _, text in follower.received}
        want += len(should)
        got += len(should & lines)
        if should - lines:
            short.append(len(should - lines))
        lags += [
            arrival - engine_time(text) for arrival, text in follower.received if text in should
        ]
    raw_lags = [
        arrival - engine_time(text)
        for container_id, lines in raw_lines.items()
        for arrival, text in lines
        if text in expected[container_id]
    ]
    errors = [f.error for f in followers if f.error]

    def ms(values: list[float], p: float) -> str:
        return f"{percentile(values, p) * 1000:8.1f} ms" if values else "       - ms"

    printed = sum(len(lines) for lines in expected.values())
    print(
        f"{FOLLOWERS} followers on {CONTAINERS} containers for a {WINDOW:g} s window "
        f"({printed} lines printed, {printed / WINDOW:.0f}/s; {connected_s:.1f} s to connect "
        f"all and see a first line; caught up {caught_up_s:.1f} s after the window)"
    )
    print(
        f"lines delivered: {got} of {want} ({100 * got / max(want, 1):.2f} %); "
        f"followers missing lines {CATCH_UP:g} s after the window: {len(short)}"
        + (f" (missing {min(short)}..{max(short)} each)" if short else "")
        + "  (target: all)"
    )
    if errors:
        print(f"followers that ended with an error: {len(errors)} (first: {errors[0]})")
    print(
        f"lag engine timestamp -> follower, console: p50 {ms(lags, 50)}  p95 {ms(lags, 95)}  "
        f"max {ms(lags, 100)}  (target p95 < 1 s)"
    )
    print(
        f"lag, raw docker-py follower (1 a container): p50 {ms(raw_lags, 50)}  "
        f"p95 {ms(raw_lags, 95)}  max {ms(raw_lags, 100)}"
    )
    print(
        f"CPU during the window: daphne {daphne_cpu:.2f} cores, this benchmark's clients "
        f"{own_cpu:.2f} cores (of {os.cpu_count()})"
    )
    print(
        f"daphne RSS: idle {idle_mb:.0f} MB, peak during the window {peak_mb:.0f} MB, "
        f"mean {statistics.mean(kb for _, kb in rss.samples) / 1024:.0f} MB  (target < 400 MB)"
    )


if __name__ == "__main__":
    main()
