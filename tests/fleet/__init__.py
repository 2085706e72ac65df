"""A fleet of real Docker engines for the tests, started on this machine.

What runs, all under one directory (``Fleet.root``):

* engine A: dockerd on a unix socket (``Fleet.unix_url``);
* engine B: dockerd on ``tcp://127.0.0.1:PORT`` with mutual TLS (``Fleet.tls_url``);
* sshd on 127.0.0.1 whose test key is forced to ``docker system dial-stdio`` into engine A
  (``Fleet.ssh_url``), so docker-py's ``ssh://`` transport reaches engine A;
* Debian's docker-registry over plain http (``Fleet.registry``);
* ``console-test/busybox:latest`` imported into A and B from busybox-static (nothing is pulled).

Used as a library (``start(root)`` / ``Fleet.stop()``) by the pytest fixtures, or by hand::

    python -m tests.fleet install          # apt-get the packages it needs (as root)
    python -m tests.fleet up --dir DIR     # start, write DIR/fleet.json, print its path
    python -m tests.fleet down --dir DIR   # stop everything and remove DIR

Isolation from a Docker already on the machine (see shared/FACTS.md):

* every engine gets a containerd of its own, started here: dockerd 20.10 silently uses the
  system containerd whenever /run/containerd/containerd.sock exists, and two engines would
  then share its "moby" namespace;
* its own --data-root, --exec-root, --pidfile, --config-file (otherwise
  /etc/docker/daemon.json is read) with "deprecated-key-path" in it (otherwise every engine
  writes and shares /etc/docker/key.json, so they all report the same engine ID);
* its own bridge, created here: never ``--bridge=none``, which deletes the host's docker0;
* --iptables=false --ip6tables=false --ip-forward=false: the host firewall and sysctls stay
  as they are; user-defined networks come from a per-engine pool in 10.214.N.0/24 so two
  engines never create bridges with the same subnet.

Only 127.0.0.1 is listened on; tests run their containers with ``network_mode="none"``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import ctypes
import datetime as dt
import errno
import functools
import http.client
import importlib.util
import io
import ipaddress
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BASE_IMAGE = "console-test/busybox:latest"
# What `install` makes sure of. iproute2 (for `ip`) is there on most machines but not in
# minimal images.
APT_PACKAGES = (
    "docker.io",
    "busybox-static",
    "openssh-server",
    "docker-registry",
    "chromium",
    "iproute2",
)
# Executables the fleet runs, and the apt package that brings each.
_TOOLS = {
    "dockerd": "docker.io",
    "containerd": "docker.io",
    "containerd-shim-runc-v2": "docker.io",
    "runc": "docker.io",
    "sshd": "openssh-server",
    "docker-registry": "docker-registry",
    "ip": "iproute2",
}
_PY_MODULES = {"cryptography": "cryptography", "paramiko": "paramiko"}

READY_TIMEOUT = 60.0
# Seconds dockerd gives running containers at shutdown before it kills them (default 15).
DOCKERD_SHUTDOWN_TIMEOUT = 2
JSON_NAME = "fleet.json"
# Engine n owns bridge "ctfleet<n>" with 10.213.n.1/24, and 10.214.n.0/24 (cut in /28s) for
# the networks tests create on it; n is picked so that none of it is in use on the machine.
_BRIDGE_PREFIX = "ctfleet"
_POOL_SIZE = 28
# Unix socket paths are limited to 107 bytes; the longest dockerd makes is
# <exec-root>/libnetwork/<12 hex>.sock, i.e. about len(root) + 40.
_MAX_ROOT_LEN = 64
# Command names (/proc/PID/comm, at most 15 characters) of the processes a fleet may leave.
_FLEET_COMMS = frozenset(
    {
        "dockerd",
        "containerd",
        "containerd-shim",
        "runc",
        "docker",
        "docker-proxy",
        "sshd",
        "docker-registry",
    }
)
_LOCK = threading.RLock()
_SBIN_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


@dataclass
class Fleet:
    """Addresses and credentials of a running fleet; JSON-serialisable for other processes."""

    root: str
    unix_url: str  # engine A
    tls_url: str  # engine B, --tlsverify
    tls_ca: str  # CA that signed engine B's certificate and the accepted client certificate
    tls_cert: str
    tls_key: str
    tls_wrong_ca: str  # a CA that did not sign engine B's certificate
    tls_wrong_cert: str  # client certificate signed by the wrong CA: engine B refuses it
    tls_wrong_key: str
    ssh_url: str  # ssh://root@127.0.0.1:PORT, forced into engine A
    ssh_key: str  # OpenSSH ed25519 private key that sshd accepts
    ssh_wrong_key: str  # one it does not
    ssh_host_key_pub: str  # "ssh-ed25519 AAAA..." of sshd
    ssh_other_host_key_pub: str  # another ed25519 key, for "host key changed" tests
    registry: str  # 127.0.0.1:PORT, plain http
    base_image: str
    pids: list[int]
    bridges: list[str] = field(default_factory=list)
    storage_driver: str = ""
    start_seconds: float = 0.0
    # Popen objects of the processes this Python process started, to reap them.
    _procs: dict[int, subprocess.Popen[bytes]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def to_json(self) -> str:
        data = {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Fleet:
        data = json.loads(text)
        known = {f.name for f in fields(cls) if not f.name.startswith("_")}
        return cls(**{k: v for k, v in data.items() if k in known})

    def stop(self) -> None:
        """Stop everything the fleet started and remove its directory. Idempotent."""
        root = Path(self.root)
        marker = f"{root}/"
        ours = [pid for pid in self.pids if _mentions(pid, marker)]
        engines = [pid for pid in ours if _comm(pid) == "dockerd"]
        # Stop the containers ourselves first: at shutdown dockerd gives each one its own
        # stop timeout (10 s by default), and a busybox `sleep` as PID 1 ignores SIGTERM.
        bridges = [*self.bridges, *(_quiesce_engines(self) if engines else [])]
        # dockerd next: it cleans up after its containers, and needs its containerd to do so.
        _terminate(engines, DOCKERD_SHUTDOWN_TIMEOUT + 15, self._procs)
        _delete_leftover_containers(root)
        _terminate([pid for pid in ours if pid not in engines], 10, self._procs)
        _sweep(marker)
        for proc in self._procs.values():
            proc.poll()
        _unmount_below(root)
        # dockerd keeps the bridges of user-defined networks when it stops.
        for name in dict.fromkeys([*bridges, *_pool_bridges(self.bridges)]):
            if Path("/sys/class/net", name).exists():
                _run(["ip", "link", "del", name], check=False)
        self.pids.clear()
        self.bridges.clear()
        self._procs.clear()
        # Only ever remove a directory that holds a fleet: start() writes fleet.json first.
        if (root / JSON_NAME).exists():
            shutil.rmtree(root, ignore_errors=True)
            if root.exists():
                print(f"fleet: could not remove all of {root}", file=sys.stderr)

    def _save(self) -> None:
        """Write fleet.json, so that `down` can clean up even after a half-done start."""
        path = Path(self.root, JSON_NAME)
        with _LOCK:  # startup threads record their daemons as they start them
            tmp = path.with_suffix(".tmp")
            tmp.write_text(self.to_json())
            tmp.replace(path)


def ensure_requirements() -> None:
    """Raise RuntimeError naming whatever this machine lacks to run a fleet."""
    if sys.platform != "linux":
        raise RuntimeError("the test fleet needs Linux")
    problems = []
    if os.geteuid() != 0:
        problems.append("not running as root (dockerd, bridges and mounts need root)")
    for tool, package in _TOOLS.items():
        if _which(tool) is None:
            problems.append(f"no {tool} (apt package {package})")
    if _docker_cli() is None:
        problems.append("no docker CLI (apt package docker.io)")
    if not _is_static_elf(Path("/bin/busybox")):
        problems.append("no statically linked /bin/busybox (apt package busybox-static)")
    for module, dist in _PY_MODULES.items():
        if importlib.util.find_spec(module) is None:
            problems.append(f"no Python package {dist} (pip install -r requirements-dev.txt)")
    if problems:
        raise RuntimeError(
            "cannot start the test fleet: "
            + "; ".join(problems)
            + ". As root, `python -m tests.fleet install` installs the apt packages."
        )


def start(root: str | Path) -> Fleet:
    """Start a fleet in ``root`` (created if needed, must be empty) and return it.

    On failure everything already started is stopped and the error names the daemon that
    failed, with the end of its log.
    """
    t0 = time.monotonic()
    ensure_requirements()
    rootp = Path(root).absolute()
    if rootp.exists() and any(rootp.iterdir()):
        raise RuntimeError(f"{rootp} is not empty: a fleet needs a directory of its own")
    if len(str(rootp)) > _MAX_ROOT_LEN:
        raise RuntimeError(
            f"{rootp} is too long for the unix sockets under it (at most {_MAX_ROOT_LEN} chars)"
        )
    rootp.mkdir(parents=True, exist_ok=True)
    paths = _Paths(rootp)
    ssh_port, tls_port, registry_port = _free_ports(3)
    fleet = Fleet(
        root=str(rootp),
        unix_url=f"unix://{paths.a / 'docker.sock'}",
        tls_url=f"tcp://127.0.0.1:{tls_port}",
        tls_ca=str(paths.certs / "ca.pem"),
        tls_cert=str(paths.certs / "cert.pem"),
        tls_key=str(paths.certs / "key.pem"),
        tls_wrong_ca=str(paths.certs / "wrong-ca.pem"),
        tls_wrong_cert=str(paths.certs / "wrong-cert.pem"),
        tls_wrong_key=str(paths.certs / "wrong-key.pem"),
        ssh_url=f"ssh://root@127.0.0.1:{ssh_port}",
        ssh_key=str(paths.ssh / "id_ed25519"),
        ssh_wrong_key=str(paths.ssh / "wrong_id_ed25519"),
        ssh_host_key_pub="",
        ssh_other_host_key_pub="",
        registry=f"127.0.0.1:{registry_port}",
        base_image=BASE_IMAGE,
        pids=[],
    )
    fleet._save()
    try:
        _start(fleet, paths, tls_port=tls_port, ssh_port=ssh_port, registry_port=registry_port)
    except BaseException:
        fleet.stop()
        raise
    fleet.start_seconds = round(time.monotonic() - t0, 3)
    fleet._save()
    return fleet


# --- how a fleet starts --------------------------------------------------------------------


class _Paths:
    """Where everything of a fleet lives; short names keep the socket paths short."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.a = root / "unix"  # engine A
        self.b = root / "tls"  # engine B
        self.certs = root / "certs"
        self.ssh = root / "ssh"
        self.registry = root / "registry"
        self.cli_config = root / "docker-config"  # DOCKER_CONFIG for the CLI we run


class _Startup:
    """Waits shared by the threads that start a fleet: one deadline, and a flag that makes
    every thread give up as soon as one of them has failed."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.failed = threading.Event()

    def wait(self, name: str, proc: subprocess.Popen[bytes], log: Path, ready: Check) -> None:
        """Poll until ready() is true; fail fast, with the end of the log, if proc exits."""
        while not ready():
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with status {proc.returncode} before it was ready; "
                    f"end of {log}:\n{_tail(log)}"
                )
            self._check_time(name, log)
            time.sleep(0.01)

    def wait_event(self, name: str, event: threading.Event) -> None:
        while not event.wait(0.05):
            self._check_time(name, None)

    def _check_time(self, name: str, log: Path | None) -> None:
        if self.failed.is_set():
            raise _GaveUp
        if time.monotonic() > self.deadline:
            tail = f"; end of {log}:\n{_tail(log)}" if log else ""
            raise RuntimeError(f"timed out after {self.timeout:.0f}s waiting for {name}{tail}")

    def run(self, jobs: list[Future[Any]]) -> None:
        """Wait for all jobs; raise the first real error once every thread has stopped."""
        errors: list[BaseException] = []
        try:
            for job in as_completed(jobs):
                if (exc := job.exception()) is not None and not isinstance(exc, _GaveUp):
                    errors.append(exc)
                    self.failed.set()
        except BaseException:  # KeyboardInterrupt: let the threads stop too
            self.failed.set()
            raise
        if errors:
            raise errors[0]


class _GaveUp(Exception):
    """Raised in a startup thread that stops because another one failed."""


Check = Callable[[], bool]


def _start(fleet: Fleet, p: _Paths, *, tls_port: int, ssh_port: int, registry_port: int) -> None:
    for d in (p.a, p.b, p.certs, p.ssh, p.registry, p.cli_config):
        d.mkdir(mode=0o700)
    # What needs nothing else starts first; everything slow then runs in parallel threads.
    containerd_a = _spawn_containerd(fleet, p.a)
    containerd_b = _spawn_containerd(fleet, p.b)
    registry = _spawn_registry(fleet, p.registry, registry_port)
    _write_tls_material(p.certs)
    fleet.ssh_host_key_pub, fleet.ssh_other_host_key_pub, client_pub = _write_ssh_material(p.ssh)
    sshd = _spawn_sshd(fleet, p.ssh, ssh_port, client_pub)
    net_a = _create_bridge(fleet)
    net_b = _create_bridge(fleet)
    fleet.storage_driver = _pick_storage_driver(p.root)
    fleet._save()

    startup = _Startup(READY_TIMEOUT)
    engine_a_up = threading.Event()
    tls_ctx = _client_tls_context(fleet.tls_ca, fleet.tls_cert, fleet.tls_key)

    def engine(
        name: str,
        d: Path,
        containerd: subprocess.Popen[bytes],
        net: int,
        listen: list[str],
        connect: Callable[[], socket.socket],
        cli_args: list[str],
    ) -> None:
        containerd_sock = str(d / "containerd.sock")
        ready = functools.partial(_connects_unix, containerd_sock)
        startup.wait(f"containerd ({name})", containerd, d / "containerd.log", ready)
        # dockerd would wait for its containerd, but a containerd that fails to start is
        # reported more clearly this way, and costs nothing: the bridges come first anyway.
        dockerd = _spawn_dockerd(fleet, d, net, listen)
        startup.wait(f"dockerd ({name})", dockerd, d / "dockerd.log", lambda: _pings(connect))
        if d == p.a:
            engine_a_up.set()
        _import_base_image(fleet, cli_args, rootfs.result())

    def ssh() -> None:
        import paramiko  # noqa: F401  (takes a quarter of a second: do it while engines boot)

        ready = functools.partial(_ssh_banner, ssh_port)
        startup.wait("sshd", sshd, p.ssh / "sshd.log", ready)
        startup.wait_event("dockerd (engine A)", engine_a_up)
        _check_ssh(fleet)

    def registry_up() -> None:
        ready = functools.partial(_registry_ready, registry_port)
        startup.wait("docker-registry", registry, p.registry / "registry.log", ready)

    a_host = [f"--host={fleet.unix_url}"]
    b_host = [f"--host={fleet.tls_url}", "--tlsverify"]
    b_server = [
        *b_host,
        f"--tlscacert={p.certs / 'ca.pem'}",
        f"--tlscert={p.certs / 'server-cert.pem'}",
        f"--tlskey={p.certs / 'server-key.pem'}",
    ]
    b_client = [
        *b_host,
        f"--tlscacert={fleet.tls_ca}",
        f"--tlscert={fleet.tls_cert}",
        f"--tlskey={fleet.tls_key}",
    ]
    a_connect = _unix_connector(str(p.a / "docker.sock"))
    b_connect = _tls_connector(tls_port, tls_ctx)
    with ThreadPoolExecutor(max_workers=5, thread_name_prefix="fleet") as pool:
        rootfs = pool.submit(_busybox_rootfs_tar)
        startup.run(
            [
                pool.submit(
                    engine, "engine A", p.a, containerd_a, net_a, a_host, a_connect, a_host
                ),
                pool.submit(
                    engine, "engine B", p.b, containerd_b, net_b, b_server, b_connect, b_client
                ),
                pool.submit(ssh),
                pool.submit(registry_up),
                rootfs,
            ]
        )


def _spawn(fleet: Fleet, argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Start a daemon in a session of its own, so that it outlives `up`, logging to log."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=fleet.root,
            env=_env(),
            start_new_session=True,
        )
    with _LOCK:
        fleet.pids.append(proc.pid)
        fleet._procs[proc.pid] = proc
        fleet._save()
    return proc


def _spawn_containerd(fleet: Fleet, d: Path) -> subprocess.Popen[bytes]:
    # The "opt" plugin would otherwise create /opt/containerd on the host; the CRI plugin and
    # the snapshotters are of no use to dockerd 20.10, which keeps its own graph driver.
    config = f"""\
version = 2
root = {json.dumps(str(d / "containerd" / "root"))}
state = {json.dumps(str(d / "containerd" / "state"))}
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
]

[grpc]
  address = {json.dumps(str(d / "containerd.sock"))}

[plugins."io.containerd.internal.v1.opt"]
  path = {json.dumps(str(d / "containerd" / "opt"))}
"""
    (d / "containerd.toml").write_text(config)
    argv = [_need("containerd"), "--config", str(d / "containerd.toml")]
    return _spawn(fleet, argv, d / "containerd.log")


def _spawn_dockerd(fleet: Fleet, d: Path, net: int, listen: list[str]) -> subprocess.Popen[bytes]:
    # deprecated-key-path is a config-file key only (no such flag in 20.10).
    config = {"deprecated-key-path": str(d / "key.json")}
    (d / "daemon.json").write_text(json.dumps(config) + "\n")
    argv = [
        _need("dockerd"),
        f"--config-file={d / 'daemon.json'}",
        f"--data-root={d / 'data'}",
        f"--exec-root={d / 'exec'}",
        f"--pidfile={d / 'dockerd.pid'}",
        f"--containerd={d / 'containerd.sock'}",
        *listen,
        f"--bridge={_BRIDGE_PREFIX}{net}",
        "--iptables=false",
        "--ip6tables=false",
        "--ip-forward=false",
        f"--default-address-pool=base=10.214.{net}.0/24,size={_POOL_SIZE}",
        f"--storage-driver={fleet.storage_driver}",
        f"--shutdown-timeout={DOCKERD_SHUTDOWN_TIMEOUT}",
    ]
    return _spawn(fleet, argv, d / "dockerd.log")


def _spawn_sshd(fleet: Fleet, d: Path, port: int, client_pub: str) -> subprocess.Popen[bytes]:
    # Whatever command the client asks for, this key only ever gets a stdio pipe to engine A.
    command = f"{shlex.quote(_docker_cli() or 'docker')} -H {shlex.quote(fleet.unix_url)}"
    restrictions = "no-pty,no-port-forwarding,no-agent-forwarding,no-X11-forwarding"
    (d / "authorized_keys").write_text(
        f'command="{command} system dial-stdio",{restrictions} {client_pub} console-test\n'
    )
    lines = [
        f"Port {port}",
        "ListenAddress 127.0.0.1",
        f"HostKey {d / 'host_ed25519'}",
        f"PidFile {d / 'sshd.pid'}",
        f"AuthorizedKeysFile {d / 'authorized_keys'}",
        "StrictModes no",
        "UsePAM no",
        "PermitRootLogin prohibit-password",
        "AllowUsers root",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "AllowTcpForwarding no",
        "X11Forwarding no",
        "PrintMotd no",
        "UseDNS no",
        # Tests open many connections at once, some with wrong keys on purpose.
        "MaxStartups 100:30:200",
        "MaxSessions 100",
    ]
    sshd = _need("sshd")
    if _openssh_version(sshd) >= (9, 8):
        # Since 9.8 sshd bans a source address for a while after failed logins.
        lines.append("PerSourcePenalties no")
    (d / "sshd_config").write_text("\n".join(lines) + "\n")
    # Privilege separation directory, normally made by the init script.
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    return _spawn(fleet, [sshd, "-D", "-e", "-f", str(d / "sshd_config")], d / "sshd.log")


def _spawn_registry(fleet: Fleet, d: Path, port: int) -> subprocess.Popen[bytes]:
    config = f"""\
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: {json.dumps(str(d / "data"))}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:{port}
  secret: {secrets.token_hex(16)}
"""
    (d / "config.yml").write_text(config)
    argv = [_need("docker-registry"), "serve", str(d / "config.yml")]
    return _spawn(fleet, argv, d / "registry.log")


def _import_base_image(fleet: Fleet, engine_args: list[str], rootfs: bytes) -> None:
    argv = [
        _docker_cli() or "docker",
        *engine_args,
        "import",
        "--change",
        "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin",  # without it, `sh` is "not found in $PATH"
        "--change",
        'CMD ["/bin/sh"]',
        "-",
        BASE_IMAGE,
    ]
    env = {**_env(), "DOCKER_CONFIG": str(Path(fleet.root, "docker-config"))}
    result = subprocess.run(argv, input=rootfs, capture_output=True, env=env, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(
            f"importing {BASE_IMAGE} with {engine_args[0]} failed: "
            f"{result.stderr.decode(errors='replace').strip()}"
        )


def _check_ssh(fleet: Fleet) -> None:
    try:
        reply = _ssh_ping(fleet)
    except Exception as exc:
        log = Path(fleet.root, "ssh", "sshd.log")
        raise RuntimeError(
            f"the SSH path to engine A does not work: {exc!r}; end of {log}:\n{_tail(log)}"
        ) from exc
    if not reply.endswith(b"OK"):
        raise RuntimeError(f"the SSH path to engine A answered {reply[:200]!r} to /_ping")


def _ssh_ping(fleet: Fleet) -> bytes:
    """GET /_ping through sshd's forced `docker system dial-stdio`; returns the raw reply."""
    import paramiko

    url = urlsplit(fleet.ssh_url)
    host, port = url.hostname or "127.0.0.1", url.port or 22
    key_type, key_b64 = fleet.ssh_host_key_pub.split()[:2]
    client = paramiko.SSHClient()
    client.get_host_keys().add(
        f"[{host}]:{port}", key_type, paramiko.Ed25519Key(data=base64.b64decode(key_b64))
    )
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        client.connect(
            host,
            port=port,
            username=url.username or "root",
            pkey=paramiko.Ed25519Key.from_private_key_file(fleet.ssh_key),
            allow_agent=False,
            look_for_keys=False,
            timeout=10,
            banner_timeout=10,
            auth_timeout=10,
        )
        transport = client.get_transport()
        assert transport is not None
        channel = transport.open_session(timeout=10)
        channel.settimeout(10)
        channel.exec_command("docker system dial-stdio")  # replaced by the forced command
        channel.sendall(b"GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := channel.recv(65536):
            reply += chunk
        return reply
    finally:
        client.close()


# --- credentials ---------------------------------------------------------------------------


def _write_tls_material(d: Path) -> None:
    """CA, server and client certificates for engine B, and a second CA that is not trusted."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)

    def key() -> ec.EllipticCurvePrivateKey:
        return ec.generate_private_key(ec.SECP256R1())

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def cert(
        cn: str,
        subject_key: ec.EllipticCurvePrivateKey,
        issuer: x509.Certificate | None,
        issuer_key: ec.EllipticCurvePrivateKey,
        usage: x509.ObjectIdentifier | None = None,
    ) -> x509.Certificate:
        is_ca = usage is None
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(cn))
            .issuer_name(issuer.subject if issuer else name(cn))
            .public_key(subject_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=not is_ca,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=is_ca,
                    crl_sign=is_ca,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                critical=False,
            )
        )
        if usage is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        if usage == ExtendedKeyUsageOID.SERVER_AUTH:
            san = [
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.DNSName("localhost"),
            ]
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    def write(stem: str, c: x509.Certificate, k: ec.EllipticCurvePrivateKey | None) -> None:
        (d / f"{stem}.pem").write_bytes(c.public_bytes(serialization.Encoding.PEM))
        if k is not None:
            key_path = d / f"{stem.replace('cert', 'key')}.pem"
            key_path.touch(mode=0o600)
            key_path.write_bytes(
                k.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )

    server, client = ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH
    ca_key, wrong_ca_key = key(), key()
    ca = cert("console-test CA", ca_key, None, ca_key)
    wrong_ca = cert("console-test wrong CA", wrong_ca_key, None, wrong_ca_key)
    write("ca", ca, None)
    write("wrong-ca", wrong_ca, None)
    for stem, cn, issuer, issuer_key, usage in (
        ("server-cert", "localhost", ca, ca_key, server),
        ("cert", "console-test client", ca, ca_key, client),
        ("wrong-cert", "console-test wrong client", wrong_ca, wrong_ca_key, client),
    ):
        k = key()
        write(stem, cert(cn, k, issuer, issuer_key, usage), k)


def _write_ssh_material(d: Path) -> tuple[str, str, str]:
    """Write sshd's host key and the client keys; return the host, other-host, client pubs."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    def new_key(path: Path | None) -> str:
        k = ed25519.Ed25519PrivateKey.generate()
        if path is not None:
            path.touch(mode=0o600)  # sshd refuses a host key others can read
            path.write_bytes(
                k.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.OpenSSH,
                    serialization.NoEncryption(),
                )
            )
        pub = k.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        return pub.decode()

    host = new_key(d / "host_ed25519")
    other_host = new_key(None)
    client = new_key(d / "id_ed25519")
    new_key(d / "wrong_id_ed25519")
    return host, other_host, client


def _client_tls_context(ca: str, cert: str, key: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=ca)
    ctx.load_cert_chain(cert, key)
    return ctx


# --- base image ----------------------------------------------------------------------------


def _busybox_rootfs_tar() -> bytes:
    """A root filesystem with busybox-static and one symlink per applet, as a tar in memory."""
    busybox = Path("/bin/busybox").read_bytes()
    applets = subprocess.run(
        ["/bin/busybox", "--list"], capture_output=True, text=True, check=True
    ).stdout.split()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:

        def add(name: str, kind: bytes, mode: int, data: bytes = b"", link: str = "") -> None:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.size, info.linkname = kind, mode, len(data), link
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(data) if data else None)

        for d, mode in (("bin", 0o755), ("etc", 0o755), ("root", 0o700), ("tmp", 0o1777)):
            add(d, tarfile.DIRTYPE, mode)
        add("bin/busybox", tarfile.REGTYPE, 0o755, busybox)
        for applet in applets:
            if applet != "busybox":  # --list names itself: a symlink would replace the binary
                add(f"bin/{applet}", tarfile.SYMTYPE, 0o777, link="busybox")
        passwd = (
            b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
        )
        add("etc/passwd", tarfile.REGTYPE, 0o644, passwd)
        add("etc/group", tarfile.REGTYPE, 0o644, b"root:x:0:\nnogroup:x:65534:\n")
    return buf.getvalue()


def _is_static_elf(path: Path) -> bool:
    """True if path is an ELF executable with no program interpreter (PT_INTERP)."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if data[:4] != b"\x7fELF":
        return False
    order = "<" if data[5] == 1 else ">"
    if data[4] == 2:  # ELFCLASS64
        (phoff,) = struct.unpack_from(order + "Q", data, 0x20)
        phentsize, phnum = struct.unpack_from(order + "HH", data, 0x36)
    else:
        (phoff,) = struct.unpack_from(order + "I", data, 0x1C)
        phentsize, phnum = struct.unpack_from(order + "HH", data, 0x2A)
    pt_interp = 3
    return all(
        struct.unpack_from(order + "I", data, phoff + i * phentsize)[0] != pt_interp
        for i in range(phnum)
    )


# --- host plumbing: bridges, storage driver, ports -----------------------------------------


def _create_bridge(fleet: Fleet) -> int:
    """Create bridge ctfleet<n> with 10.213.n.1/24 for a free n; return n.

    `ip link add` fails if the name exists, which makes the name a lock between fleets
    started at the same time.
    """
    used = _used_networks()
    links = set(os.listdir("/sys/class/net"))
    for n in range(1, 255):
        name = f"{_BRIDGE_PREFIX}{n}"
        ours = (
            ipaddress.IPv4Network(f"10.213.{n}.0/24"),
            ipaddress.IPv4Network(f"10.214.{n}.0/24"),
        )
        if name in links or any(a.overlaps(b) for a in ours for b in used):
            continue
        added = _run(["ip", "link", "add", "name", name, "type", "bridge"], check=False)
        if added.returncode != 0:
            if "exists" in added.stderr:
                continue
            raise RuntimeError(f"ip link add {name} failed: {added.stderr.strip()}")
        fleet.bridges.append(name)
        fleet._save()
        _run(["ip", "addr", "add", f"10.213.{n}.1/24", "dev", name])
        _run(["ip", "link", "set", name, "up"])
        return n
    raise RuntimeError("no free bridge name and subnet in 10.213.0.0/16")


def _used_networks() -> list[ipaddress.IPv4Network]:
    nets = []
    for line in _run(["ip", "-4", "-o", "addr", "show"]).stdout.splitlines():
        if m := re.search(r"\binet (\S+)", line):
            nets.append(ipaddress.IPv4Interface(m.group(1)).network)
    for line in _run(["ip", "-4", "route", "show"]).stdout.splitlines():
        dest = line.split()[0] if line.split() else "default"
        with contextlib.suppress(ValueError):
            nets.append(ipaddress.IPv4Network(dest, strict=False))
    return nets


def _pick_storage_driver(root: Path) -> str:
    """overlay2 if an overlay with two lower layers mounts under root, as dockerd needs; else vfs.

    FLEET_STORAGE_DRIVER forces one.
    """
    if forced := os.environ.get("FLEET_STORAGE_DRIVER"):
        return forced
    probe = root / "overlay-probe"
    dirs = {name: probe / name for name in ("l1", "l2", "upper", "work", "merged")}
    for d in dirs.values():
        d.mkdir(parents=True)
    options = f"lowerdir={dirs['l1']}:{dirs['l2']},upperdir={dirs['upper']},workdir={dirs['work']}"
    libc = _libc()
    ok = libc.mount(b"overlay", str(dirs["merged"]).encode(), b"overlay", 0, options.encode()) == 0
    if ok:
        _umount(str(dirs["merged"]))
    shutil.rmtree(probe, ignore_errors=True)
    return "overlay2" if ok else "vfs"


def _free_ports(count: int) -> list[int]:
    """Distinct free TCP ports on 127.0.0.1 (all held open together, then released)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


# --- readiness probes ----------------------------------------------------------------------


def _unix_connector(path: str, timeout: float = 2) -> Callable[[], socket.socket]:
    def connect() -> socket.socket:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.settimeout(timeout)
            s.connect(path)
        except OSError:
            s.close()
            raise
        return s

    return connect


def _tls_connector(
    port: int, ctx: ssl.SSLContext, timeout: float = 2
) -> Callable[[], socket.socket]:
    def connect() -> socket.socket:
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        try:
            return ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        except OSError:  # ssl.SSLError is an OSError
            raw.close()
            raise

    return connect


def _http(connect: Callable[[], socket.socket], method: str, path: str) -> tuple[int, bytes]:
    """One HTTP/1.0 request (the engine then closes the connection): status and body."""
    with connect() as s:
        s.sendall(f"{method} {path} HTTP/1.0\r\nHost: docker\r\nContent-Length: 0\r\n\r\n".encode())
        reply = _recv_all(s)
    head, _, body = reply.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise OSError(f"not an HTTP reply: {reply[:80]!r}")
    return int(parts[1]), body


def _pings(connect: Callable[[], socket.socket]) -> bool:
    try:
        return _http(connect, "GET", "/_ping") == (200, b"OK")
    except OSError:
        return False


def _connects_unix(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            s.connect(path)
        return True
    except OSError:
        return False


def _registry_ready(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/v2/")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _ssh_banner(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            return s.recv(4).startswith(b"SSH-")
    except OSError:
        return False


def _recv_all(s: socket.socket) -> bytes:
    chunks = []
    while chunk := s.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


# --- stopping ------------------------------------------------------------------------------


def _terminate(pids: list[int], timeout: float, procs: dict[int, subprocess.Popen[bytes]]) -> None:
    """SIGTERM each process, wait, then SIGKILL what is left of their process groups."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    if not _wait_gone(pids, timeout, procs):
        print(f"fleet: killing {pids} after {timeout:.0f}s", file=sys.stderr)
    for pid in pids:
        # Each daemon leads a session and group of its own (start_new_session); this also
        # ends children left in it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
    _wait_gone(pids, 5, procs)


def _wait_gone(pids: list[int], timeout: float, procs: dict[int, subprocess.Popen[bytes]]) -> bool:
    deadline = time.monotonic() + timeout
    while any(_alive(pid, procs) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _alive(pid: int, procs: dict[int, subprocess.Popen[bytes]]) -> bool:
    proc = procs.get(pid)
    if proc is not None:
        return proc.poll() is None  # also reaps our own children
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # A zombie whose parent is gone waits for init to reap it: it is dead all the same.
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _engine_connectors(fleet: Fleet) -> list[Callable[[], socket.socket]]:
    connectors = [_unix_connector(fleet.unix_url.removeprefix("unix://"), timeout=30)]
    with contextlib.suppress(OSError):  # no certificates if start failed early
        ctx = _client_tls_context(fleet.tls_ca, fleet.tls_cert, fleet.tls_key)
        port = urlsplit(fleet.tls_url).port or 2376
        connectors.append(_tls_connector(port, ctx, timeout=30))
    return connectors


def _quiesce_engines(fleet: Fleet) -> list[str]:
    """Stop every container at once (no grace time); return the engines' network bridges."""
    bridges: list[str] = []
    stops: list[tuple[Callable[[], socket.socket], str]] = []
    for connect in _engine_connectors(fleet):
        with contextlib.suppress(OSError, ValueError):
            for net in json.loads(_http(connect, "GET", "/networks")[1]):
                if net.get("Driver") == "bridge" and net.get("Name") != "bridge":
                    options = net.get("Options") or {}
                    default = "br-" + net["Id"][:12]
                    bridges.append(options.get("com.docker.network.bridge.name", default))
            for container in json.loads(_http(connect, "GET", "/containers/json")[1]):
                stops.append((connect, f"/containers/{container['Id']}/stop?t=0"))
    if stops:
        with ThreadPoolExecutor(max_workers=8) as pool:
            for connect, path in stops:
                pool.submit(_http, connect, "POST", path)
    return bridges


def _pool_bridges(own: list[str]) -> list[str]:
    """Interfaces with an address in the network pools of our engines (10.214.n.0/24)."""
    pools = [
        ipaddress.IPv4Network(f"10.214.{name.removeprefix(_BRIDGE_PREFIX)}.0/24")
        for name in own
        if name.removeprefix(_BRIDGE_PREFIX).isdigit()
    ]
    found = []
    for line in _run(["ip", "-4", "-o", "addr", "show"], check=False).stdout.splitlines():
        parts = line.split()
        if len(parts) > 3 and parts[2] == "inet":
            net = ipaddress.IPv4Interface(parts[3]).network
            if any(net.subnet_of(pool) for pool in pools):
                found.append(parts[1].split("@")[0])
    return found


def _delete_leftover_containers(root: Path) -> None:
    """Remove containers still known to runc if an engine died without stopping them."""
    runc = _which("runc")
    for engine in ("unix", "tls"):
        state = root / engine / "exec" / "runtime-runc" / "moby"
        if runc is None or not state.is_dir():
            continue
        for entry in state.iterdir():
            _run([runc, "--root", str(state), "delete", "--force", entry.name], check=False)


def _sweep(marker: str) -> None:
    """SIGKILL any fleet-kind process whose command line names a path under the fleet root.

    Catches what is not in a daemon's process group: containerd shims, the docker CLI that
    sshd's forced command runs, daemons of a start that died before it recorded them.
    """
    me = {os.getpid(), os.getppid()}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) in me:
            continue
        pid = int(entry.name)
        if _comm(pid) in _FLEET_COMMS and _mentions(pid, marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _mentions(pid: int, marker: str) -> bool:
    """Whether the command line of pid contains marker (guards against reused pids)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return marker.encode() in cmdline


def _unmount_below(root: Path) -> None:
    """Unmount whatever is still mounted at or under root (dockerd's overlays, netns...)."""
    for _ in range(3):
        mounts = _mounts_below(root)
        if not mounts:
            return
        for mountpoint in reversed(mounts):  # last mounted first
            _umount(mountpoint)


def _mounts_below(root: Path) -> list[str]:
    prefix = f"{root}/"
    found = []
    for line in Path("/proc/self/mounts").read_text().splitlines():
        # Spaces and other special characters are octal-escaped in /proc/self/mounts.
        mountpoint = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), line.split()[1])
        if mountpoint == str(root) or mountpoint.startswith(prefix):
            found.append(mountpoint)
    return found


def _umount(path: str) -> None:
    libc = _libc()
    if libc.umount2(path.encode(), 0) == 0:
        return
    if ctypes.get_errno() in (errno.EINVAL, errno.ENOENT):  # no longer a mount point
        return
    mnt_detach = 2  # lazily, when it is busy
    libc.umount2(path.encode(), mnt_detach)


@functools.cache
def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
    libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
    return libc


# --- small helpers -------------------------------------------------------------------------


def _env() -> dict[str, str]:
    """The environment for the fleet's processes, without what could redirect them."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DOCKER_", "REGISTRY_", "LISTEN_")) and k != "NOTIFY_SOCKET"
    }
    path = env.get("PATH", "").split(os.pathsep)
    extra = [d for d in _SBIN_DIRS if d not in path]  # dockerd and sshd live in sbin
    env["PATH"] = os.pathsep.join([*(p for p in path if p), *extra])
    return env


def _which(tool: str) -> str | None:
    return shutil.which(tool, path=_env()["PATH"])


def _need(tool: str) -> str:
    path = _which(tool)
    if path is None:
        raise RuntimeError(f"{tool} not found (apt package {_TOOLS.get(tool, '?')})")
    return path


def _docker_cli() -> str | None:
    """docker.io's own CLI if there, as it matches its dockerd; else any docker CLI."""
    if os.access("/usr/bin/docker", os.X_OK):
        return "/usr/bin/docker"
    return _which("docker")


def _openssh_version(sshd: str) -> tuple[int, int]:
    out = subprocess.run([sshd, "-V"], capture_output=True, text=True, check=False)
    m = re.search(r"OpenSSH_(\d+)\.(\d+)", out.stdout + out.stderr)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def _run(argv: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(argv, capture_output=True, text=True, check=False, env=_env())
    if check and result.returncode != 0:
        raise RuntimeError(f"{shlex.join(argv)} failed: {result.stderr.strip()}")
    return result


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(no log: {exc})"


# --- command line --------------------------------------------------------------------------


def _missing_packages() -> list[str]:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Abbrev}\n", *APT_PACKAGES],
        capture_output=True,
        text=True,
        check=False,
    )
    installed = set()
    for line in result.stdout.splitlines():
        package, _, status = line.partition(" ")
        if status.startswith("ii"):
            installed.add(package.split(":")[0])
    return [p for p in APT_PACKAGES if p not in installed]


def _cmd_install() -> int:
    try:
        missing = _missing_packages()
    except FileNotFoundError:
        print("dpkg-query not found: the fleet needs a Debian machine", file=sys.stderr)
        return 1
    if not missing:
        print("fleet packages present: " + " ".join(APT_PACKAGES))
        return 0
    if os.geteuid() != 0:
        print("missing apt packages: " + " ".join(missing), file=sys.stderr)
        print("run `python -m tests.fleet install` as root to install them", file=sys.stderr)
        return 1
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", *missing], check=True, env=env)
    if still := _missing_packages():
        print("still missing after apt-get install: " + " ".join(still), file=sys.stderr)
        return 1
    print("installed: " + " ".join(missing))
    return 0


def _cmd_up(directory: str) -> int:
    try:
        fleet = start(directory)
    except RuntimeError as exc:
        print(f"fleet up failed: {exc}", file=sys.stderr)
        return 1
    print(Path(fleet.root, JSON_NAME))
    print(
        f"fleet started in {fleet.start_seconds:.2f}s (storage driver {fleet.storage_driver})",
        file=sys.stderr,
    )
    return 0


def _cmd_down(directory: str) -> int:
    root = Path(directory)
    if not root.exists():
        print(f"no fleet in {root}: nothing to stop", file=sys.stderr)
        return 0
    state = root / JSON_NAME
    if not state.exists():
        print(f"{root} has no {JSON_NAME}: not a fleet, left alone", file=sys.stderr)
        return 1
    Fleet.from_json(state.read_text()).stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fleet",
        description="Real Docker engines, sshd and a registry for the tests.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("install", help="apt-get install the packages the fleet needs")
    for name, text in (("up", "start a fleet in DIR"), ("down", "stop the fleet in DIR")):
        commands.add_parser(name, help=text).add_argument("--dir", required=True)
    args = parser.parse_args(argv)
    if args.command == "install":
        return _cmd_install()
    if args.command == "up":
        return _cmd_up(args.dir)
    return _cmd_down(args.dir)


if __name__ == "__main__":
    sys.exit(main())
