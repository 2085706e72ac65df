"""`docker network ls/create/inspect/rm/connect/disconnect/prune`, as plain data."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from datetime import datetime

from docker.types import IPAMConfig, IPAMPool

from console.engine.client import client_for, translate
from console.engine.errors import EngineError
from console.engine.text import bounded, parse_timestamp

# Every engine makes these itself; the console never asks to remove them.
BUILTIN_NETWORKS = frozenset({"bridge", "host", "none"})


class BuiltinNetwork(EngineError):
    title = "Built-in network"


class AddressOutsideNetwork(EngineError):
    title = "Address outside the network"


@dataclass(frozen=True)
class Subnet:
    subnet: str
    gateway: str
    ip_range: str


@dataclass(frozen=True)
class Endpoint:
    """One container attached to a network."""

    container_id: str
    container_name: str
    state: str
    ipv4: str  # with its prefix length, e.g. 10.0.0.2/24; empty until the container runs
    ipv6: str
    mac_address: str


@dataclass(frozen=True)
class Network:
    id: str
    name: str
    driver: str
    scope: str
    created: datetime | None
    internal: bool
    attachable: bool
    ipv6: bool
    subnets: list[Subnet]
    labels: dict[str, str]
    options: dict[str, str]
    endpoints: list[Endpoint]

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def builtin(self) -> bool:
        return self.name in BUILTIN_NETWORKS


@dataclass(frozen=True)
class NetworkDetail:
    network: Network
    ipam_driver: str
    inspect_json: str = field(repr=False, default="")


def _address(ip: str | None, prefix: int | None) -> str:
    return f"{ip}/{prefix}" if ip and prefix else str(ip or "")


class _Endpoints:
    """Every container's attachments, from one container list.

    The engine's network list leaves `Containers` empty, and inspecting each network
    would cost a call per network. A container that never ran has no network id yet,
    only the network's name. (Aliases are only in a container's own inspect.)
    """

    def __init__(self, containers: list[dict]):
        self._by_id: dict[str, list[Endpoint]] = {}
        self._by_name: dict[str, list[Endpoint]] = {}
        for c in containers:
            names = c.get("Names") or []
            name = bounded(names[0].lstrip("/") if names else c["Id"][:12], 300)
            networks = (c.get("NetworkSettings") or {}).get("Networks") or {}
            for network_name, settings in networks.items():
                endpoint = Endpoint(
                    container_id=c["Id"],
                    container_name=name,
                    state=str(c.get("State", "")),
                    ipv4=_address(settings.get("IPAddress"), settings.get("IPPrefixLen")),
                    ipv6=_address(
                        settings.get("GlobalIPv6Address"), settings.get("GlobalIPv6PrefixLen")
                    ),
                    mac_address=str(settings.get("MacAddress") or ""),
                )
                if network_id := settings.get("NetworkID"):
                    self._by_id.setdefault(network_id, []).append(endpoint)
                else:
                    self._by_name.setdefault(network_name, []).append(endpoint)

    def of(self, network_id: str, name: str) -> list[Endpoint]:
        found = self._by_id.get(network_id, []) + self._by_name.get(name, [])
        return sorted(found, key=lambda e: e.container_name)


def _network(n: dict, endpoints: _Endpoints) -> Network:
    ipam = n.get("IPAM") or {}
    return Network(
        id=str(n.get("Id", "")),
        name=bounded(n.get("Name"), 300),
        driver=bounded(n.get("Driver"), 300),
        scope=str(n.get("Scope") or ""),
        created=parse_timestamp(n.get("Created")),
        internal=bool(n.get("Internal")),
        attachable=bool(n.get("Attachable")),
        ipv6=bool(n.get("EnableIPv6")),
        subnets=[
            Subnet(
                subnet=str(c.get("Subnet") or ""),
                gateway=str(c.get("Gateway") or ""),
                ip_range=str(c.get("IPRange") or ""),
            )
            for c in ipam.get("Config") or []
        ],
        labels={bounded(k, 300): bounded(v) for k, v in (n.get("Labels") or {}).items()},
        options={bounded(k, 300): bounded(v) for k, v in (n.get("Options") or {}).items()},
        endpoints=endpoints.of(str(n.get("Id", "")), str(n.get("Name", ""))),
    )


def list_networks(host, filters: dict[str, list[str]] | None = None) -> list[Network]:
    """`docker network ls -f ...`, with the containers attached to each network."""
    api = client_for(host)
    with translate():
        raw = api.networks(filters=filters or None)
        endpoints = _Endpoints(api.containers(all=True))
    return sorted((_network(n, endpoints) for n in raw), key=lambda n: n.name)


def inspect_network(host, ref: str) -> NetworkDetail:
    api = client_for(host)
    with translate():
        raw = api.inspect_network(ref)
        endpoints = _Endpoints(api.containers(all=True))
    return NetworkDetail(
        network=_network(raw, endpoints),
        ipam_driver=str((raw.get("IPAM") or {}).get("Driver") or ""),
        inspect_json=json.dumps(raw, indent=2, sort_keys=True, ensure_ascii=False),
    )


def network_exists(host, name: str) -> bool:
    """Whether a network has exactly this name (the engine's name filter also matches
    parts of names)."""
    api = client_for(host)
    with translate():
        return any(n.get("Name") == name for n in api.networks(names=[name]))


@dataclass(frozen=True)
class NetworkSpec:
    """What `docker network create` takes, already checked."""

    name: str
    driver: str = "bridge"
    subnet: str = ""
    gateway: str = ""
    ip_range: str = ""
    internal: bool = False
    attachable: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)


def create_network(host, spec: NetworkSpec) -> str:
    """`docker network create`; returns the new network's id."""
    ipam = None
    if spec.subnet:
        pool = IPAMPool(
            subnet=spec.subnet, gateway=spec.gateway or None, iprange=spec.ip_range or None
        )
        ipam = IPAMConfig(pool_configs=[pool])
    api = client_for(host)
    with translate():
        created = api.create_network(
            spec.name,
            driver=spec.driver or None,
            options=spec.options or None,
            ipam=ipam,
            # Older engines create a second network of the same name without it.
            check_duplicate=True,
            internal=spec.internal,
            labels=spec.labels or None,
            attachable=spec.attachable or None,
        )
    return str(created["Id"])


def remove_network(host, ref: str) -> str:
    """`docker network rm`; returns the removed network's name. Built-in networks are
    refused here, without asking the engine to remove them."""
    api = client_for(host)
    with translate():
        name = str(api.inspect_network(ref).get("Name", ""))
        if name in BUILTIN_NETWORKS:
            raise BuiltinNetwork(f"{name} is a built-in network; it cannot be removed.")
        api.remove_network(ref)
    return name


def prune_networks(host, *, label: str = "") -> list[str]:
    """`docker network prune [--filter label=...]`; the names of the removed networks."""
    api = client_for(host)
    with translate():
        result = api.prune_networks(filters={"label": [label]} if label else None)
    return [str(n) for n in result.get("NetworksDeleted") or []]


def _check_address(network: dict, address: str) -> None:
    """The engine refuses an address outside the network's subnets, but (20.10) keeps the
    failed attachment in the container's configuration; so the console refuses first."""
    subnets = [
        ipaddress.ip_network(c["Subnet"], strict=False)
        for c in (network.get("IPAM") or {}).get("Config") or []
        if c.get("Subnet")
    ]
    if not any(ipaddress.ip_address(address) in subnet for subnet in subnets):
        inside = ", ".join(map(str, subnets)) or "none configured"
        raise AddressOutsideNetwork(
            f"{address} is in no subnet of network {network.get('Name')} ({inside})."
        )


def connect(
    host, network: str, container: str, *, aliases: list[str], ipv4_address: str = ""
) -> None:
    """`docker network connect [--alias ...] [--ip ...]`."""
    api = client_for(host)
    with translate():
        if ipv4_address:
            _check_address(api.inspect_network(network), ipv4_address)
        api.connect_container_to_network(
            container, network, ipv4_address=ipv4_address or None, aliases=aliases or None
        )


def disconnect(host, network: str, container: str, *, force: bool = False) -> None:
    api = client_for(host)
    with translate():
        api.disconnect_container_from_network(container, network, force=force)
