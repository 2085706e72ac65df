"""The host page's reading of an engine: `docker version` and `docker info` as labelled
rows, and how the engine runs, in a reader's words."""

from __future__ import annotations

from dataclasses import dataclass

from console.engine.platforms import EngineRuntime
from console.engine.system import EngineOverview
from console.engine.text import human_size


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value) or "—"
    return str(value)


def version_rows(overview: EngineOverview) -> list[tuple[str, str]]:
    v = overview.version
    rows = [
        ("Engine version", _text(v.version)),
        (
            "API version",
            f"{_text(v.api_version)} (min {_text(v.min_api_version)}, "
            f"console uses {v.client_api_version})",
        ),
        ("Platform", _text(v.platform)),
        ("Go version", _text(v.go_version)),
        ("Git commit", _text(v.git_commit)),
        ("Built", _text(v.built)),
        ("OS/Arch", f"{_text(v.os)}/{_text(v.arch)}"),
        ("Experimental", _text(v.experimental)),
    ]
    return rows + [(name, _text(version)) for name, version in v.components]


def info_rows(overview: EngineOverview) -> list[tuple[str, str]]:
    s, i = overview.summary, overview.info
    return [
        ("Name", _text(s.name)),
        ("ID", _text(i.id)),
        ("Operating system", _text(s.os)),
        ("OS type", _text(s.os_type)),
        ("Kernel", _text(s.kernel)),
        ("Architecture", _text(s.architecture)),
        ("CPUs", _text(s.cpus)),
        ("Memory", human_size(s.memory_bytes)),
        (
            "Containers",
            f"{i.containers} (running {s.containers_running}, "
            f"paused {s.containers_paused}, stopped {s.containers_stopped})",
        ),
        ("Images", _text(s.images)),
        ("Storage driver", _text(i.storage_driver)),
        ("Storage details", _text([f"{k}: {v}" for k, v in i.storage_details])),
        ("Logging driver", _text(i.logging_driver)),
        ("Cgroup driver", _text(i.cgroup_driver)),
        ("Cgroup version", _text(i.cgroup_version)),
        ("Default isolation", _text(i.default_isolation)),
        ("Runtimes", _text(i.runtimes)),
        ("Default runtime", _text(i.default_runtime)),
        ("Volume plugins", _text(i.volume_plugins)),
        ("Network plugins", _text(i.network_plugins)),
        ("Log plugins", _text(i.log_plugins)),
        ("Security options", _text(i.security_options)),
        ("Swarm", _text(i.swarm)),
        ("Docker root dir", _text(i.docker_root_dir)),
        ("Insecure registries", _text(i.insecure_registries)),
        ("Registry mirrors", _text(i.registry_mirrors)),
        ("Live restore", _text(i.live_restore)),
        ("HTTP proxy", _text(i.http_proxy)),
        ("HTTPS proxy", _text(i.https_proxy)),
        ("No proxy", _text(i.no_proxy)),
        ("Labels", _text(i.labels)),
        ("Server time", _text(i.server_time)),
    ]


# ---------------------------------------------------------------- how the engine runs


@dataclass(frozen=True)
class RuntimeText:
    """How one engine runs, and why Docker can run there, in a reader's words."""

    kind: str  # short label: "Windows Server with Docker Engine", ...
    backend: str
    why: str  # two sentences


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


def _backend(runtime: EngineRuntime) -> str:
    if runtime.wsl2:
        return "WSL2 backend" if runtime.docker_desktop else "engine inside a WSL2 distribution"
    if runtime.docker_desktop:
        return "Docker Desktop virtual machine (not WSL2)"
    return "none: the engine runs on the host's own kernel"


def _kind_and_why(runtime: EngineRuntime) -> tuple[str, str]:
    desktop = runtime.docker_desktop
    if runtime.platform == "windows":
        if desktop:
            kind = "Docker Desktop on Windows (Windows containers)"
        elif "server" in runtime.os.lower():
            kind = "Windows Server with Docker Engine"
        else:
            kind = "Docker Engine on Windows"
        return kind, _windows_why(runtime.default_isolation)
    if runtime.platform == "wsl2":
        if desktop:
            return "Docker Desktop, WSL2 backend (Linux containers)", WHY_DESKTOP_WSL2
        return "Docker Engine in a WSL2 distribution", WHY_WSL2
    if desktop:
        return "Docker Desktop (Linux VM)", WHY_DESKTOP_VM
    return "Linux with Docker Engine", WHY_LINUX


def describe_runtime(runtime: EngineRuntime) -> RuntimeText:
    kind, why = _kind_and_why(runtime)
    return RuntimeText(kind=kind, backend=_backend(runtime), why=why)
