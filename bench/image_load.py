"""`docker load` of a ~300 MB image archive uploaded through the console (a daphne
process, as `make run` serves it, the form's multipart POST) vs `docker load -i`.

Prints: throughput ratio console / CLI (target >= 0.7) and the console process's peak RSS
growth during a load (target < 64 MB), measured in one run, alternating the two; the
image is removed before every load so each one writes its layers. Not a test.

    CONSOLE_FLEET_STATE=/tmp/console-fleet/fleet.json .venv/bin/python bench/image_load.py
"""

from __future__ import annotations

import contextlib
import http.client
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from common import fleet
from export import CHUNK, DOCKER, ROUNDS, free_port, start_daphne
from image_save import bench_host, cli, make_image

from tests.daphne import PeakRSS

REPOSITORY = "console-bench/image-load"


def console_load(port: int, archive: Path, cookie: str) -> float:
    """Seconds for one multipart upload of `archive` to the load form, body streamed."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="archive"; filename="image.tar"'
        "\r\nContent-Type: application/x-tar\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    csrf = "b" * 32
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.putrequest("POST", "/hosts/bench/images/load/", skip_host=True)
    for name, value in {
        "Host": "127.0.0.1",
        "Cookie": f"sessionid={cookie}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Content-Length": str(len(head) + archive.stat().st_size + len(tail)),
    }.items():
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(head)
    with archive.open("rb") as f:
        while chunk := f.read(CHUNK):
            conn.send(chunk)
    conn.send(tail)
    response = conn.getresponse()
    page = response.read().decode()
    elapsed = time.perf_counter() - started
    conn.close()
    assert response.status == 200 and f"{REPOSITORY}:latest" in page, (response.status, page[-800:])
    return elapsed


def main() -> None:
    with fleet() as running:
        run(running)


def run(fleet) -> None:
    cookie, api = bench_host(fleet)
    make_image(api, fleet.base_image, REPOSITORY)
    work = Path(tempfile.mkdtemp(prefix="console-bench-load-"))
    archive = work / "image.tar"
    cli(fleet.unix_url, "save", "-o", str(archive), f"{REPOSITORY}:latest")
    port = free_port()
    server = start_daphne(port)

    def remove() -> None:
        with contextlib.suppress(Exception):
            api.remove_image(f"{REPOSITORY}:latest", force=True)

    try:
        remove()
        console_load(port, archive, cookie)  # warm: imports, engine client
        rss = PeakRSS(server.pid)
        cli_times, console_times, growth = [], [], []
        for _ in range(ROUNDS):
            remove()
            cli_times.append(cli(fleet.unix_url, "load", "-i", str(archive)))
            remove()
            rss.reset()
            console_times.append(console_load(port, archive, cookie))
            growth.append(rss.growth_mb())
        cli_time, console_time = statistics.median(cli_times), statistics.median(console_times)
        mb = archive.stat().st_size / 1e6
        print(f"load of a {mb:.0f} MB image archive, {ROUNDS} rounds alternating, medians")
        print(f"docker load -i (CLI {DOCKER}): {cli_time:6.2f} s  {mb / cli_time:7.1f} MB/s")
        print(
            f"console (daphne, multipart upload): {console_time:6.2f} s  "
            f"{mb / console_time:7.1f} MB/s"
        )
        print(f"throughput ratio console / CLI: {cli_time / console_time:.2f}  (target >= 0.7)")
        print(
            f"console peak RSS growth during a load: max {max(growth):.1f} MB "
            f"(rounds: {', '.join(f'{g:.1f}' for g in growth)})  (target < 64 MB)"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        remove()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
