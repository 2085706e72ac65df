"""Small helpers of the fleet: its processes' environment, finding and running executables."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

# Executables the fleet runs, and the apt package that brings each.
_TOOLS = {
    "dockerd": "docker.io",
    "containerd": "docker.io",
    "containerd-shim-runc-v2": "docker.io",
    "runc": "docker.io",
    "sshd": "openssh-server",
    "docker-registry": "docker-registry",
    "ip": "iproute2",
}
_SBIN_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def _env() -> dict[str, str]:
    """The environment for the fleet's processes, without what could redirect them."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DOCKER_", "REGISTRY_", "LISTEN_")) and k != "NOTIFY_SOCKET"
    }
    path = env.get("PATH", "").split(os.pathsep)
    extra = [d for d in _SBIN_DIRS if d not in path]  # dockerd and sshd live in sbin
    env["PATH"] = os.pathsep.join([*(p for p in path if p), *extra])
    return env


def _which(tool: str) -> str | None:
    return shutil.which(tool, path=_env()["PATH"])


def _need(tool: str) -> str:
    path = _which(tool)
    if path is None:
        raise RuntimeError(f"{tool} not found (apt package {_TOOLS.get(tool, '?')})")
    return path


def _docker_cli() -> str | None:
    """docker.io's own CLI if there, as it matches its dockerd; else any docker CLI."""
    if os.access("/usr/bin/docker", os.X_OK):
        return "/usr/bin/docker"
    return _which("docker")


def _openssh_version(sshd: str) -> tuple[int, int]:
    out = subprocess.run([sshd, "-V"], capture_output=True, text=True, check=False)
    m = re.search(r"OpenSSH_(\d+)\.(\d+)", out.stdout + out.stderr)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def _run(argv: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(argv, capture_output=True, text=True, check=False, env=_env())
    if check and result.returncode != 0:
        raise RuntimeError(f"{shlex.join(argv)} failed: {result.stderr.strip()}")
    return result


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(no log: {exc})"
