"""Host plumbing: bridges, storage driver and ports of a fleet, and the mounts it makes."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import ipaddress
import os
import re
import shutil
import socket
from pathlib import Path
from typing import TYPE_CHECKING

from tests.fleet.helpers import _run

if TYPE_CHECKING:
    from tests.fleet.fleet import Fleet


# Engine n owns bridge "ctfleet<n>" with 10.213.n.1/24, and 10.214.n.0/24 (cut in /28s) for
# the networks tests create on it; n is picked so that none of it is in use on the machine.
_BRIDGE_PREFIX = "ctfleet"
_POOL_SIZE = 28


def _create_bridge(fleet: Fleet) -> int:
    """Create bridge ctfleet<n> with 10.213.n.1/24 for a free n; return n.

    `ip link add` fails if the name exists, which makes the name a lock between fleets
    started at the same time.
    """
    used = _used_networks()
    links = set(os.listdir("/sys/class/net"))
    for n in range(1, 255):
        name = f"{_BRIDGE_PREFIX}{n}"
        ours = (
            ipaddress.IPv4Network(f"10.213.{n}.0/24"),
            ipaddress.IPv4Network(f"10.214.{n}.0/24"),
        )
        if name in links or any(a.overlaps(b) for a in ours for b in used):
            continue
        added = _run(["ip", "link", "add", "name", name, "type", "bridge"], check=False)
        if added.returncode != 0:
            if "exists" in added.stderr:
                continue
            raise RuntimeError(f"ip link add {name} failed: {added.stderr.strip()}")
        fleet.bridges.append(name)
        fleet._save()
        _run(["ip", "addr", "add", f"10.213.{n}.1/24", "dev", name])
        _run(["ip", "link", "set", name, "up"])
        return n
    raise RuntimeError("no free bridge name and subnet in 10.213.0.0/16")


def _used_networks() -> list[ipaddress.IPv4Network]:
    nets = []
    for line in _run(["ip", "-4", "-o", "addr", "show"]).stdout.splitlines():
        if m := re.search(r"\binet (\S+)", line):
            nets.append(ipaddress.IPv4Interface(m.group(1)).network)
    for line in _run(["ip", "-4", "route", "show"]).stdout.splitlines():
        dest = line.split()[0] if line.split() else "default"
        with contextlib.suppress(ValueError):
            nets.append(ipaddress.IPv4Network(dest, strict=False))
    return nets


def _pick_storage_driver(root: Path) -> str:
    """overlay2 if an overlay with two lower layers mounts under root, as dockerd needs; else vfs.

    FLEET_STORAGE_DRIVER forces one.
    """
    if forced := os.environ.get("FLEET_STORAGE_DRIVER"):
        return forced
    probe = root / "overlay-probe"
    dirs = {name: probe / name for name in ("l1", "l2", "upper", "work", "merged")}
    for d in dirs.values():
        d.mkdir(parents=True)
    options = f"lowerdir={dirs['l1']}:{dirs['l2']},upperdir={dirs['upper']},workdir={dirs['work']}"
    libc = _libc()
    ok = libc.mount(b"overlay", str(dirs["merged"]).encode(), b"overlay", 0, options.encode()) == 0
    if ok:
        _umount(str(dirs["merged"]))
    shutil.rmtree(probe, ignore_errors=True)
    return "overlay2" if ok else "vfs"


def _free_ports(count: int) -> list[int]:
    """Distinct free TCP ports on 127.0.0.1 (all held open together, then released)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _umount(path: str) -> None:
    libc = _libc()
    if libc.umount2(path.encode(), 0) == 0:
        return
    if ctypes.get_errno() in (errno.EINVAL, errno.ENOENT):  # no longer a mount point
        return
    mnt_detach = 2  # lazily, when it is busy
    libc.umount2(path.encode(), mnt_detach)


@functools.cache
def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
    libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
    return libc
