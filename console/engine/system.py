"""`docker version` and `docker info` as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field

from console.engine.client import client_for, translate

WSL2_KERNEL_MARK = "microsoft-standard-WSL2"


def detect_platform(info: dict) -> str:
    """linux, windows or wsl2 from /info (OSType, OperatingSystem, KernelVersion)."""
    if info.get("OSType") == "windows":
        return "windows"
    kernel = info.get("KernelVersion") or ""
    if WSL2_KERNEL_MARK.lower() in kernel.lower():
        return "wsl2"
    return "linux"


@dataclass(frozen=True)
class EngineSummary:
    name: str
    engine_version: str
    api_version: str
    os: str
    os_type: str
    kernel: str
    architecture: str
    platform: str
    cpus: int
    memory_bytes: int
    containers_running: int
    containers_stopped: int
    containers_paused: int
    images: int


@dataclass(frozen=True)
class EngineOverview:
    summary: EngineSummary
    version_rows: list[tuple[str, str]] = field(default_factory=list)
    info_rows: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _summary(info: dict, api_version: str) -> EngineSummary:
    return EngineSummary(
        name=str(info.get("Name", "")),
        engine_version=str(info.get("ServerVersion", "")),
        api_version=api_version,
        os=str(info.get("OperatingSystem", "")),
        os_type=str(info.get("OSType", "")),
        kernel=str(info.get("KernelVersion", "")),
        architecture=str(info.get("Architecture", "")),
        platform=detect_platform(info),
        cpus=int(info.get("NCPU") or 0),
        memory_bytes=int(info.get("MemTotal") or 0),
        containers_running=int(info.get("ContainersRunning") or 0),
        containers_stopped=int(info.get("ContainersStopped") or 0),
        containers_paused=int(info.get("ContainersPaused") or 0),
        images=int(info.get("Images") or 0),
    )


def engine_summary(host) -> EngineSummary:
    """What the dashboard shows for one host: one /info call."""
    api = client_for(host)
    with translate():
        return _summary(api.info(), api.api_version)


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_text(v)}" for k, v in value.items()) or "—"
    return str(value)


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024
    return str(n)


def engine_overview(host) -> EngineOverview:
    """`docker version` and `docker info` in readable rows."""
    api = client_for(host)
    with translate():
        version = api.version()
        info = api.info()
    version_rows = [
        ("Engine version", _text(version.get("Version"))),
        (
            "API version",
            f"{_text(version.get('ApiVersion'))} (min {_text(version.get('MinAPIVersion'))}, "
            f"console uses {api.api_version})",
        ),
        ("Go version", _text(version.get("GoVersion"))),
        ("Git commit", _text(version.get("GitCommit"))),
        ("Built", _text(version.get("BuildTime"))),
        ("OS/Arch", f"{_text(version.get('Os'))}/{_text(version.get('Arch'))}"),
        ("Experimental", _text(version.get("Experimental", False))),
    ]
    for component in version.get("Components") or []:
        if component.get("Name") != "Engine":
            version_rows.append((str(component.get("Name")), _text(component.get("Version"))))
    plugins = info.get("Plugins") or {}
    registry = info.get("RegistryConfig") or {}
    info_rows = [
        ("Name", _text(info.get("Name"))),
        ("ID", _text(info.get("ID"))),
        ("Operating system", _text(info.get("OperatingSystem"))),
        ("OS type", _text(info.get("OSType"))),
        ("Kernel", _text(info.get("KernelVersion"))),
        ("Architecture", _text(info.get("Architecture"))),
        ("CPUs", _text(info.get("NCPU"))),
        ("Memory", _size(int(info.get("MemTotal") or 0))),
        (
            "Containers",
            f"{info.get('Containers', 0)} (running {info.get('ContainersRunning', 0)}, "
            f"paused {info.get('ContainersPaused', 0)}, "
            f"stopped {info.get('ContainersStopped', 0)})",
        ),
        ("Images", _text(info.get("Images"))),
        ("Storage driver", _text(info.get("Driver"))),
        ("Storage details", _text([f"{k}: {v}" for k, v in info.get("DriverStatus") or []])),
        ("Logging driver", _text(info.get("LoggingDriver"))),
        ("Cgroup driver", _text(info.get("CgroupDriver"))),
        ("Cgroup version", _text(info.get("CgroupVersion"))),
        ("Default isolation", _text(info.get("Isolation"))),
        ("Runtimes", _text(sorted((info.get("Runtimes") or {}).keys()))),
        ("Default runtime", _text(info.get("DefaultRuntime"))),
        ("Volume plugins", _text(plugins.get("Volume"))),
        ("Network plugins", _text(plugins.get("Network"))),
        ("Log plugins", _text(plugins.get("Log"))),
        ("Security options", _text(info.get("SecurityOptions"))),
        ("Swarm", _text((info.get("Swarm") or {}).get("LocalNodeState"))),
        ("Docker root dir", _text(info.get("DockerRootDir"))),
        ("Insecure registries", _text(registry.get("InsecureRegistryCIDRs"))),
        ("Registry mirrors", _text(registry.get("Mirrors"))),
        ("Live restore", _text(info.get("LiveRestoreEnabled"))),
        ("HTTP proxy", _text(info.get("HttpProxy"))),
        ("HTTPS proxy", _text(info.get("HttpsProxy"))),
        ("No proxy", _text(info.get("NoProxy"))),
        ("Labels", _text(info.get("Labels"))),
        ("Server time", _text(info.get("SystemTime"))),
    ]
    return EngineOverview(
        summary=_summary(info, api.api_version),
        version_rows=version_rows,
        info_rows=info_rows,
        warnings=[str(w) for w in info.get("Warnings") or []],
    )
