"""All the logs of a chatty container (200k lines, ~9 MB) through the console's logs
websocket (`?tail=all`, acknowledged frame by frame as the page does) vs `docker logs`
written to /dev/null by the CLI.

Prints: time ratio console / CLI (target <= 1.5) and the daphne process's RSS growth
during a transfer, sampled every 50 ms (target < 50 MB), measured in one run,
alternating the two. Transfers through the console share a time budget (CONSOLE_BUDGET
seconds): one that is cut short reports its rate and the time it would have taken.
Not a test: it only prints what it measured.

    CONSOLE_FLEET_STATE=/tmp/console-fleet/fleet.json .venv/bin/python bench/logs_throughput.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import time

from common import fleet
from export import DOCKER
from wsbench import RSSSampler, bench_container, console, vm_rss_mb

from tests.engines import raw_client
from tests.wsclient import Closed, WebSocket

LINES = 200_000
ROUNDS = 3
CONSOLE_BUDGET = 60.0
# 45 bytes a line: 200k lines make ~9 MB.
WRITER = (
    f"awk 'BEGIN {{ for (i = 1; i <= {LINES}; i++) "
    'printf "%08d abcdefghijklmnopqrstuvwxyz0123456789\\n", i }\''
)
LAST = f"{LINES:08d} abcdefghijklmnopqrstuvwxyz0123456789"


async def console_logs(
    port: int, cookie: str, container_id: str, budget: float, tail: str = "all"
) -> tuple[float, int, str]:
    """Seconds until every line arrived (or the budget ran out), the number of lines and
    the last one."""
    path = f"/ws/hosts/bench/containers/{container_id}/logs/?tail={tail}"
    started = time.perf_counter()
    ws = await WebSocket.connect(port, path, cookie)
    count, last = 0, ""
    try:
        while time.perf_counter() - started < budget:
            frame = await ws.frame()
            if frame.get("t") == "lines":
                count += len(frame["lines"])
                last = frame["lines"][-1][1]
            elif frame.get("t") == "error":
                raise RuntimeError(frame)
            if frame.get("end") or count >= LINES:
                break
    except Closed:
        pass
    finally:
        elapsed = time.perf_counter() - started
        await ws.close()
    return elapsed, count, last


def cli_logs(engine_url: str, container_id: str) -> float:
    env = {**os.environ, "DOCKER_API_VERSION": "1.41"}
    started = time.perf_counter()
    subprocess.run(
        [DOCKER, "-H", engine_url, "logs", container_id],
        env=env,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - started


def main() -> None:
    with fleet() as running:
        run(running)


def run(fleet) -> None:
    api = raw_client(fleet)
    with bench_container(fleet, api, "bench-logs", ["sh", "-c", WRITER]) as container_id:
        api.start(container_id)
        api.wait(container_id, timeout=120)
        with console(fleet) as (port, cookie, pid), RSSSampler(pid) as rss:
            measure(fleet, api, container_id, port, cookie, pid, rss)


def measure(fleet, api, container_id, port, cookie, pid, rss) -> None:
    size = sum(len(chunk) for chunk in api.logs(container_id, stream=True))
    # Warm: the engine's page cache, the console's engine client and its imports.
    cli_logs(fleet.unix_url, container_id)
    asyncio.run(console_logs(port, cookie, container_id, 30, tail="1000"))

    first_base = vm_rss_mb(pid)
    cli_times, console_times, growth, cut = [], [], [], []
    budget = CONSOLE_BUDGET
    for _ in range(ROUNDS):
        cli_times.append(cli_logs(fleet.unix_url, container_id))
        if budget <= 0:
            continue
        base, started = vm_rss_mb(pid), time.monotonic()
        seconds, count, last = asyncio.run(console_logs(port, cookie, container_id, budget))
        budget -= seconds
        time.sleep(0.1)  # one more sample after the end
        growth.append(rss.peak_mb(started) - base)
        if count < LINES:
            cut.append((seconds, count))
            continue
        assert last == LAST, (count, last)
        console_times.append(seconds)
    retained = vm_rss_mb(pid) - first_base

    cli = statistics.median(cli_times)
    mb = size / 1e6
    print(f"logs of {LINES} lines ({mb:.1f} MB), alternating, medians")
    print(f"docker logs > /dev/null (CLI {DOCKER}): {cli:7.2f} s  {LINES / cli:9.0f} lines/s")
    if console_times:
        con = statistics.median(console_times)
        print(f"console websocket (?tail=all, acked):   {con:7.2f} s  {LINES / con:9.0f} lines/s")
        print(f"time ratio console / CLI: {con / cli:.2f}  (target <= 1.5)")
    for seconds, count in cut:
        projected = seconds * LINES / max(count, 1)
        print(
            f"console websocket CUT SHORT by the {CONSOLE_BUDGET:g} s budget: {count} lines in "
            f"{seconds:.1f} s ({count / seconds:.0f} lines/s); all {LINES} would take "
            f"~{projected:.0f} s"
        )
        print(f"time ratio console / CLI (projected): ~{projected / cli:.0f}  (target <= 1.5)")
    print(
        f"daphne peak RSS growth during a transfer: max {max(growth):.1f} MB "
        f"(transfers: {', '.join(f'{g:.1f}' for g in growth)})  (target < 50 MB)"
    )
    print(f"daphne RSS kept after the transfers: {retained:+.1f} MB (now {vm_rss_mb(pid):.0f} MB)")


if __name__ == "__main__":
    main()
