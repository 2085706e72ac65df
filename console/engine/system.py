"""`docker version` and `docker info` as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from console.engine.client import client_for, translate
from console.engine.images import NONE, short_id, split_tag
from console.engine.platforms import EngineRuntime, detect_platform, engine_runtime
from console.engine.text import bounded, human_size, parse_timestamp


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
class EngineVersion:
    """The engine's part of `docker version`."""

    version: str
    api_version: str
    min_api_version: str
    client_api_version: str  # the version this console speaks to it
    platform: str
    go_version: str
    git_commit: str
    built: str
    os: str
    arch: str
    experimental: bool | None
    components: list[tuple[str, str]]  # (name, version) of each but the Engine itself


@dataclass(frozen=True)
class EngineInfo:
    """What `docker info` says beyond the summary."""

    id: str
    containers: int
    storage_driver: str
    storage_details: list[tuple[str, str]]
    logging_driver: str
    cgroup_driver: str
    cgroup_version: str
    default_isolation: str
    runtimes: list[str]
    default_runtime: str
    volume_plugins: list[str]
    network_plugins: list[str]
    log_plugins: list[str]
    security_options: list[str]
    swarm: str
    docker_root_dir: str
    insecure_registries: list[str]
    registry_mirrors: list[str]
    live_restore: bool | None
    http_proxy: str
    https_proxy: str
    no_proxy: str
    labels: list[str]
    server_time: str


@dataclass(frozen=True)
class EngineOverview:
    summary: EngineSummary
    version: EngineVersion
    info: EngineInfo
    warnings: list[str] = field(default_factory=list)
    runtime: EngineRuntime | None = None  # how the engine runs (Windows, WSL2, ...)


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


def _str(value) -> str:
    return "" if value is None else str(value)


def _strs(values) -> list[str]:
    return [_str(v) for v in values or []]


def _version(version: dict, client_api_version: str) -> EngineVersion:
    return EngineVersion(
        version=_str(version.get("Version")),
        api_version=_str(version.get("ApiVersion")),
        min_api_version=_str(version.get("MinAPIVersion")),
        client_api_version=client_api_version,
        platform=_str((version.get("Platform") or {}).get("Name")),
        go_version=_str(version.get("GoVersion")),
        git_commit=_str(version.get("GitCommit")),
        built=_str(version.get("BuildTime")),
        os=_str(version.get("Os")),
        arch=_str(version.get("Arch")),
        experimental=version.get("Experimental", False),
        components=[
            (str(c.get("Name")), _str(c.get("Version")))
            for c in version.get("Components") or []
            if c.get("Name") != "Engine"
        ],
    )


def _info(info: dict) -> EngineInfo:
    plugins = info.get("Plugins") or {}
    registry = info.get("RegistryConfig") or {}
    return EngineInfo(
        id=_str(info.get("ID")),
        containers=int(info.get("Containers") or 0),
        storage_driver=_str(info.get("Driver")),
        storage_details=[(_str(k), _str(v)) for k, v in info.get("DriverStatus") or []],
        logging_driver=_str(info.get("LoggingDriver")),
        cgroup_driver=_str(info.get("CgroupDriver")),
        cgroup_version=_str(info.get("CgroupVersion")),
        default_isolation=_str(info.get("Isolation")),
        runtimes=sorted((info.get("Runtimes") or {}).keys()),
        default_runtime=_str(info.get("DefaultRuntime")),
        volume_plugins=_strs(plugins.get("Volume")),
        network_plugins=_strs(plugins.get("Network")),
        log_plugins=_strs(plugins.get("Log")),
        security_options=_strs(info.get("SecurityOptions")),
        swarm=_str((info.get("Swarm") or {}).get("LocalNodeState")),
        docker_root_dir=_str(info.get("DockerRootDir")),
        insecure_registries=_strs(registry.get("InsecureRegistryCIDRs")),
        registry_mirrors=_strs(registry.get("Mirrors")),
        live_restore=info.get("LiveRestoreEnabled"),
        http_proxy=_str(info.get("HttpProxy")),
        https_proxy=_str(info.get("HttpsProxy")),
        no_proxy=_str(info.get("NoProxy")),
        labels=_strs(info.get("Labels")),
        server_time=_str(info.get("SystemTime")),
    )


def engine_overview(host) -> EngineOverview:
    """`docker version` and `docker info`."""
    api = client_for(host)
    with translate():
        version = api.version()
        info = api.info()
    return EngineOverview(
        summary=_summary(info, api.api_version),
        version=_version(version, api.api_version),
        info=_info(info),
        warnings=[str(w) for w in info.get("Warnings") or []],
        runtime=engine_runtime(info),
    )


# ---------------------------------------------------------------- `docker system df`


@dataclass(frozen=True)
class UsageSummary:
    """One line of `docker system df`."""

    type: str
    total: int
    active: int
    size: int  # bytes
    reclaimable: int  # bytes
    # The share the CLI prints next to `reclaimable`; None where it prints none.
    percent: int | None

    @property
    def size_text(self) -> str:
        return human_size(self.size)

    @property
    def reclaimable_text(self) -> str:
        text = human_size(self.reclaimable)
        return text if self.percent is None else f"{text} ({self.percent}%)"


@dataclass(frozen=True)
class DfImage:
    id: str
    repository: str
    tag: str
    created: datetime | None
    size: int
    shared_size: int  # -1: unknown
    unique_size: int  # -1: unknown
    containers: int


@dataclass(frozen=True)
class DfContainer:
    id: str
    name: str
    image: str
    command: str
    local_volumes: int
    size: int
    created: datetime | None
    status: str
    state: str


@dataclass(frozen=True)
class DfVolume:
    name: str
    links: int  # containers using it; -1: unknown
    size: int  # -1: unknown


@dataclass(frozen=True)
class DfBuildCache:
    id: str
    type: str
    size: int
    created: datetime | None
    last_used: datetime | None
    usage: int
    in_use: bool
    shared: bool
    description: str


@dataclass(frozen=True)
class DiskUsage:
    summary: list[UsageSummary]
    images: list[DfImage]
    containers: list[DfContainer]
    volumes: list[DfVolume]
    build_cache: list[DfBuildCache]


def _percent(part: int, whole: int) -> int | None:
    return part * 100 // whole if whole > 0 else None


# Container states the CLI counts as active.
_ACTIVE_STATES = ("running", "paused", "restarting")


def _df_image(i: dict) -> DfImage:
    tags = [t for t in i.get("RepoTags") or [] if t != f"{NONE}:{NONE}"]
    repository, tag = split_tag(bounded(tags[0], 500)) if tags else (NONE, NONE)
    size, shared = int(i.get("Size") or 0), int(i.get("SharedSize", -1))
    return DfImage(
        id=short_id(str(i.get("Id", ""))),
        repository=repository,
        tag=tag,
        created=parse_timestamp(i.get("Created")),
        size=size,
        shared_size=shared,
        unique_size=size - shared if shared != -1 else -1,
        containers=int(i.get("Containers", 0)),
    )


def _df_container(c: dict) -> DfContainer:
    names = c.get("Names") or []
    return DfContainer(
        id=str(c.get("Id", ""))[:12],
        name=bounded(names[0].lstrip("/") if names else "", 300),
        image=bounded(c.get("Image"), 500),
        command=bounded(c.get("Command"), 1000),
        local_volumes=sum(1 for m in c.get("Mounts") or [] if m.get("Driver") == "local"),
        size=int(c.get("SizeRw") or 0),
        created=parse_timestamp(c.get("Created")),
        status=bounded(c.get("Status"), 200),
        state=str(c.get("State", "")),
    )


def _df_volume(v: dict) -> DfVolume:
    usage = v.get("UsageData") or {}
    return DfVolume(
        name=bounded(v.get("Name"), 300),
        links=int(usage.get("RefCount", -1)),
        size=int(usage.get("Size", -1)),
    )


def _df_cache(b: dict) -> DfBuildCache:
    return DfBuildCache(
        id=bounded(b.get("ID"), 100),
        type=bounded(b.get("Type"), 50),
        size=int(b.get("Size") or 0),
        created=parse_timestamp(b.get("CreatedAt")),
        last_used=parse_timestamp(b.get("LastUsedAt")),
        usage=int(b.get("UsageCount") or 0),
        in_use=bool(b.get("InUse")),
        shared=bool(b.get("Shared")),
        description=bounded(b.get("Description"), 1000),
    )


def _summary_rows(
    raw: dict,
    images: list[DfImage],
    containers: list[DfContainer],
    volumes: list[DfVolume],
    cache: list[DfBuildCache],
) -> list[UsageSummary]:
    """The four lines of `docker system df`, computed the way the CLI computes them."""
    layers = int(raw.get("LayersSize") or 0)
    used = sum(i.size - i.shared_size for i in images if i.containers > 0 and i.shared_size != -1)
    sized_containers = sum(c.size for c in containers)
    idle_containers = sum(c.size for c in containers if c.state not in _ACTIVE_STATES)
    sized_volumes = [v for v in volumes if v.size != -1]
    volume_size = sum(v.size for v in sized_volumes)
    idle_volumes = sum(v.size for v in sized_volumes if v.links == 0)
    builder = int(raw.get("BuilderSize") or 0)
    cache_in_use = sum(b.size for b in cache if b.in_use and not b.shared)
    return [
        UsageSummary(
            "Images",
            len(images),
            sum(1 for i in images if i.containers > 0),
            layers,
            layers - used,
            _percent(layers - used, layers),
        ),
        UsageSummary(
            "Containers",
            len(containers),
            sum(1 for c in containers if c.state in _ACTIVE_STATES),
            sized_containers,
            idle_containers,
            _percent(idle_containers, sized_containers),
        ),
        UsageSummary(
            "Local Volumes",
            len(volumes),
            sum(1 for v in volumes if v.links > 0),
            volume_size,
            idle_volumes,
            _percent(idle_volumes, volume_size),
        ),
        UsageSummary(
            "Build Cache",
            len(cache),
            sum(1 for b in cache if b.in_use),
            sum(b.size for b in cache if not b.shared),
            builder - cache_in_use,
            None,
        ),
    ]


def disk_usage(host) -> DiskUsage:
    """`docker system df -v`: what images, containers, local volumes and the build cache
    take, and what a prune could give back."""
    api = client_for(host)
    # The engine adds up every layer and volume: slower than other calls.
    with translate():
        raw = api.df()
    images = [_df_image(i) for i in raw.get("Images") or []]
    containers = [_df_container(c) for c in raw.get("Containers") or []]
    volumes = [_df_volume(v) for v in raw.get("Volumes") or []]
    cache = [_df_cache(b) for b in raw.get("BuildCache") or []]
    return DiskUsage(
        summary=_summary_rows(raw, images, containers, volumes, cache),
        images=images,
        containers=containers,
        volumes=volumes,
        build_cache=cache,
    )
