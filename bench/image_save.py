"""`docker save` of a ~300 MB image through the console (a daphne process, as `make run`
serves it) vs the docker CLI writing the same archive to a file.

Prints: throughput ratio console / CLI (target >= 0.7) and the console process's peak RSS
growth during a save (target < 64 MB), measured in one run, alternating the two. Not a
test: it only prints what it measured.

    CONSOLE_FLEET_STATE=/tmp/console-fleet/fleet.json .venv/bin/python bench/image_save.py
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import admin_client, fleet
from export import DOCKER, ROUNDS, console_export, free_port, start_daphne

from tests.daphne import PeakRSS
from tests.engines import raw_client

SIZE_MB = 300
REPOSITORY = "console-bench/image-save"


def make_image(api, base_image: str, repository: str, size_mb: int = SIZE_MB) -> str:
    """An image with a ~size_mb layer of random data, tagged repository:latest."""
    fill = f"dd if=/dev/urandom of=/big.bin bs=1M count={size_mb} 2>/dev/null"
    container = api.create_container(
        base_image, ["sh", "-c", fill], host_config=api.create_host_config(network_mode="none")
    )["Id"]
    try:
        api.start(container)
        api.wait(container, timeout=300)
        return api.commit(container, repository=repository, tag="latest")["Id"]
    finally:
        api.remove_container(container, force=True)


def cli(engine_url: str, *args: str) -> float:
    env = {**os.environ, "DOCKER_API_VERSION": "1.41"}
    started = time.perf_counter()
    subprocess.run([DOCKER, "-H", engine_url, *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def bench_host(fleet):
    """The session cookie of a logged-in admin, with engine A registered as host "bench",
    and docker-py straight to engine A."""
    from console.hosts.models import Host

    client = admin_client()
    Host.objects.create(name="bench", slug="bench", url=fleet.unix_url)
    return client.cookies["sessionid"].value, raw_client(fleet)


def main() -> None:
    with fleet() as running:
        run(running)


def run(fleet) -> None:
    cookie, api = bench_host(fleet)
    image_id = make_image(api, fleet.base_image, REPOSITORY)
    work = Path(tempfile.mkdtemp(prefix="console-bench-save-"))
    port = free_port()
    server = start_daphne(port)
    try:
        url = f"/hosts/bench/images/{image_id}/save/"
        cli_out, console_out = work / "cli.tar", work / "console.tar"
        # Warm: the engine's page cache, the console's imports and its engine client.
        cli(fleet.unix_url, "save", "-o", str(cli_out), f"{REPOSITORY}:latest")
        console_export(port, url, cookie, console_out)
        rss = PeakRSS(server.pid)
        cli_times, console_times, growth = [], [], []
        for _ in range(ROUNDS):
            cli_times.append(
                cli(fleet.unix_url, "save", "-o", str(cli_out), f"{REPOSITORY}:latest")
            )
            rss.reset()
            seconds, size = console_export(port, url, cookie, console_out)
            growth.append(rss.growth_mb())
            console_times.append(seconds)
        cli_time, console_time = statistics.median(cli_times), statistics.median(console_times)
        mb = size / 1e6
        print(f"save of a {mb:.0f} MB image, {ROUNDS} rounds alternating, medians")
        print(f"docker save -o (CLI {DOCKER}): {cli_time:6.2f} s  {mb / cli_time:7.1f} MB/s")
        print(
            f"console (daphne, streamed):    {console_time:6.2f} s  {mb / console_time:7.1f} MB/s"
        )
        print(f"throughput ratio console / CLI: {cli_time / console_time:.2f}  (target >= 0.7)")
        print(
            f"console peak RSS growth during a save: max {max(growth):.1f} MB "
            f"(rounds: {', '.join(f'{g:.1f}' for g in growth)})  (target < 64 MB)"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        with contextlib.suppress(Exception):
            api.remove_image(image_id, force=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
