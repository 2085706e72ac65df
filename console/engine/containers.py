"""`docker ps`, `inspect`, `top` and the lifecycle actions, as plain data."""

from __future__ import annotations

import copy
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime

from console.engine.client import client_for, translate
from console.engine.errors import EngineError, NotFound, NotOnWindows
from console.engine.images import image_platform_text, image_platforms
from console.engine.masking import masked_assignments, masked_values
from console.engine.platforms import ContainerRules, container_rules
from console.engine.text import bounded, parse_timestamp

# The `docker ps -f` filters the console passes through to the engine.
FILTERS = ("status", "name", "label", "ancestor", "id", "exited", "health", "network", "volume")
ACTIONS = ("start", "stop", "restart", "kill", "pause", "unpause", "remove")
_HEALTH = re.compile(r"\((healthy|unhealthy|health: starting)\)")


def _port_text(ip: str | None, public: int | None, private: int, proto: str) -> str:
    if ip and public:
        host = f"[{ip}]" if ":" in ip else ip
        return f"{host}:{public}->{private}/{proto}"
    return f"{private}/{proto}"


def _list_ports(ports: list[dict]) -> list[str]:
    """As `docker ps` shows them: by container port, then protocol and host port."""
    ordered = sorted(
        ports or [],
        key=lambda p: (p.get("PrivatePort") or 0, p.get("Type", ""), p.get("PublicPort") or 0),
    )
    texts = [
        _port_text(p.get("IP"), p.get("PublicPort"), p.get("PrivatePort"), p.get("Type", "tcp"))
        for p in ordered
    ]
    return list(dict.fromkeys(texts))


@dataclass(frozen=True)
class ContainerRow:
    id: str
    name: str
    image: str
    command: str
    created: datetime | None
    state: str
    status: str
    health: str
    ports: list[str]
    labels: dict[str, str]
    size_rw: int | None = None
    size_root_fs: int | None = None
    image_id: str = ""
    # Filled by list_containers(platform_details=True) (Windows hosts): the container's
    # OS and isolation from its inspect, its image's OS/architecture from the image's.
    os: str = ""
    isolation: str = ""
    image_platform: str = ""

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def compose_project(self) -> str:
        return self.labels.get("com.docker.compose.project", "")

    @property
    def rules(self) -> ContainerRules:
        return container_rules(self.os, self.isolation, running=self.state == "running")


def _row(c: dict) -> ContainerRow:
    names = c.get("Names") or []
    status = bounded(c.get("Status"), 200)
    health = _HEALTH.search(status)
    return ContainerRow(
        id=c["Id"],
        name=bounded(names[0].lstrip("/") if names else c["Id"][:12], 300),
        image=bounded(c.get("Image"), 500),
        command=bounded(c.get("Command"), 1000),
        created=parse_timestamp(c.get("Created")),
        state=str(c.get("State", "")),
        status=status,
        health=health.group(1).replace("health: ", "") if health else "",
        ports=_list_ports(c.get("Ports")),
        labels={bounded(k, 300): bounded(v) for k, v in (c.get("Labels") or {}).items()},
        size_rw=c.get("SizeRw"),
        size_root_fs=c.get("SizeRootFs"),
        image_id=str(c.get("ImageID") or ""),
    )


def list_containers(
    host,
    *,
    all: bool = False,
    filters: dict[str, list[str]] | None = None,
    last: int | None = None,
    size: bool = False,
    platform_details: bool = False,
) -> list[ContainerRow]:
    """`docker ps [-a] [-f ...] [-n N] [-s]`, filtered by the engine itself.

    `platform_details` (for Windows hosts, where isolation differs per container) adds
    each container's OS and isolation and its image's OS/architecture; the list answer
    carries neither, so that costs one inspect per container and one per image."""
    api = client_for(host)
    with translate():
        raw = api.containers(
            all=all or bool(last), filters=filters or None, limit=last or -1, size=size
        )
    rows = [_row(c) for c in raw]
    return _with_platform(api, rows) if platform_details and rows else rows


def _with_platform(api, rows: list[ContainerRow]) -> list[ContainerRow]:
    def facts(row: ContainerRow) -> tuple[str, str]:
        try:
            with translate():
                c = api.inspect_container(row.id)
        except EngineError:
            return "", ""  # removed meanwhile
        isolation = str((c.get("HostConfig") or {}).get("Isolation") or "")
        return str(c.get("Platform") or ""), bounded(isolation, 50)

    with ThreadPoolExecutor(max_workers=min(len(rows), 8)) as pool:
        images = image_platforms(api, {r.image_id for r in rows if r.image_id}, pool)
        found = list(pool.map(facts, rows))
    return [
        replace(row, os=os_name, isolation=isolation, image_platform=images.get(row.image_id, ""))
        for row, (os_name, isolation) in zip(rows, found, strict=True)
    ]


def container_row(host, ref: str, *, platform_details: bool = False) -> ContainerRow | None:
    """The list row of one container (by id or name), or None once it is gone."""
    api = client_for(host)
    try:
        with translate():
            container_id = api.inspect_container(ref)["Id"]
            rows = api.containers(all=True, filters={"id": [container_id]})
    except NotFound:
        return None
    if not rows:
        return None
    row = _row(rows[0])
    return _with_platform(api, [row])[0] if platform_details else row


@dataclass(frozen=True)
class Mount:
    type: str
    source: str
    destination: str
    mode: str
    rw: bool
    name: str = ""


@dataclass(frozen=True)
class NetworkAttachment:
    name: str
    ip_address: str
    gateway: str
    mac_address: str
    aliases: list[str]


@dataclass(frozen=True)
class ContainerDetail:
    id: str
    name: str
    image: str
    image_id: str
    created: datetime | None
    state: str
    running: bool
    paused: bool
    exit_code: int
    error: str
    oom_killed: bool
    pid: int
    started_at: datetime | None
    finished_at: datetime | None
    health: str
    health_log: list[str]
    restart_count: int
    restart_policy: str
    ports: list[str]
    mounts: list[Mount]
    networks: list[NetworkAttachment]
    env: list[tuple[str, str]]
    labels: dict[str, str]
    command: str
    entrypoint: list[str]
    cmd: list[str]
    working_dir: str
    user: str
    hostname: str
    tty: bool
    open_stdin: bool
    platform: str
    isolation: str
    inspect_json: str = field(repr=False, default="")
    image_platform: str = ""  # "windows/amd64 10.0.20348.2582", with_image=True only
    image_present: bool = False  # the engine still holds the image; with_image=True only
    revealed: bool = False  # env values (and volume options in the JSON) shown, not masked

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def rules(self) -> ContainerRules:
        """What Windows allows for this container (everything, for Linux containers)."""
        return container_rules(self.platform, self.isolation, running=self.running)

    @property
    def actions(self) -> list[str]:
        """The lifecycle actions that make sense in the current state (and platform)."""
        if self.paused:
            return ["unpause", "stop", "kill"]
        if self.running:
            actions = ["stop", "restart", "kill", "pause"]
            return actions if self.rules.can_pause else actions[:-1]
        return ["start"]


def _inspect_ports(ports: dict | None) -> list[str]:
    texts = []
    for spec, bindings in (ports or {}).items():
        private, _, proto = spec.partition("/")
        if not bindings:
            texts.append(f"{private}/{proto or 'tcp'}")
        for b in bindings or []:
            public = int(b.get("HostPort") or 0) or None
            texts.append(_port_text(b.get("HostIp"), public, int(private), proto or "tcp"))
    return sorted(set(texts))


def _env_pairs(env: list[str] | None) -> list[tuple[str, str]]:
    pairs = []
    for item in env or []:
        key, _, value = str(item).partition("=")
        pairs.append((bounded(key, 300), bounded(value)))
    return pairs


def _masked(c: dict) -> dict:
    """The inspect answer with its secrets masked: environment values, and the driver
    options of volumes mounted with --mount volume-opt=… (a CIFS password, say)."""
    c = copy.deepcopy(c)
    config = c.get("Config") or {}
    if config.get("Env"):
        config["Env"] = masked_assignments(config["Env"])
    for mount in (c.get("HostConfig") or {}).get("Mounts") or []:
        driver = (mount.get("VolumeOptions") or {}).get("DriverConfig") or {}
        if driver.get("Options"):
            driver["Options"] = masked_values(driver["Options"])
    return c


def _detail(c: dict, reveal: bool = False) -> ContainerDetail:
    if not reveal:
        c = _masked(c)
    state = c.get("State") or {}
    config = c.get("Config") or {}
    host_config = c.get("HostConfig") or {}
    health = state.get("Health") or {}
    policy = host_config.get("RestartPolicy") or {}
    policy_text = policy.get("Name") or "no"
    if policy_text == "on-failure" and policy.get("MaximumRetryCount"):
        policy_text += f":{policy['MaximumRetryCount']}"
    networks = (c.get("NetworkSettings") or {}).get("Networks") or {}
    return ContainerDetail(
        id=c["Id"],
        name=bounded(str(c.get("Name", "")).lstrip("/"), 300),
        image=bounded(config.get("Image"), 500),
        image_id=str(c.get("Image", "")),
        created=parse_timestamp(c.get("Created")),
        state=str(state.get("Status", "")),
        running=bool(state.get("Running")),
        paused=bool(state.get("Paused")),
        exit_code=int(state.get("ExitCode") or 0),
        error=bounded(state.get("Error")),
        oom_killed=bool(state.get("OOMKilled")),
        pid=int(state.get("Pid") or 0),
        started_at=parse_timestamp(state.get("StartedAt")),
        finished_at=parse_timestamp(state.get("FinishedAt")),
        health=str(health.get("Status", "")),
        health_log=[bounded(e.get("Output"), 500) for e in (health.get("Log") or [])[-5:]],
        restart_count=int(c.get("RestartCount") or 0),
        restart_policy=policy_text,
        ports=_inspect_ports((c.get("NetworkSettings") or {}).get("Ports")),
        mounts=[
            Mount(
                type=str(m.get("Type", "")),
                source=bounded(m.get("Source"), 1000),
                destination=bounded(m.get("Destination"), 1000),
                mode=str(m.get("Mode", "")),
                rw=bool(m.get("RW")),
                name=bounded(m.get("Name", ""), 300),
            )
            for m in c.get("Mounts") or []
        ],
        networks=[
            NetworkAttachment(
                name=bounded(name, 300),
                ip_address=str(n.get("IPAddress") or ""),
                gateway=str(n.get("Gateway") or ""),
                mac_address=str(n.get("MacAddress") or ""),
                aliases=[bounded(a, 300) for a in n.get("Aliases") or []],
            )
            for name, n in networks.items()
        ],
        env=_env_pairs(config.get("Env")),
        labels={bounded(k, 300): bounded(v) for k, v in (config.get("Labels") or {}).items()},
        command=bounded(" ".join([str(c.get("Path", "")), *map(str, c.get("Args") or [])])),
        entrypoint=[str(x) for x in _as_list(config.get("Entrypoint"))],
        cmd=[str(x) for x in _as_list(config.get("Cmd"))],
        working_dir=str(config.get("WorkingDir") or ""),
        user=str(config.get("User") or ""),
        hostname=str(config.get("Hostname") or ""),
        tty=bool(config.get("Tty")),
        open_stdin=bool(config.get("OpenStdin")),
        platform=str(c.get("Platform") or ""),
        isolation=str(host_config.get("Isolation") or ""),
        inspect_json=json.dumps(c, indent=2, sort_keys=True, ensure_ascii=False),
        revealed=reveal,
    )


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def inspect_container(
    host, ref: str, *, with_image: bool = False, reveal: bool = False
) -> ContainerDetail:
    """`docker inspect`, its secrets masked unless `reveal`; `with_image` adds the image's
    OS/architecture (one more call)."""
    api = client_for(host)
    with translate():
        detail = _detail(api.inspect_container(ref), reveal)
    if with_image and detail.image_id:
        try:
            with translate():
                image = api.inspect_image(detail.image_id)
        except EngineError:
            return detail  # the image is gone: nothing to say about it
        detail = replace(detail, image_platform=image_platform_text(image), image_present=True)
    return detail


@dataclass(frozen=True)
class TopResult:
    titles: list[str]
    processes: list[list[str]]


def top(host, ref: str, ps_args: str | None = None) -> TopResult:
    """`docker top`; columns as the engine sends them. Windows engines refuse ps
    arguments (their columns are Name, PID, CPU, Private Working Set): none is sent."""
    if host.platform == "windows":
        ps_args = None
    api = client_for(host)
    with translate():
        result = api.top(ref, ps_args=ps_args or None)
    return TopResult(
        titles=[str(t) for t in result.get("Titles") or []],
        processes=[[bounded(v, 2000) for v in p] for p in result.get("Processes") or []],
    )


def act(host, ref: str, action: str, **params) -> None:
    """One lifecycle action: start, stop(timeout), restart(timeout), kill(signal), pause,
    unpause, remove(force, volumes)."""
    api = client_for(host)
    if action in ("pause", "unpause") and host.platform == "windows":
        _check_pausable(api, ref)
    with translate():
        if action == "start":
            api.start(ref)
        elif action == "stop":
            api.stop(ref, timeout=params.get("timeout"))
        elif action == "restart":
            api.restart(ref, timeout=params.get("timeout") or 10)
        elif action == "kill":
            api.kill(ref, signal=params.get("signal") or None)
        elif action == "pause":
            api.pause(ref)
        elif action == "unpause":
            api.unpause(ref)
        elif action == "remove":
            api.remove_container(
                ref, force=bool(params.get("force")), v=bool(params.get("volumes"))
            )
        else:
            raise EngineError(f"Unknown action {action!r}.")


def _check_pausable(api, ref: str) -> None:
    """Windows pauses only Hyper-V isolated containers: say so instead of asking."""
    with translate():
        c = api.inspect_container(ref)
    isolation = str((c.get("HostConfig") or {}).get("Isolation") or "")
    rules = container_rules(str(c.get("Platform") or ""), isolation)
    if not rules.can_pause:
        raise NotOnWindows(rules.pause_reason)


def rename(host, ref: str, new_name: str) -> None:
    api = client_for(host)
    with translate():
        api.rename(ref, new_name)


def container_running(host, ref: str) -> bool | None:
    """Whether the container runs now; None once it no longer exists."""
    api = client_for(host)
    try:
        with translate():
            return bool(api.inspect_container(ref)["State"]["Running"])
    except NotFound:
        return None
