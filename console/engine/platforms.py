"""What a host's platform means for the console, as plain rules (no engine calls here).

- How an engine runs, from its `/info`: Windows containers (process or Hyper-V
  isolation), an engine in a WSL2 distribution, Docker Desktop's WSL2 backend, Linux.
- What a Windows container allows: pause only with Hyper-V isolation, no export, no
  file operations while a Hyper-V container runs.
- How paths look in a container: C:\\... with backslashes for Windows containers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WSL2_KERNEL_MARK = "microsoft-standard-WSL2"
DESKTOP_LABEL = "com.docker.desktop.address"
ISOLATIONS = ("process", "hyperv")


def detect_platform(info: dict) -> str:
    """linux, windows or wsl2 from /info (OSType, KernelVersion)."""
    if info.get("OSType") == "windows":
        return "windows"
    kernel = str(info.get("KernelVersion") or "")
    if WSL2_KERNEL_MARK.lower() in kernel.lower():
        return "wsl2"
    return "linux"


def _docker_desktop(info: dict) -> bool:
    labels = [str(label) for label in info.get("Labels") or []]
    return (
        str(info.get("OperatingSystem") or "") == "Docker Desktop"
        or str(info.get("Name") or "") == "docker-desktop"
        or any(label.startswith(DESKTOP_LABEL + "=") for label in labels)
    )


@dataclass(frozen=True)
class EngineRuntime:
    """How one engine runs, and why Docker can run there, in a reader's words."""

    platform: str  # linux | windows | wsl2
    kind: str  # short label: "Windows Server with Docker Engine", ...
    os: str
    kernel: str
    default_isolation: str  # process | hyperv on Windows, "" elsewhere
    wsl2: bool
    docker_desktop: bool
    why: str  # two sentences

    @property
    def backend(self) -> str:
        if self.wsl2:
            return "WSL2 backend" if self.docker_desktop else "engine inside a WSL2 distribution"
        if self.docker_desktop:
            return "Docker Desktop virtual machine (not WSL2)"
        return "none: the engine runs on the host's own kernel"


def _windows_why(default: str) -> str:
    default_text = {
        "process": "process isolation (containers share the host's kernel)",
        "hyperv": "Hyper-V isolation (one small VM per container)",
    }.get(default, "the isolation the engine chooses")
    return (
        "Windows containers run on the Windows kernel itself: with process isolation they "
        "share the host's kernel, so the image's Windows version must match the host's, "
        "and with Hyper-V isolation each one runs in its own lightweight utility VM with "
        "its own kernel. "
        f"This engine starts containers with {default_text} unless a container asks for "
        "another with --isolation."
    )


WHY_DESKTOP_WSL2 = (
    "Docker Desktop runs its Linux engine inside a WSL2 virtual machine (the docker-desktop "
    "distribution), so Linux containers run on Microsoft's WSL2 Linux kernel, not on "
    "Windows itself. "
    "Windows programs reach that engine through Docker Desktop's named pipe and other WSL "
    "distributions through its integration, which is why the console reaches it from "
    "elsewhere over SSH or TLS on the Windows machine."
)
WHY_WSL2 = (
    "This Docker Engine runs inside a Linux distribution of WSL2, so its Linux containers "
    "run on Microsoft's Linux kernel in the WSL2 lightweight virtual machine of a Windows "
    "machine. "
    "Its socket exists only inside that distribution: a console in the same distribution "
    "uses unix:///var/run/docker.sock, anything else comes in over SSH or TLS into the "
    "distribution."
)
WHY_DESKTOP_VM = (
    "Docker Desktop runs its Linux engine in a virtual machine it manages, so containers "
    "run on that VM's Linux kernel rather than on the machine's own operating system. "
    "Bind mounts and published ports are forwarded between the machine and that VM."
)
WHY_LINUX = (
    "Docker Engine runs directly on this Linux machine: containers are processes that the "
    "host's own kernel isolates with namespaces and cgroups. "
    "No virtual machine sits between the engine and the kernel."
)


def engine_runtime(info: dict) -> EngineRuntime:
    """How the engine behind `info` (its /info answer) runs."""
    platform = detect_platform(info)
    os_name = str(info.get("OperatingSystem") or "")
    desktop = _docker_desktop(info)
    common = {
        "platform": platform,
        "os": os_name,
        "kernel": str(info.get("KernelVersion") or ""),
        "docker_desktop": desktop,
    }
    if platform == "windows":
        default = str(info.get("Isolation") or "").lower()
        default = default if default in ISOLATIONS else ""
        if desktop:
            kind = "Docker Desktop on Windows (Windows containers)"
        elif "server" in os_name.lower():
            kind = "Windows Server with Docker Engine"
        else:
            kind = "Docker Engine on Windows"
        return EngineRuntime(
            kind=kind, default_isolation=default, wsl2=False, why=_windows_why(default), **common
        )
    if platform == "wsl2":
        if desktop:
            return EngineRuntime(
                kind="Docker Desktop, WSL2 backend (Linux containers)",
                default_isolation="",
                wsl2=True,
                why=WHY_DESKTOP_WSL2,
                **common,
            )
        return EngineRuntime(
            kind="Docker Engine in a WSL2 distribution",
            default_isolation="",
            wsl2=True,
            why=WHY_WSL2,
            **common,
        )
    if desktop:
        return EngineRuntime(
            kind="Docker Desktop (Linux VM)",
            default_isolation="",
            wsl2=False,
            why=WHY_DESKTOP_VM,
            **common,
        )
    return EngineRuntime(
        kind="Linux with Docker Engine", default_isolation="", wsl2=False, why=WHY_LINUX, **common
    )


# -- Windows containers -------------------------------------------------------------

PAUSE_NEEDS_HYPERV = (
    "Windows pauses only Hyper-V isolated containers; this one runs with process isolation "
    "(its processes run on the host's kernel, which cannot freeze them)."
)
PAUSE_UNKNOWN_ISOLATION = (
    "Windows pauses only Hyper-V isolated containers, and the engine does not say which "
    "isolation this one has."
)
EXPORT_REFUSED = (
    "docker export is not available for Windows containers: Windows engines refuse to "
    "export their filesystem. Commit the container to an image and save that image instead."
)
HYPERV_FILES = (
    "Windows engines refuse file operations (browse, download, upload) on a running "
    "Hyper-V isolated container; stop it first, then its files can be copied."
)
WINDOWS_FILES = (
    "Paths are shown as Windows paths (C:\\...). Windows engines refuse file operations on "
    "running Hyper-V isolated containers; process-isolated and stopped containers work."
)


@dataclass(frozen=True)
class ContainerRules:
    """What the console may offer for one container, and why not where it may not."""

    windows: bool
    isolation: str  # effective isolation on Windows (process | hyperv | ""), else ""
    pause_reason: str = ""
    export_reason: str = ""
    files_note: str = ""
    files_refused: bool = False

    @property
    def can_pause(self) -> bool:
        return not self.pause_reason

    @property
    def can_export(self) -> bool:
        return not self.export_reason


def effective_isolation(isolation: str, default_isolation: str = "") -> str:
    """A Windows container's isolation: its own, else the engine's default."""
    isolation = (isolation or "").lower()
    if isolation in ISOLATIONS:
        return isolation
    default = (default_isolation or "").lower()
    return default if default in ISOLATIONS else ""


def container_rules(
    os_name: str, isolation: str, *, running: bool = False, default_isolation: str = ""
) -> ContainerRules:
    """The rules for a container whose inspect says Platform `os_name` and
    HostConfig.Isolation `isolation` (Linux containers: everything is offered)."""
    if (os_name or "").lower() != "windows":
        return ContainerRules(windows=False, isolation="")
    effective = effective_isolation(isolation, default_isolation)
    pause_reason = ""
    if effective == "process":
        pause_reason = PAUSE_NEEDS_HYPERV
    elif effective != "hyperv":
        pause_reason = PAUSE_UNKNOWN_ISOLATION
    files_refused = running and effective == "hyperv"
    return ContainerRules(
        windows=True,
        isolation=effective,
        pause_reason=pause_reason,
        export_reason=EXPORT_REFUSED,
        files_note=HYPERV_FILES if files_refused else WINDOWS_FILES,
        files_refused=files_refused,
    )


# -- paths --------------------------------------------------------------------------

_DRIVE = re.compile(r"^([A-Za-z]):")


@dataclass(frozen=True)
class PathStyle:
    """How container paths are written on the page. The archive layer always works with
    /-rooted paths, which Windows engines take for the system drive (C:)."""

    windows: bool

    @property
    def root(self) -> str:
        return "C:\\" if self.windows else "/"

    def to_engine(self, text: str) -> str:
        """What the page (or a URL) says -> a /-rooted path; C:\\a\\b and c:/a/b -> /a/b.

        Raises ValueError for another drive: Windows containers have only C:."""
        if not self.windows:
            return text
        text = text.strip()
        drive = _DRIVE.match(text)
        if drive:
            if drive.group(1).upper() != "C":
                raise ValueError(
                    f"Windows containers have only the C: drive; {drive.group(0)} is not there."
                )
            text = text[2:]
        text = text.replace("\\", "/")
        return text if text.startswith("/") else "/" + text

    def to_display(self, path: str) -> str:
        """A /-rooted path as the page shows it: /a/b -> C:\\a\\b on Windows."""
        if not self.windows:
            return path
        return "C:\\" + path.strip("/").replace("/", "\\")

    def crumbs(self, path: str) -> list[tuple[str, str]]:
        """(name, page path) for each step of a /-rooted path, the root first."""
        parts = [part for part in path.split("/") if part]
        steps = [(self.root, self.root)]
        for i, part in enumerate(parts):
            steps.append((part, self.to_display("/" + "/".join(parts[: i + 1]))))
        return steps


def path_style(os_name: str) -> PathStyle:
    return PathStyle(windows=(os_name or "").lower() == "windows")
