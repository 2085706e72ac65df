"""The `docker run` flags as a person types them, parsed into plain values.

Pure functions, no engine: each raises ValueError with a sentence naming the bad item, and
the list parsers raise SpecError carrying one sentence per bad item. The `format_*`
functions are their inverses, for pre-filling the form from an existing container.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from console.engine.reference import parse_reference

PROTOCOLS = ("tcp", "udp", "sctp")
RESTART_POLICIES = ("no", "always", "unless-stopped", "on-failure")
# The engine refuses smaller memory limits (and says so only at create time).
MIN_MEMORY = 6 * 1024 * 1024
# runc sets the hostname with sethostname(2), which takes at most 64 bytes.
MAX_HOSTNAME = 64

_CONTAINER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")
_VOLUME_NAME = _CONTAINER_NAME
_NETWORK_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*")
_HOSTNAME_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_HOSTNAME = re.compile(rf"{_HOSTNAME_LABEL}(?:\.{_HOSTNAME_LABEL})*")
_USER = re.compile(r"[^\s:]+(?::[^\s:]+)?")
_MEMORY = re.compile(r"([0-9]+(?:\.[0-9]+)?) ?([kmgtp])?i?b?", re.IGNORECASE)
_MEMORY_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}
_NANO = Decimal(1_000_000_000)
_VOLUME_OPTIONS = {
    "access": ("ro", "rw"),
    "selinux label": ("z", "Z"),
    "propagation": ("shared", "slave", "private", "rshared", "rslave", "rprivate"),
    "copy": ("nocopy",),
}


class SpecError(ValueError):
    """Several problems in one field, one sentence each."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _collect(items, parse) -> list:
    """`parse` each item; every bad item is reported, not only the first."""
    values, problems = [], []
    for item in items:
        try:
            values.append(parse(item))
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise SpecError(problems)
    return values


# --- image, name, command ---------------------------------------------------------------


def parse_image(text: str) -> str:
    """The IMAGE of `docker run`, as given (a digest allowed)."""
    return str(parse_reference(text))


def parse_container_name(text: str) -> str:
    name = text.strip()
    if name and not _CONTAINER_NAME.fullmatch(name):
        raise ValueError(
            f"“{name}” is not a valid container name: use at least two letters, digits or "
            "_ . - and start with a letter or digit."
        )
    return name


def parse_command(text: str) -> list[str]:
    """Split like a POSIX shell does, quotes included."""
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise ValueError(f"Unbalanced quotes: {exc}.") from None


def format_command(words: list[str]) -> str:
    return shlex.join(words)


# --- ports --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContainerPort:
    number: int
    protocol: str = "tcp"

    def __str__(self) -> str:
        return f"{self.number}/{self.protocol}"


@dataclass(frozen=True)
class PortMapping:
    """One `-p`: a container port published on the host. An empty host port lets the
    engine choose one; a range (`8000-8010`) lets it choose within the range."""

    port: ContainerPort
    host_ip: str = ""
    host_port: str = ""


def _port_number(text: str, what: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 65535:
        raise ValueError(f"{what} “{text}” is not a port number (1-65535)")
    return int(text)


def _port_range(text: str, what: str) -> range:
    first, dash, last = text.partition("-")
    start = _port_number(first, what)
    end = _port_number(last, what) if dash else start
    if end < start:
        raise ValueError(f"{what} range “{text}” ends before it starts")
    return range(start, end + 1)


def _split_protocol(spec: str) -> tuple[str, str]:
    body, slash, protocol = spec.rpartition("/")
    if not slash:
        return spec, "tcp"
    if protocol.lower() not in PROTOCOLS:
        raise ValueError(f"“{spec}”: unknown protocol “{protocol}” (tcp, udp or sctp)")
    return body, protocol.lower()


def parse_port_spec(spec: str) -> list[PortMapping]:
    """One `-p` value: `[ip:][host[-end]:]container[-end][/proto]`, or `ip::container`."""
    body, protocol = _split_protocol(spec)
    parts = body.split(":")
    container_text = parts[-1]
    host_text = parts[-2] if len(parts) >= 2 else ""
    ip_text = ":".join(parts[:-2]).removeprefix("[").removesuffix("]")
    try:
        containers = _port_range(container_text, "container port")
        hosts = _port_range(host_text, "host port") if host_text else None
    except ValueError as exc:
        raise ValueError(f"“{spec}”: {exc}") from None
    if ip_text:
        try:
            ip_text = str(ipaddress.ip_address(ip_text))
        except ValueError:
            raise ValueError(f"“{spec}”: “{ip_text}” is not an IP address") from None
    if hosts is None:
        host_ports = [""] * len(containers)
    elif len(hosts) == len(containers):
        host_ports = [str(p) for p in hosts]
    elif len(containers) == 1:
        host_ports = [host_text]
    else:
        raise ValueError(
            f"“{spec}”: the host range has {len(hosts)} ports and the container range "
            f"{len(containers)}; give ranges of the same size"
        )
    return [
        PortMapping(ContainerPort(number, protocol), ip_text, host_port)
        for number, host_port in zip(containers, host_ports, strict=True)
    ]


def parse_ports(text: str) -> list[PortMapping]:
    """`-p` values, separated by spaces, commas or lines."""
    groups = _collect(text.replace(",", " ").split(), parse_port_spec)
    return [mapping for group in groups for mapping in group]


def format_port(mapping: PortMapping) -> str:
    ip = mapping.host_ip
    if ":" in ip:
        ip = f"[{ip}]"
    protocol = "" if mapping.port.protocol == "tcp" else f"/{mapping.port.protocol}"
    if ip:
        return f"{ip}:{mapping.host_port}:{mapping.port.number}{protocol}"
    if mapping.host_port:
        return f"{mapping.host_port}:{mapping.port.number}{protocol}"
    return f"{mapping.port.number}{protocol}"


def parse_exposed_spec(spec: str) -> list[ContainerPort]:
    """One `--expose` value: `port[-end][/proto]`."""
    body, protocol = _split_protocol(spec)
    try:
        numbers = _port_range(body, "port")
    except ValueError as exc:
        raise ValueError(f"“{spec}”: {exc}") from None
    return [ContainerPort(number, protocol) for number in numbers]


def parse_exposed(text: str) -> list[ContainerPort]:
    groups = _collect(text.replace(",", " ").split(), parse_exposed_spec)
    return list(dict.fromkeys(port for group in groups for port in group))


# --- environment and labels ---------------------------------------------------------------


def _key_values(text: str, what: str) -> list[tuple[str, str | None]]:
    """`--env-file` syntax: `KEY=VALUE` lines, `#` comments and blank lines skipped, a
    bare `KEY` gives (KEY, None). Values are kept verbatim, quotes included, as docker does."""
    pairs, problems = [], []
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw.lstrip()
        if not line or line.startswith("#"):
            continue
        key, equals, value = line.partition("=")
        if not key:
            problems.append(f"line {number}: “{line}” has no {what} name before “=”")
        elif any(c.isspace() for c in key):
            problems.append(f"line {number}: the {what} name “{key}” contains whitespace")
        else:
            pairs.append((key, value if equals else None))
    if problems:
        raise SpecError(problems)
    return pairs


def parse_env(text: str) -> list[str]:
    """`-e`/`--env-file` lines as the engine takes them (`KEY=VALUE`). A bare `KEY`
    would take the value from the caller's environment; the console passes none of its
    own, so such a line sets nothing."""
    return [f"{key}={value}" for key, value in _key_values(text, "variable") if value is not None]


def parse_key_values(text: str, what: str = "label") -> dict[str, str]:
    """`--label` (or `--opt`) lines; a bare `KEY` has an empty value."""
    return {key: value or "" for key, value in _key_values(text, what)}


def parse_labels(text: str) -> dict[str, str]:
    return parse_key_values(text, "label")


def env_keys(env: list[str]) -> list[str]:
    return [item.partition("=")[0] for item in env]


# --- volumes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class VolumeSpec:
    """One `-v`: a named volume (`name:/path`), a bind mount (`/host:/path`), or an
    anonymous volume (`/path`, no source). `options` is the comma-separated mode."""

    target: str
    source: str = ""
    options: str = ""

    def __str__(self) -> str:
        return ":".join(part for part in (self.source, self.target, self.options) if part)


def _check_volume_options(text: str, spec: str, *, is_bind: bool) -> None:
    chosen: dict[str, str] = {}
    for option in text.split(","):
        kind = next((k for k, values in _VOLUME_OPTIONS.items() if option in values), None)
        if kind is None:
            raise ValueError(
                f"“{spec}”: unknown option “{option}” (ro, rw, z, Z, nocopy or a propagation)"
            )
        if kind in chosen:
            raise ValueError(f"“{spec}”: “{chosen[kind]}” and “{option}” contradict each other")
        if kind == "propagation" and not is_bind:
            raise ValueError(f"“{spec}”: propagation applies to bind mounts only")
        if kind == "copy" and is_bind:
            raise ValueError(f"“{spec}”: nocopy applies to named volumes only")
        chosen[kind] = option


def _is_option(text: str) -> bool:
    return any(text in values for values in _VOLUME_OPTIONS.values())


def parse_volume(spec: str) -> VolumeSpec:
    """One `-v` value: `/path`, `name:/path[:opts]` or `/host/path:/path[:opts]`."""
    parts = spec.split(":")
    if len(parts) > 3:
        raise ValueError(f"“{spec}”: too many “:” (source:/container/path:options)")
    if len(parts) == 1:
        source, target, options = "", spec, ""
    else:
        source, target, options = (*parts, "")[:3]
    if len(parts) == 2 and source.startswith("/") and _is_option(target.split(",")[0]):
        raise ValueError(f"“{spec}”: an anonymous volume takes no options")
    if len(parts) > 1 and not source:
        raise ValueError(f"“{spec}”: the source before the first “:” is empty")
    if not target.startswith("/"):
        raise ValueError(f"“{spec}”: the container path “{target}” must be absolute")
    if target.rstrip("/") == "":
        raise ValueError(f"“{spec}”: the container path cannot be “/”")
    if source and not source.startswith("/") and not _VOLUME_NAME.fullmatch(source):
        raise ValueError(
            f"“{spec}”: “{source}” is neither an absolute host path nor a volume name "
            "(letters, digits, _ . -; host paths cannot be relative here)"
        )
    if len(parts) == 3:
        _check_volume_options(options, spec, is_bind=source.startswith("/"))
    return VolumeSpec(target=target, source=source, options=options)


def parse_volumes(text: str) -> list[VolumeSpec]:
    """`-v` values, one per line (host paths may contain spaces)."""
    volumes = _collect([line.strip() for line in text.splitlines() if line.strip()], parse_volume)
    seen: set[str] = set()
    for volume in volumes:
        target = volume.target.rstrip("/")
        if target in seen:
            raise SpecError([f"two volumes mount on “{volume.target}”"])
        seen.add(target)
    return volumes


# --- resources and the rest ---------------------------------------------------------------


def parse_memory(text: str) -> int:
    """`-m`: bytes, or a number with b, k, m, g (binary units, like docker); 0 = no limit."""
    value = text.strip()
    if not value:
        return 0
    match = _MEMORY.fullmatch(value)
    if match is None:
        raise ValueError(f"“{value}” is not a memory size: use e.g. 512m, 1g, 1024k or bytes.")
    size = int(Decimal(match[1]) * _MEMORY_UNITS[(match[2] or "").lower()])
    if 0 < size < MIN_MEMORY:
        raise ValueError(f"“{value}” is below the engine's minimum memory limit of 6m.")
    return size


def format_memory(size: int) -> str:
    if not size:
        return ""
    for unit in ("g", "m", "k"):
        if size % _MEMORY_UNITS[unit] == 0:
            return f"{size // _MEMORY_UNITS[unit]}{unit}"
    return str(size)


def parse_cpus(text: str) -> int:
    """`--cpus` (e.g. 1.5) as the engine's NanoCpus; 0 = no limit."""
    value = text.strip()
    if not value:
        return 0
    try:
        cpus = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"“{value}” is not a number of CPUs: use e.g. 0.5 or 1.5.") from None
    if not cpus.is_finite() or cpus < 0:
        raise ValueError(f"“{value}” is not a number of CPUs: use e.g. 0.5 or 1.5.")
    nano = cpus * _NANO
    if nano != nano.to_integral_value():
        raise ValueError(f"“{value}” is too precise: at most 9 decimal places.")
    return int(nano)


def format_cpus(nano_cpus: int) -> str:
    if not nano_cpus:
        return ""
    text = format(Decimal(nano_cpus) / _NANO, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class RestartPolicy:
    name: str = "no"
    max_retries: int = 0

    def __str__(self) -> str:
        if self.name == "on-failure" and self.max_retries:
            return f"on-failure:{self.max_retries}"
        return self.name


def restart_policy(name: str, max_retries: int | None) -> RestartPolicy:
    if name not in RESTART_POLICIES:
        raise ValueError(f"“{name}” is not a restart policy ({', '.join(RESTART_POLICIES)}).")
    if max_retries and name != "on-failure":
        raise ValueError("A maximum retry count goes only with on-failure.")
    if max_retries is not None and max_retries < 0:
        raise ValueError("The maximum retry count cannot be negative.")
    return RestartPolicy(name, max_retries or 0)


def parse_network(text: str) -> str:
    """`--network`: a network name or id, `none`, `host`, or `container:<name|id>`."""
    network = text.strip() or "bridge"
    name = network.removeprefix("container:")
    if not _NETWORK_NAME.fullmatch(name):
        raise ValueError(f"“{network}” is not a network name.")
    return network


def can_publish(network: str) -> bool:
    """Publishing ports needs a network stack of the container's own behind a NAT: not
    `none`, not the host's own stack, not another container's."""
    return network not in ("none", "host") and not network.startswith("container:")


def has_own_hostname(network: str) -> bool:
    """On the host's or another container's network stack, the hostname is that stack's."""
    return network != "host" and not network.startswith("container:")


def parse_hostname(text: str) -> str:
    hostname = text.strip()
    if hostname and (len(hostname) > MAX_HOSTNAME or not _HOSTNAME.fullmatch(hostname)):
        raise ValueError(
            f"“{hostname}” is not a hostname: letters, digits, dashes and dots, at most "
            f"{MAX_HOSTNAME} characters."
        )
    return hostname


def parse_working_dir(text: str) -> str:
    path = text.strip()
    if path and not path.startswith("/"):
        raise ValueError(f"The working directory “{path}” must be an absolute path.")
    return path


def parse_user(text: str) -> str:
    user = text.strip()
    if user and not _USER.fullmatch(user):
        raise ValueError(f"“{user}” is not a user: name|uid[:group|gid].")
    return user
