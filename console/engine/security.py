"""What a container may take from the engine's machine, checked on the engine's own
create payload (HostConfig), so that every way of creating a container — the run form,
duplicate, stacks, the API — passes the same check after everything was parsed.

Whoever may start containers with privileged mode, host paths, host namespaces, devices,
added capabilities, sysctls or the engine socket is root on the engine's machine. By
default only a host's admins may (as Portainer's "security settings"); a host's admins
can open each of these to the others, and name host paths the others may bind.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from console.engine.errors import EngineError

# Where engines listen on their own machine (Linux, and Windows' named pipe). Binding
# one of these, or a directory above one, hands the container the whole engine.
ENGINE_SOCKETS = (
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/var/run/containerd/containerd.sock",
    "//./pipe/docker_engine",
)
HOST_MODES = ("NetworkMode", "PidMode", "IpcMode", "UTSMode", "UsernsMode", "CgroupnsMode")
WINDOWS_PATH = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\|//)")


@dataclass(frozen=True)
class ContainerPolicy:
    """Which of the machine-wide powers a container created by this user may have."""

    privileged: bool = False
    host_namespaces: bool = False
    host_binds: bool = False
    # Host paths that may be bound even without `host_binds`: exactly these, not paths
    # below them (a container that writes into a bound directory could plant a symlink
    # there, and a later bind of a path below would follow it anywhere).
    bind_paths: tuple[str, ...] = ()
    devices: bool = False
    capabilities: bool = False
    sysctls: bool = False
    engine_socket: bool = False


UNRESTRICTED = ContainerPolicy(
    privileged=True,
    host_namespaces=True,
    host_binds=True,
    devices=True,
    capabilities=True,
    sysctls=True,
    engine_socket=True,
)


class PolicyRefused(EngineError):
    title = "Not allowed on this host"


def is_host_path(source: str) -> bool:
    return source.startswith("/") or bool(WINDOWS_PATH.match(source))


def normal_path(path: str) -> str:
    """A host path as compared here: `..` and doubled or trailing slashes resolved,
    Windows paths case-folded with forward slashes."""
    if WINDOWS_PATH.match(path):
        return posixpath.normpath(path.replace("\\", "/")).lower()
    return posixpath.normpath(path) if path.startswith("/") else path


def _bind_source(bind: str) -> str:
    """The host side of a `Binds` entry (`src:dst[:opts]`; `C:\\src:C:\\dst` on Windows)."""
    match = re.match(r"^(?:[A-Za-z]:[\\/][^:]*|[^:]*)", bind)
    return match.group(0) if match else bind


def _holds(source: str, socket: str) -> bool:
    """The bind of `source` makes `socket` reachable: it is the socket or above it."""
    return socket == source or socket.startswith(source.rstrip("/") + "/")


def _mount_sources(host_config: dict) -> list[tuple[str, str]]:
    """(host path, how it is mounted) of every mount that reaches the machine's files."""
    found = [(_bind_source(str(b)), "-v") for b in host_config.get("Binds") or []]
    for mount in host_config.get("Mounts") or []:
        kind = mount.get("Type")
        source = str(mount.get("Source") or "")
        if kind in ("bind", "npipe"):
            found.append((source, "--mount"))
        elif kind == "volume":
            options = ((mount.get("VolumeOptions") or {}).get("DriverConfig") or {}).get(
                "Options"
            ) or {}
            # `type=none,o=bind,device=/` makes a "volume" that is a host directory.
            if options.get("device"):
                found.append((str(options["device"]), "--mount volume device"))
    return [(s, how) for s, how in found if is_host_path(s)]


def refusals(
    policy: ContainerPolicy, host_config: dict, engine_sockets: tuple[str, ...] = ()
) -> list[str]:
    """Why this HostConfig is beyond `policy`, one sentence each; empty when it is not."""
    problems = []
    if host_config.get("Privileged") and not policy.privileged:
        problems.append("privileged mode (--privileged)")
    weakened = [
        o
        for o in host_config.get("SecurityOpt") or []
        if "unconfined" in str(o) or str(o).replace(":", "=") == "label=disable"
    ]
    if weakened and not policy.privileged:
        problems.append(f"weakened confinement (--security-opt {', '.join(weakened)})")
    if not policy.host_namespaces:
        for key in HOST_MODES:
            if host_config.get(key) == "host":
                flag = key.removesuffix("Mode").lower()
                problems.append(f"the machine's {flag} namespace (--{flag}=host)")
    if not policy.devices and any(
        host_config.get(k) for k in ("Devices", "DeviceRequests", "DeviceCgroupRules")
    ):
        problems.append("the machine's devices (--device, --gpus)")
    if host_config.get("CapAdd") and not policy.capabilities:
        problems.append(f"added capabilities (--cap-add {', '.join(host_config['CapAdd'])})")
    if host_config.get("Sysctls") and not policy.sysctls:
        problems.append("kernel settings (--sysctl)")
    if host_config.get("VolumesFrom") and not policy.host_binds:
        problems.append("another container's mounts (--volumes-from), which may be host paths")
    allowed = {normal_path(p) for p in policy.bind_paths}
    sockets = [normal_path(s) for s in (*ENGINE_SOCKETS, *engine_sockets)]
    for source, how in _mount_sources(host_config):
        path = normal_path(source)
        if path in sockets:
            if not policy.engine_socket:
                problems.append(f"the engine's socket ({how} {source})")
        elif not policy.engine_socket and any(_holds(path, s) for s in sockets):
            problems.append(f"the host path {source} ({how}), which holds the engine's socket")
        elif not policy.host_binds and path not in allowed:
            problems.append(f"the host path {source} ({how})")
    return problems


def check(policy: ContainerPolicy, host_config: dict, engine_sockets: tuple[str, ...] = ()) -> None:
    """PolicyRefused naming everything this HostConfig asks beyond `policy`."""
    if problems := refusals(policy, host_config, engine_sockets):
        raise PolicyRefused(
            "Only this host's admins may use " + "; ".join(problems) + ". "
            "A host admin can allow it for everyone in the host's security settings."
        )
