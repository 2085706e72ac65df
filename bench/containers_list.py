"""Container list page for a host with 300 containers vs the raw engine call.

Prints: page time / raw `GET /containers/json?all=1` time, measured in one run,
alternating the two. Target: <= 1.5. Not a test: it only prints what it measured.

    CONSOLE_FLEET_STATE=/tmp/console-fleet/fleet.json .venv/bin/python bench/containers_list.py
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from common import admin_client, fleet

from tests.engines import raw_client

COUNT = 300
ROUNDS = 15


def main() -> None:
    with fleet() as running:
        run(running)


def run(fleet) -> None:
    from console.hosts.models import Host

    client = admin_client()
    Host.objects.create(name="bench", slug="bench", url=fleet.unix_url)
    api = raw_client(fleet)
    none = api.create_host_config(network_mode="none")
    labels = {"bench": "list", "com.example.team": "<b>ops</b>"}

    def create(n: int) -> str:
        return api.create_container(
            fleet.base_image,
            ["sleep", "1"],
            name=f"bench-list-{n}",
            labels=labels,
            host_config=none,
        )["Id"]

    with ThreadPoolExecutor(8) as pool:
        made = list(pool.map(create, range(COUNT)))
    try:
        client.get("/hosts/bench/containers/?all=1")  # warm: client built, version negotiated
        page_times, raw_times = [], []
        for _ in range(ROUNDS):
            t0 = time.perf_counter()
            rows = api.containers(all=True)
            raw_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            response = client.get("/hosts/bench/containers/?all=1")
            page_times.append(time.perf_counter() - t0)
            assert response.status_code == 200 and len(rows) >= COUNT
            assert response.content.count(b'<tr id="c-') >= COUNT
        page, raw = statistics.median(page_times), statistics.median(raw_times)
        print(f"containers on the host: {len(rows)}; {ROUNDS} rounds, medians")
        print(f"raw GET /containers/json?all=1: {raw * 1000:8.1f} ms")
        print(f"console list page (all=1):      {page * 1000:8.1f} ms")
        print(f"ratio page / raw: {page / raw:.2f}  (target <= 1.5)")
    finally:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda cid: api.remove_container(cid, force=True), made))


if __name__ == "__main__":
    main()
