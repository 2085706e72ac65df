"""Dashboard with 6 hosts, one of which never answers.

Prints: page time / (deadline + slowest live host's raw /info time), measured in one
run. Target: <= 1.10. Not a test: it only prints what it measured.

    .venv/bin/python bench/dashboard.py        # starts (and stops) its own fleet
    CONSOLE_FLEET_STATE=/tmp/console-fleet/fleet.json .venv/bin/python bench/dashboard.py
"""

from __future__ import annotations

import os
import socket
import statistics
import threading
import time
from pathlib import Path

os.environ["CONSOLE_HOST_DEADLINE"] = os.environ.get("CONSOLE_HOST_DEADLINE", "1")

from common import admin_client, fleet  # after the deadline is set: it sets Django up

from tests.engines import raw_client

ROUNDS = 7


def silent_server() -> str:
    listener = socket.create_server(("127.0.0.1", 0))
    held = []

    def accept():
        while True:
            conn, _ = listener.accept()
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    return f"tcp://127.0.0.1:{listener.getsockname()[1]}"


def main() -> None:
    with fleet() as running:
        run(running)


def run(fleet) -> None:
    from django.conf import settings

    from console.hosts.models import Host

    client = admin_client()
    tls = {
        "tls": True,
        "tls_ca_cert": Path(fleet.tls_ca).read_text(),
        "tls_client_cert": Path(fleet.tls_cert).read_text(),
        "tls_client_key": Path(fleet.tls_key).read_text(),
    }
    ssh = {
        "ssh_private_key": Path(fleet.ssh_key).read_text(),
        "ssh_host_key": fleet.ssh_host_key_pub,
    }
    Host.objects.create(name="unix-1", slug="unix-1", url=fleet.unix_url)
    Host.objects.create(name="unix-2", slug="unix-2", url=fleet.unix_url)
    Host.objects.create(name="tls-1", slug="tls-1", url=fleet.tls_url, **tls)
    Host.objects.create(name="tls-2", slug="tls-2", url=fleet.tls_url, **tls)
    Host.objects.create(name="ssh-1", slug="ssh-1", url=fleet.ssh_url, **ssh)
    Host.objects.create(name="silent", slug="silent", url=silent_server())

    client.get("/")  # warm: clients built, versions negotiated (as on a running console)

    raw = {"unix": raw_client(fleet, "unix"), "tls": raw_client(fleet, "tls")}
    page_times, slowest_raw = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get("/")
        page_times.append(time.perf_counter() - started)
        html = response.content.decode()
        assert html.count('class="badge ok">up<') == 5 and "Timed out" in html, html
        times = []
        for api in raw.values():
            t0 = time.perf_counter()
            api.info()
            times.append(time.perf_counter() - t0)
        slowest_raw.append(max(times))
    deadline = settings.CONSOLE_HOST_DEADLINE
    page = statistics.median(page_times)
    slowest = statistics.median(slowest_raw)
    ratio = page / (deadline + slowest)
    print(
        f"hosts: 5 live (unix x2, tls x2, ssh), 1 silent; deadline {deadline:g} s; {ROUNDS} rounds"
    )
    print(f"dashboard page, median:          {page * 1000:8.1f} ms")
    print(f"slowest live raw /info, median:  {slowest * 1000:8.1f} ms")
    print(f"ratio page / (deadline + slowest): {ratio:.3f}  (target <= 1.10)")


if __name__ == "__main__":
    main()
