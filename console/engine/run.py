"""`docker run`: create and start a container from a checked RunSpec, pull a missing
image, and read an existing container back into a RunSpec (duplicate/edit)."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

from console.engine import security
from console.engine.client import client_for, translate
from console.engine.errors import EngineError, NotFound
from console.engine.runspec import (
    ContainerPort,
    PortMapping,
    RestartPolicy,
    VolumeSpec,
    env_keys,
    format_port,
    has_own_hostname,
    parse_volume,
)


@dataclass(frozen=True)
class RunSpec:
    """Everything `docker run` was asked for, already parsed and checked."""

    image: str
    name: str = ""
    command: list[str] = field(default_factory=list)
    entrypoint: list[str] = field(default_factory=list)
    tty: bool = False
    stdin_open: bool = False
    ports: list[PortMapping] = field(default_factory=list)
    exposed: list[ContainerPort] = field(default_factory=list)
    publish_all: bool = False
    env: list[str] = field(default_factory=list)
    volumes: list[VolumeSpec] = field(default_factory=list)
    working_dir: str = ""
    user: str = ""
    restart: RestartPolicy = field(default_factory=RestartPolicy)
    network: str = "bridge"
    labels: dict[str, str] = field(default_factory=dict)
    hostname: str = ""
    nano_cpus: int = 0
    memory: int = 0
    auto_remove: bool = False

    def audit_params(self) -> dict:
        """What the audit log keeps: everything but env values, which may be secrets."""
        return {
            "image": self.image,
            "name": self.name,
            "command": self.command,
            "entrypoint": self.entrypoint,
            "tty": self.tty,
            "stdin_open": self.stdin_open,
            "ports": [format_port(p) for p in self.ports],
            "expose": [str(p) for p in self.exposed],
            "publish_all": self.publish_all,
            "env_keys": env_keys(self.env),
            "volumes": [str(v) for v in self.volumes],
            "working_dir": self.working_dir,
            "user": self.user,
            "restart": str(self.restart),
            "network": self.network,
            "labels": self.labels,
            "hostname": self.hostname,
            "nano_cpus": self.nano_cpus,
            "memory": self.memory,
            "auto_remove": self.auto_remove,
        }


@dataclass(frozen=True)
class Started:
    id: str
    name: str


def _create_kwargs(api, spec: RunSpec) -> dict:
    bindings: dict[str, list[tuple[str, str]]] = {}
    for mapping in spec.ports:
        bindings.setdefault(str(mapping.port), []).append((mapping.host_ip, mapping.host_port))
    exposed = dict.fromkeys([*spec.exposed, *(m.port for m in spec.ports)])
    restart = None
    if spec.restart.name != "no":
        restart = {"Name": spec.restart.name, "MaximumRetryCount": spec.restart.max_retries}
    host_config = api.create_host_config(
        port_bindings=bindings or None,
        publish_all_ports=spec.publish_all,
        binds=[str(v) for v in spec.volumes if v.source] or None,
        restart_policy=restart,
        mem_limit=spec.memory or None,
        nano_cpus=spec.nano_cpus or None,
        auto_remove=spec.auto_remove,
        network_mode=spec.network,
    )
    return {
        "image": spec.image,
        "name": spec.name or None,
        "command": spec.command or None,
        "entrypoint": spec.entrypoint or None,
        "environment": spec.env or None,
        "labels": spec.labels or None,
        "ports": [(p.number, p.protocol) for p in exposed] or None,
        "volumes": [v.target for v in spec.volumes if not v.source] or None,
        "working_dir": spec.working_dir or None,
        "user": spec.user or None,
        "hostname": spec.hostname or None,
        "tty": spec.tty,
        "stdin_open": spec.stdin_open,
        # Started in the background like `docker run -d[it]`: a terminal attaches later,
        # and stdin must stay open after that first attach ends.
        "detach": True,
        "host_config": host_config,
        # The console machine's ~/.docker/config.json proxies are not the container's.
        "use_config_proxy": False,
    }


def _own_socket(host) -> tuple[str, ...]:
    """The engine's socket path on its machine, when its address says it."""
    url = str(host.url)
    return (url.removeprefix("unix://"),) if url.startswith("unix://") else ()


def check_allowed(host, spec: RunSpec, policy: security.ContainerPolicy) -> None:
    """PolicyRefused when `spec` asks for more of the machine than `policy` gives."""
    api = client_for(host)
    security.check(policy, _create_kwargs(api, spec)["host_config"], _own_socket(host))


def run_container(host, spec: RunSpec, policy: security.ContainerPolicy) -> Started:
    """`docker run -d`: create, then start; a container that cannot start is removed.
    Nothing is created that `policy` does not allow."""
    api = client_for(host)
    kwargs = _create_kwargs(api, spec)
    security.check(policy, kwargs["host_config"], _own_socket(host))
    with translate():
        container_id = api.create_container(**kwargs)["Id"]
    try:
        with translate():
            # Read before starting: an --rm container may be gone by the time it is asked.
            name = str(api.inspect_container(container_id)["Name"]).lstrip("/")
            api.start(container_id)
    except EngineError:
        # Whatever the engine says while cleaning up, its start error is the one to show.
        with contextlib.suppress(Exception):
            api.remove_container(container_id, force=True, v=True)
        raise
    return Started(container_id, name)


def name_taken(host, name: str) -> bool:
    """A container, running or not, already has exactly this name."""
    api = client_for(host)
    with translate():
        return bool(api.containers(all=True, filters={"name": f"^/{re.escape(name)}$"}))


def image_present(host, ref: str) -> bool:
    api = client_for(host)
    try:
        with translate():
            api.inspect_image(ref)
    except NotFound:
        return False
    return True


def _strings(value) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _container_port(key: str) -> ContainerPort:
    number, _, protocol = key.partition("/")
    return ContainerPort(int(number), protocol or "tcp")


def _volumes(config: dict, host_config: dict, image_config: dict) -> list[VolumeSpec]:
    volumes = []
    for bind in host_config.get("Binds") or []:
        # Windows paths (C:\...) are beyond what the form takes; they are left out.
        with contextlib.suppress(ValueError):
            volumes.append(parse_volume(bind))
    for mount in host_config.get("Mounts") or []:
        if mount.get("Type") in ("bind", "volume"):
            volumes.append(
                VolumeSpec(
                    target=str(mount.get("Target", "")),
                    source=str(mount.get("Source") or ""),
                    options="ro" if mount.get("ReadOnly") else "",
                )
            )
    mounted = {v.target for v in volumes}
    image_volumes = image_config.get("Volumes") or {}
    anonymous = [t for t in config.get("Volumes") or {} if t not in mounted | set(image_volumes)]
    return volumes + [VolumeSpec(target=t) for t in anonymous]


def _spec(container: dict, image_config: dict) -> RunSpec:
    """The container's settings, minus what it only inherited from its image."""
    config = container.get("Config") or {}
    host_config = container.get("HostConfig") or {}
    entrypoint = _strings(config.get("Entrypoint"))
    command = _strings(config.get("Cmd"))
    # With its own entrypoint, a container does not inherit the image's command.
    own_entrypoint = entrypoint != _strings(image_config.get("Entrypoint"))
    own_command = own_entrypoint or command != _strings(image_config.get("Cmd"))
    bindings = host_config.get("PortBindings") or {}
    inherited_ports = {_container_port(k) for k in image_config.get("ExposedPorts") or {}}
    published = {_container_port(k) for k in bindings}
    network = str(host_config.get("NetworkMode") or "default")
    hostname = str(config.get("Hostname") or "")
    # Unless told otherwise, the engine names a container's host after its short id.
    own_hostname = hostname != container["Id"][:12] and has_own_hostname(network)
    image_env = set(image_config.get("Env") or [])
    image_labels = image_config.get("Labels") or {}
    policy = host_config.get("RestartPolicy") or {}
    return RunSpec(
        image=str(config.get("Image") or container.get("Image", "")),
        command=command if own_command else [],
        entrypoint=entrypoint if own_entrypoint else [],
        tty=bool(config.get("Tty")),
        stdin_open=bool(config.get("OpenStdin")),
        ports=[
            PortMapping(
                _container_port(key), str(b.get("HostIp") or ""), str(b.get("HostPort") or "")
            )
            for key, bound in bindings.items()
            for b in bound or []
        ],
        exposed=[
            port
            for port in map(_container_port, config.get("ExposedPorts") or {})
            if port not in published and port not in inherited_ports
        ],
        publish_all=bool(host_config.get("PublishAllPorts")),
        env=[str(e) for e in config.get("Env") or [] if e not in image_env],
        volumes=_volumes(config, host_config, image_config),
        working_dir=_own(config.get("WorkingDir"), image_config.get("WorkingDir")),
        user=_own(config.get("User"), image_config.get("User")),
        restart=RestartPolicy(
            str(policy.get("Name") or "no"), int(policy.get("MaximumRetryCount") or 0)
        ),
        network="bridge" if network == "default" else network,
        labels={
            str(k): str(v)
            for k, v in (config.get("Labels") or {}).items()
            if image_labels.get(k) != v
        },
        hostname=hostname if own_hostname else "",
        nano_cpus=int(host_config.get("NanoCpus") or 0),
        memory=int(host_config.get("Memory") or 0),
        auto_remove=bool(host_config.get("AutoRemove")),
    )


def _own(value, inherited) -> str:
    """A setting the container was given, empty when it only repeats its image's."""
    return "" if (value or "") == (inherited or "") else str(value)


def spec_from_container(host, ref: str) -> RunSpec:
    """What `docker run` would make this container again (under a new name)."""
    api = client_for(host)
    with translate():
        container = api.inspect_container(ref)
    try:
        with translate():
            image_config = api.inspect_image(container["Image"]).get("Config") or {}
    except NotFound:
        # The image was removed since: nothing can be told apart as inherited.
        image_config = {}
    return _spec(container, image_config)
