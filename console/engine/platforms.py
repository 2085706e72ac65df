"""What a host's platform means for the console, as plain rules (no engine calls here).

- How an engine runs, from its `/info`: Windows containers (process or Hyper-V
  isolation), an engine in a WSL2 distribution, Docker Desktop's WSL2 backend, Linux.
- What a Windows container allows: pause only with Hyper-V isolation, no export, no
  file operations while a Hyper-V container runs.
"""

from __future__ import annotations

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
    """How one engine runs, as its /info tells."""

    platform: str  # linux | windows | wsl2
    os: str
    kernel: str
    default_isolation: str  # process | hyperv on Windows, "" elsewhere
    wsl2: bool
    docker_desktop: bool


def engine_runtime(info: dict) -> EngineRuntime:
    """How the engine behind `info` (its /info answer) runs."""
    platform = detect_platform(info)
    default = ""
    if platform == "windows":
        default = str(info.get("Isolation") or "").lower()
        default = default if default in ISOLATIONS else ""
    return EngineRuntime(
        platform=platform,
        os=str(info.get("OperatingSystem") or ""),
        kernel=str(info.get("KernelVersion") or ""),
        default_isolation=default,
        wsl2=platform == "wsl2",
        docker_desktop=_docker_desktop(info),
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


@dataclass(frozen=True)
class ContainerRules:
    """What the console may offer for one container, and why not where it may not."""

    windows: bool
    isolation: str  # effective isolation on Windows (process | hyperv | ""), else ""
    pause_reason: str = ""
    export_reason: str = ""
    files_reason: str = ""

    @property
    def files_refused(self) -> bool:
        return bool(self.files_reason)

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
    return ContainerRules(
        windows=True,
        isolation=effective,
        pause_reason=pause_reason,
        export_reason=EXPORT_REFUSED,
        files_reason=HYPERV_FILES if running and effective == "hyperv" else "",
    )
