"""How a fleet stops: its containers, daemons, leftover processes, mounts and bridges."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tests.fleet.credentials import _client_tls_context
from tests.fleet.helpers import _run, _which
from tests.fleet.host import _BRIDGE_PREFIX, _umount
from tests.fleet.probes import _http, _tls_connector, _unix_connector

if TYPE_CHECKING:
    from tests.fleet.fleet import Fleet


# Seconds dockerd gives running containers at shutdown before it kills them (default 15).
DOCKERD_SHUTDOWN_TIMEOUT = 2
# Command names (/proc/PID/comm, at most 15 characters) of the processes a fleet may leave.
_FLEET_COMMS = frozenset(
    {
        "dockerd",
        "containerd",
        "containerd-shim",
        "runc",
        "docker",
        "docker-proxy",
        "sshd",
        "docker-registry",
    }
)


def _terminate(pids: list[int], timeout: float, procs: dict[int, subprocess.Popen[bytes]]) -> None:
    """SIGTERM each process, wait, then SIGKILL what is left of their process groups."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    if not _wait_gone(pids, timeout, procs):
        print(f"fleet: killing {pids} after {timeout:.0f}s", file=sys.stderr)
    for pid in pids:
        # Each daemon leads a session and group of its own (start_new_session); this also
        # ends children left in it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
    _wait_gone(pids, 5, procs)


def _wait_gone(pids: list[int], timeout: float, procs: dict[int, subprocess.Popen[bytes]]) -> bool:
    deadline = time.monotonic() + timeout
    while any(_alive(pid, procs) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _alive(pid: int, procs: dict[int, subprocess.Popen[bytes]]) -> bool:
    proc = procs.get(pid)
    if proc is not None:
        return proc.poll() is None  # also reaps our own children
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # A zombie whose parent is gone waits for init to reap it: it is dead all the same.
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _engine_connectors(fleet: Fleet) -> list[Callable[[], socket.socket]]:
    connectors = [_unix_connector(fleet.unix_url.removeprefix("unix://"), timeout=30)]
    with contextlib.suppress(OSError):  # no certificates if start failed early
        ctx = _client_tls_context(fleet.tls_ca, fleet.tls_cert, fleet.tls_key)
        port = urlsplit(fleet.tls_url).port or 2376
        connectors.append(_tls_connector(port, ctx, timeout=30))
    return connectors


def _quiesce_engines(fleet: Fleet) -> list[str]:
    """Stop every container at once (no grace time); return the engines' network bridges."""
    bridges: list[str] = []
    stops: list[tuple[Callable[[], socket.socket], str]] = []
    for connect in _engine_connectors(fleet):
        with contextlib.suppress(OSError, ValueError):
            for net in json.loads(_http(connect, "GET", "/networks")[1]):
                if net.get("Driver") == "bridge" and net.get("Name") != "bridge":
                    options = net.get("Options") or {}
                    default = "br-" + net["Id"][:12]
                    bridges.append(options.get("com.docker.network.bridge.name", default))
            for container in json.loads(_http(connect, "GET", "/containers/json")[1]):
                stops.append((connect, f"/containers/{container['Id']}/stop?t=0"))
    if stops:
        with ThreadPoolExecutor(max_workers=8) as pool:
            for connect, path in stops:
                pool.submit(_http, connect, "POST", path)
    return bridges


def _pool_bridges(own: list[str]) -> list[str]:
    """Interfaces with an address in the network pools of our engines (10.214.n.0/24)."""
    pools = [
        ipaddress.IPv4Network(f"10.214.{name.removeprefix(_BRIDGE_PREFIX)}.0/24")
        for name in own
        if name.removeprefix(_BRIDGE_PREFIX).isdigit()
    ]
    found = []
    for line in _run(["ip", "-4", "-o", "addr", "show"], check=False).stdout.splitlines():
        parts = line.split()
        if len(parts) > 3 and parts[2] == "inet":
            net = ipaddress.IPv4Interface(parts[3]).network
            if any(net.subnet_of(pool) for pool in pools):
                found.append(parts[1].split("@")[0])
    return found


def _delete_leftover_containers(root: Path) -> None:
    """Remove containers still known to runc if an engine died without stopping them."""
    runc = _which("runc")
    for engine in ("unix", "tls"):
        state = root / engine / "exec" / "runtime-runc" / "moby"
        if runc is None or not state.is_dir():
            continue
        for entry in state.iterdir():
            _run([runc, "--root", str(state), "delete", "--force", entry.name], check=False)


def _sweep(marker: str) -> None:
    """SIGKILL any fleet-kind process whose command line names a path under the fleet root.

    Catches what is not in a daemon's process group: containerd shims, the docker CLI that
    sshd's forced command runs, daemons of a start that died before it recorded them.
    """
    me = {os.getpid(), os.getppid()}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) in me:
            continue
        pid = int(entry.name)
        if _comm(pid) in _FLEET_COMMS and _mentions(pid, marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _mentions(pid: int, marker: str) -> bool:
    """Whether the command line of pid contains marker (guards against reused pids)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return marker.encode() in cmdline


def _unmount_below(root: Path) -> None:
    """Unmount whatever is still mounted at or under root (dockerd's overlays, netns...)."""
    for _ in range(3):
        mounts = _mounts_below(root)
        if not mounts:
            return
        for mountpoint in reversed(mounts):  # last mounted first
            _umount(mountpoint)


def _mounts_below(root: Path) -> list[str]:
    prefix = f"{root}/"
    found = []
    for line in Path("/proc/self/mounts").read_text().splitlines():
        # Spaces and other special characters are octal-escaped in /proc/self/mounts.
        mountpoint = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), line.split()[1])
        if mountpoint == str(root) or mountpoint.startswith(prefix):
            found.append(mountpoint)
    return found
