"""`docker ps`, `inspect`, `top` and the lifecycle actions, as plain data."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from console.engine.client import client_for, translate
from console.engine.errors import EngineError, NotFound
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

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def compose_project(self) -> str:
        return self.labels.get("com.docker.compose.project", "")


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
    )


def list_containers(
    host,
    *,
    all: bool = False,
    filters: dict[str, list[str]] | None = None,
    last: int | None = None,
    size: bool = False,
) -> list[ContainerRow]:
    """`docker ps [-a] [-f ...] [-n N] [-s]`, filtered by the engine itself."""
    api = client_for(host)
    with translate():
        raw = api.containers(
            all=all or bool(last), filters=filters or None, limit=last or -1, size=size
        )
    return [_row(c) for c in raw]


def container_row(host, ref: str) -> ContainerRow | None:
    """The list row of one container (by id or name), or None once it is gone."""
    api = client_for(host)
    try:
        with translate():
            container_id = api.inspect_container(ref)["Id"]
            rows = api.containers(all=True, filters={"id": [container_id]})
    except NotFound:
        return None
    return _row(rows[0]) if rows else None


SORT_KEYS = {
    "name": lambda r: r.name.lower(),
    "image": lambda r: r.image.lower(),
    "command": lambda r: r.command,
    "created": lambda r: r.created or datetime.min.replace(tzinfo=UTC),
    "status": lambda r: (r.state, r.status),
    "ports": lambda r: r.ports,
    "size": lambda r: r.size_rw or 0,
}


def sort_rows(rows: list[ContainerRow], key: str, descending: bool) -> list[ContainerRow]:
    return sorted(rows, key=SORT_KEYS.get(key, SORT_KEYS["created"]), reverse=descending)


def matches(row: ContainerRow, text: str) -> bool:
    """The list page's narrowing text filter: any visible column contains the text."""
    needle = text.lower()
    haystack = (row.name, row.image, row.command, row.status, row.id, " ".join(row.ports))
    return any(needle in value.lower() for value in haystack)


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

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def actions(self) -> list[str]:
        """The lifecycle actions that make sense in the current state."""
        if self.paused:
            return ["unpause", "stop", "kill"]
        if self.running:
            return ["stop", "restart", "kill", "pause"]
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


def _detail(c: dict) -> ContainerDetail:
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
    )


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def inspect_container(host, ref: str) -> ContainerDetail:
    api = client_for(host)
    with translate():
        return _detail(api.inspect_container(ref))


@dataclass(frozen=True)
class TopResult:
    titles: list[str]
    processes: list[list[str]]


def top(host, ref: str, ps_args: str | None = None) -> TopResult:
    """`docker top`; columns as the engine sends them."""
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


def rename(host, ref: str, new_name: str) -> None:
    api = client_for(host)
    with translate():
        api.rename(ref, new_name)
