"""How a fleet starts: its daemons, in parallel threads under one deadline."""

from __future__ import annotations

import base64
import functools
import json
import secrets
import shlex
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.fleet.base_image import BASE_IMAGE, _busybox_rootfs_tar
from tests.fleet.credentials import _client_tls_context, _write_ssh_material, _write_tls_material
from tests.fleet.fleet import _LOCK, Fleet
from tests.fleet.helpers import _docker_cli, _env, _need, _openssh_version, _tail
from tests.fleet.host import (
    _BRIDGE_PREFIX,
    _POOL_SIZE,
    _create_bridge,
    _free_ports,
    _pick_storage_driver,
)
from tests.fleet.probes import (
    _connects_unix,
    _pings,
    _registry_ready,
    _ssh_banner,
    _tls_connector,
    _unix_connector,
)
from tests.fleet.requirements import ensure_requirements
from tests.fleet.stopping import DOCKERD_SHUTDOWN_TIMEOUT

READY_TIMEOUT = 60.0
# Unix socket paths are limited to 107 bytes; the longest dockerd makes is
# <exec-root>/libnetwork/<12 hex>.sock, i.e. about len(root) + 40.
_MAX_ROOT_LEN = 64


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
