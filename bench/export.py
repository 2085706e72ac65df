"""`docker export` of a ~300 MB container through the console (a daphne process, as
`make run` serves it) vs the docker CLI writing the same export to a file.

Prints: throughput ratio console / CLI (target >= 0.7) and the console process's peak RSS
growth during an export (target < 64 MB), measured in one run, alternating the two; then
the growth while a client reads at browser speed (20 MB/s), which shows what the server
buffers on the console's behalf. Not a test: it only prints what it measured.

    CONSOLE_FLEET_STATE=/tmp/console-fleet/fleet.json .venv/bin/python bench/export.py
"""

from __future__ import annotations

import http.client
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import admin_client, fleet

from tests.daphne import PeakRSS, free_port, start_daphne
from tests.engines import raw_client

SIZE_MB = 300
ROUNDS = 3
CHUNK = 1 << 20
SLOW_MB_S = 20
# The docker.io client speaks API 1.41 natively; a newer client is told to.
DOCKER = shutil.which("docker", path="/usr/bin") or shutil.which("docker")


def console_export(port: int, url: str, cookie: str, out: Path) -> tuple[float, int]:
    """Seconds and bytes for one export through the console, written to `out`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    conn.request("GET", url, headers={"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"})
    response = conn.getresponse()
    assert response.status == 200, (response.status, response.read(500))
    size = 0
    with out.open("wb") as f:
        while chunk := response.read(CHUNK):
            f.write(chunk)
            size += len(chunk)
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, size


def slow_console_export(port: int, url: str, cookie: str, seconds: float, rate_mb: float) -> int:
    """Bytes read by a browser-like client taking `rate_mb` MB/s, gone after `seconds`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", url, headers={"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"})
    response = conn.getresponse()
    size, started = 0, time.monotonic()
    while time.monotonic() - started < seconds:
        size += len(response.read(CHUNK))
        time.sleep(CHUNK / (rate_mb * 1e6))
    conn.close()
    return size


def cli_export(engine_url: str, container_id: str, out: Path) -> tuple[float, int]:
    env = {**os.environ, "DOCKER_API_VERSION": "1.41"}
    started = time.perf_counter()
    subprocess.run(
        [DOCKER, "-H", engine_url, "export", "-o", str(out), container_id], env=env, check=True
    )
    return time.perf_counter() - started, out.stat().st_size


def main() -> None:
    with fleet() as running:
        run(running)


def run(fleet) -> None:
    from console.hosts.models import Host

    client = admin_client()
    cookie = client.cookies["sessionid"].value
    Host.objects.create(name="bench", slug="bench", url=fleet.unix_url)
    api = raw_client(fleet)
    fill = f"dd if=/dev/urandom of=/big.bin bs=1M count={SIZE_MB} 2>/dev/null"
    container_id = api.create_container(
        fleet.base_image,
        ["sh", "-c", fill],
        name="bench-export",
        host_config=api.create_host_config(network_mode="none"),
    )["Id"]
    work = Path(tempfile.mkdtemp(prefix="console-bench-export-"))
    port = free_port()
    server = start_daphne(port)
    try:
        api.start(container_id)
        api.wait(container_id, timeout=300)
        url = "/hosts/bench/containers/bench-export/export/"
        # Warm: the engine's page cache, the console's imports and its engine client.
        cli_export(fleet.unix_url, container_id, work / "cli.tar")
        console_export(port, url, cookie, work / "console.tar")
        rss = PeakRSS(server.pid)
        cli_times, console_times, growth = [], [], []
        for _ in range(ROUNDS):
            seconds, cli_size = cli_export(fleet.unix_url, container_id, work / "cli.tar")
            cli_times.append(seconds)
            rss.reset()
            seconds, console_size = console_export(port, url, cookie, work / "console.tar")
            growth.append(rss.growth_mb())
            console_times.append(seconds)
            assert console_size == cli_size, (console_size, cli_size)
        rss.reset()
        slow_read = slow_console_export(port, url, cookie, 5, SLOW_MB_S)
        slow_growth = rss.growth_mb()
        cli, console = statistics.median(cli_times), statistics.median(console_times)
        mb = cli_size / 1e6
        print(f"export of {mb:.0f} MB, {ROUNDS} rounds alternating, medians")
        print(f"docker export -o (CLI {DOCKER}): {cli:6.2f} s  {mb / cli:7.1f} MB/s")
        print(f"console (daphne, streamed):      {console:6.2f} s  {mb / console:7.1f} MB/s")
        print(f"throughput ratio console / CLI: {cli / console:.2f}  (target >= 0.7)")
        print(
            f"console peak RSS growth during an export: max {max(growth):.1f} MB "
            f"(rounds: {', '.join(f'{g:.1f}' for g in growth)})  (target < 64 MB)"
        )
        print(
            f"same with a client taking {SLOW_MB_S:g} MB/s for 5 s ({slow_read / 1e6:.0f} MB "
            f"read, then gone): {slow_growth:.1f} MB  (what the server buffers for a slow browser)"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        api.remove_container(container_id, force=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
