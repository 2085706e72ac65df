"""What a machine needs to run a fleet, and the apt packages that bring it."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from tests.fleet.base_image import _is_static_elf
from tests.fleet.helpers import _TOOLS, _docker_cli, _which

# What `install` makes sure of. iproute2 (for `ip`) is there on most machines but not in
# minimal images.
APT_PACKAGES = (
    "docker.io",
    "busybox-static",
    "openssh-server",
    "docker-registry",
    "chromium",
    "iproute2",
)
_PY_MODULES = {"cryptography": "cryptography", "paramiko": "paramiko"}


def ensure_requirements() -> None:
    """Raise RuntimeError naming whatever this machine lacks to run a fleet."""
    if sys.platform != "linux":
        raise RuntimeError("the test fleet needs Linux")
    problems = []
    if os.geteuid() != 0:
        problems.append("not running as root (dockerd, bridges and mounts need root)")
    for tool, package in _TOOLS.items():
        if _which(tool) is None:
            problems.append(f"no {tool} (apt package {package})")
    if _docker_cli() is None:
        problems.append("no docker CLI (apt package docker.io)")
    if not _is_static_elf(Path("/bin/busybox")):
        problems.append("no statically linked /bin/busybox (apt package busybox-static)")
    for module, dist in _PY_MODULES.items():
        if importlib.util.find_spec(module) is None:
            problems.append(f"no Python package {dist} (pip install -r requirements-dev.txt)")
    if problems:
        raise RuntimeError(
            "cannot start the test fleet: "
            + "; ".join(problems)
            + ". As root, `python -m tests.fleet install` installs the apt packages."
        )


def _missing_packages() -> list[str]:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Abbrev}\n", *APT_PACKAGES],
        capture_output=True,
        text=True,
        check=False,
    )
    installed = set()
    for line in result.stdout.splitlines():
        package, _, status = line.partition(" ")
        if status.startswith("ii"):
            installed.add(package.split(":")[0])
    return [p for p in APT_PACKAGES if p not in installed]
