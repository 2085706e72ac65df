"""Docker API clients built from the host registry, cached per host.

A client is rebuilt whenever the host row changes (its `updated_at` moves), so an
edited address or a new key takes effect on the next call.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import logging
import os
import socket
import ssl
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import docker
import docker.errors
import paramiko
import requests
import requests.adapters
import urllib3.exceptions
from django.conf import settings
from docker.transport.sshconn import SSHConnectionPool, SSHHTTPAdapter
from docker.utils import version_lt

from console.engine import acting, errors

logger = logging.getLogger(__name__)

# The newest API version this console speaks; older engines get their own version.
MAX_API_VERSION = docker.constants.DEFAULT_DOCKER_API_VERSION


def fingerprint(key: paramiko.PKey) -> str:
    """OpenSSH's SHA256 fingerprint, as `ssh-keygen -l` prints it."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def key_line(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.get_base64()}"


def parse_key_line(line: str) -> paramiko.PKey:
    keytype, b64 = line.split()[:2]
    return paramiko.PKey.from_type_string(keytype, base64.b64decode(b64))


def load_private_key(text: str, passphrase: str = "") -> paramiko.PKey:
    """Read an OpenSSH/PEM private key of any type paramiko knows."""
    problem: Exception | None = None
    for key_class in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return key_class.from_private_key(io.StringIO(text), passphrase or None)
        except paramiko.PasswordRequiredException:
            raise
        except paramiko.SSHException as exc:
            problem = problem or exc
    raise ValueError(f"not an Ed25519, ECDSA or RSA private key ({problem})")


class _UnknownHostKey(paramiko.MissingHostKeyPolicy):
    def missing_host_key(self, client, hostname, key):
        raise errors.HostKeyUnknown(key_line(key), fingerprint(key))


# What closing a channel or client of an SSH session that died half-way may raise.
_DEAD_SESSION = (EOFError, OSError, paramiko.SSHException)


class _SSHPool(SSHConnectionPool):
    """docker-py's SSH pool, minus reusing a connection whose channel has ended (the
    engine hung up, or a stream closed it): that would fail with "Socket is closed"."""

    def _get_conn(self, timeout):
        conn = super()._get_conn(timeout)
        channel = conn.sock
        if channel is not None and (channel.closed or channel.eof_received):
            conn.close()  # the request opens a new channel
        return conn


class PinnedSSHAdapter(SSHHTTPAdapter):
    """docker-py's SSH transport with the console's own key and pinned host key, and
    a new SSH session once the old one died (docker-py keeps using a dead one: "SSH
    session not active" until the client is rebuilt).

    docker-py reads ~/.ssh and rejects unknown keys; a console keeps both per host.
    """

    def __init__(self, base_url: str, *, pkey, host_key: str, timeout: float):
        self._pkey = pkey
        self._host_key = host_key
        # The parent's __init__ connects before it stores `timeout`.
        self._connect_timeout = timeout
        super().__init__(base_url, timeout=timeout, max_pool_size=4)

    def _create_paramiko_client(self, base_url):
        url = urlsplit(base_url)
        port = url.port or 22
        self.ssh_client = paramiko.SSHClient()
        self.ssh_client.set_missing_host_key_policy(_UnknownHostKey())
        if self._host_key:
            known_name = url.hostname if port == 22 else f"[{url.hostname}]:{port}"
            pinned = parse_key_line(self._host_key)
            self.ssh_client.get_host_keys().add(known_name, pinned.get_name(), pinned)
        self.ssh_params = {
            "hostname": url.hostname,
            "port": port,
            "username": url.username,
            "pkey": self._pkey,
            "allow_agent": False,
            "look_for_keys": False,
        }

    def _connect(self):
        timeout = call_timeout(self._connect_timeout)
        self.ssh_client.connect(
            **self.ssh_params, timeout=timeout, banner_timeout=timeout, auth_timeout=timeout
        )

    def get_connection(self, url, proxies=None):
        with self.pools.lock:
            transport = self.ssh_client.get_transport()
            if transport is None or not transport.is_active():
                # sshd restarted or the network dropped: every pool holds the dead session.
                with contextlib.suppress(*_DEAD_SESSION):
                    self.pools.clear()
                self._connect()
            pool = self.pools.get(url)
            if pool is None:
                pool = _SSHPool(
                    ssh_client=self.ssh_client,
                    timeout=self.timeout,
                    maxsize=self.max_pool_size,
                    host=self.ssh_host,
                )
                self.pools[url] = pool
        return pool


class PinnedTLSAdapter(requests.adapters.HTTPAdapter):
    """HTTPS with exactly the host's CA and client certificate, nothing from the
    environment or the system trust store."""

    def __init__(self, ssl_context: ssl.SSLContext):
        self._ssl_context = ssl_context
        super().__init__()

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, _ = super().build_connection_pool_key_attributes(request, verify, cert)
        return host_params, {"ssl_context": self._ssl_context}

    def cert_verify(self, conn, url, verify, cert):
        """The context already holds the CA and client certificate."""


@contextlib.contextmanager
def _private_file(data: str) -> Iterator[str]:
    """A path holding `data` just long enough for OpenSSL to read it.

    Python's ssl can only load a client key from a path; on Linux an anonymous
    memory file keeps the key off the disk entirely.
    """
    if sys.platform.startswith("linux"):
        fd = os.memfd_create("console-key", os.MFD_CLOEXEC)
        try:
            os.write(fd, data.encode())
            yield f"/proc/self/fd/{fd}"
        finally:
            os.close(fd)
    else:  # pragma: no cover - other platforms
        with tempfile.NamedTemporaryFile("w", delete=True) as tmp:
            os.chmod(tmp.name, 0o600)
            tmp.write(data)
            tmp.flush()
            yield tmp.name


def tls_context(ca_cert: str, client_cert: str, client_key: str) -> ssl.SSLContext:
    """An SSL context trusting only `ca_cert` and presenting the client certificate.

    Raises ssl.SSLError / ValueError when the PEM data is unusable or the key does
    not match the certificate.
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cadata=ca_cert)
    if client_cert or client_key:
        with _private_file(client_cert) as cert_path, _private_file(client_key) as key_path:
            ctx.load_cert_chain(cert_path, key_path)
    return ctx


_limit = threading.local()


@contextlib.contextmanager
def answer_by(moment: float) -> Iterator[None]:
    """Engine calls this thread makes inside give up at `moment` (time.monotonic()) when
    it comes before their timeout: a call no page waits for any more must not hold its
    thread (and a fan-out slot of its host) until the engine timeout."""
    outer = getattr(_limit, "moment", None)
    _limit.moment = moment if outer is None else min(outer, moment)
    try:
        yield
    finally:
        _limit.moment = outer


def call_timeout(timeout: float | None) -> float | None:
    """`timeout`, shortened to what is left before this thread's `answer_by` moment."""
    moment = getattr(_limit, "moment", None)
    if moment is None:
        return timeout
    # Never zero: requests would make the socket non-blocking instead of failing.
    left = max(moment - time.monotonic(), 0.01)
    return left if timeout is None else min(timeout, left)


class _EngineClient(docker.APIClient):
    """docker-py's client; every request's timeout honours the thread's `answer_by`."""

    @property
    def timeout(self):
        return call_timeout(self._timeout)

    @timeout.setter
    def timeout(self, value):
        self._timeout = value


def _build(host) -> docker.APIClient:
    timeout = settings.CONSOLE_ENGINE_TIMEOUT
    url = host.url
    scheme = urlsplit(url).scheme
    if scheme == "npipe" and sys.platform != "win32":
        raise errors.UnsupportedTransport(
            "Named pipes work only when the console itself runs on that Windows machine. "
            "Reach this engine over SSH or TLS instead."
        )
    if scheme == "ssh":
        # use_ssh_client keeps docker-py from connecting on its own; the pinned
        # adapter below replaces its transport before the first request.
        api = _EngineClient(
            base_url=url,
            version=docker.constants.MINIMUM_DOCKER_API_VERSION,
            timeout=timeout,
            use_ssh_client=True,
        )
        pkey = load_private_key(host.ssh_private_key.reveal(), host.ssh_passphrase.reveal())
        adapter = PinnedSSHAdapter(url, pkey=pkey, host_key=host.ssh_host_key, timeout=timeout)
        api._custom_adapter = adapter
        api.mount("http+docker://ssh", adapter)
    elif scheme == "tcp" and host.tls:
        netloc = urlsplit(url).netloc
        api = _EngineClient(
            base_url=f"https://{netloc}",
            version=docker.constants.MINIMUM_DOCKER_API_VERSION,
            timeout=timeout,
        )
        ctx = tls_context(host.tls_ca_cert, host.tls_client_cert, host.tls_client_key.reveal())
        adapter = PinnedTLSAdapter(ctx)
        api._custom_adapter = adapter
        api.mount("https://", adapter)
    else:
        api = _EngineClient(
            base_url=url, version=docker.constants.MINIMUM_DOCKER_API_VERSION, timeout=timeout
        )
    # REQUESTS_CA_BUNDLE and proxies from the environment must not apply to engines.
    api.trust_env = False
    server = api.version(api_version=False)
    server_api = server.get("ApiVersion", docker.constants.MINIMUM_DOCKER_API_VERSION)
    api._version = server_api if version_lt(server_api, MAX_API_VERSION) else MAX_API_VERSION
    return api


_cache: dict[int, tuple[object, docker.APIClient]] = {}
_cache_lock = threading.Lock()


def client_for(host) -> docker.APIClient:
    """The cached client for `host`, built (and version-negotiated) on first use."""
    stamp = (host.url, host.tls, host.updated_at)
    with _cache_lock:
        cached = _cache.get(host.pk)
    if cached and cached[0] == stamp:
        return cached[1]
    with translate():
        api = _build(host)
    with _cache_lock:
        old = _cache.get(host.pk)
        _cache[host.pk] = (stamp, api)
    if old and old[1] is not api:
        _close(old[1])
    return api


def _close(api: docker.APIClient) -> None:
    # An SSH client whose session died raises while it says goodbye on it.
    with contextlib.suppress(*_DEAD_SESSION):
        api.close()


def forget(host) -> None:
    """Drop the cached client, e.g. after the host was removed or failed."""
    with _cache_lock:
        cached = _cache.pop(host.pk, None)
    if cached:
        _close(cached[1])


def forget_all() -> None:
    with _cache_lock:
        cached = list(_cache.values())
        _cache.clear()
    for _, api in cached:
        _close(api)


def _reason(exc: BaseException) -> str:
    """The innermost useful text of a wrapped network error."""
    seen = exc
    while True:
        inner = getattr(seen, "reason", None) or seen.__cause__ or seen.__context__
        if inner is None or inner is seen:
            break
        seen = inner
    for cls, text in (
        (ConnectionRefusedError, "connection refused"),
        (FileNotFoundError, "no such socket"),
        (PermissionError, "permission denied on the socket"),
        (socket.gaierror, "name does not resolve"),
    ):
        if isinstance(seen, cls):
            return text
    return str(seen) or type(seen).__name__


def _ssl_message(exc: BaseException) -> errors.TLSFailure:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        detail = "hostname mismatch" if "match" in text or "mismatch" in text else "untrusted"
        return errors.TLSFailure(
            "The engine's certificate is not signed by the CA certificate given for this "
            f"host ({detail})."
        )
    return errors.TLSFailure(
        "The engine refused the client certificate (it is not signed by a CA the engine "
        "trusts, or it does not match)."
    )


def _is_ssl(exc: BaseException) -> BaseException | None:
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(
            seen, (ssl.SSLError, requests.exceptions.SSLError, urllib3.exceptions.SSLError)
        ):
            return seen
        seen = getattr(seen, "reason", None) or seen.__cause__ or seen.__context__
    return None


# What the engine refused for the person asking, not a failure for an admin to see.
ROUTINE = (errors.NotFound, errors.Conflict)


def translate_exception(exc: BaseException) -> errors.EngineError:
    """Map any exception from talking to an engine onto the console's error family, and
    log what it became, with the host and user it happened for."""
    if isinstance(exc, errors.EngineError):
        return exc
    error = _translated(exc)
    logger.log(
        logging.INFO if isinstance(error, ROUTINE) else logging.WARNING,
        "%s %s: %s",
        acting.who(),
        type(error).__name__,
        error.message,
    )
    return error


def _translated(exc: BaseException) -> errors.EngineError:
    if isinstance(exc, docker.errors.NotFound):
        return errors.NotFound(exc.explanation or str(exc))
    if isinstance(exc, docker.errors.APIError):
        message = exc.explanation or str(exc)
        if exc.status_code == 409:
            return errors.Conflict(message)
        if exc.status_code in (401, 403):
            return errors.EnginePermissionDenied(message)
        return errors.EngineError(message)
    if isinstance(exc, paramiko.BadHostKeyException):
        return errors.HostKeyMismatch(
            f"The SSH server now presents the host key {fingerprint(exc.key)}, not the pinned "
            f"{fingerprint(exc.expected_key)}. Connection refused: confirm the change with "
            "the server's owner, then pin the new key."
        )
    if isinstance(exc, paramiko.AuthenticationException):
        return errors.AuthFailure("The SSH server refused the private key for this user.")
    if isinstance(exc, paramiko.PasswordRequiredException):
        return errors.AuthFailure("The SSH private key needs a passphrase.")
    if isinstance(exc, paramiko.SSHException):
        text = str(exc)
        if "banner" in text or "timed out" in text.lower():
            return errors.HostTimeout(f"The SSH server did not answer in time ({text}).")
        return errors.HostUnreachable(f"SSH failed: {text}")
    if (ssl_exc := _is_ssl(exc)) is not None:
        return _ssl_message(ssl_exc)
    if (
        isinstance(
            exc,
            (
                requests.exceptions.Timeout,
                socket.timeout,
                TimeoutError,
                urllib3.exceptions.TimeoutError,
            ),
        )
        or "timed out" in str(exc).lower()
    ):
        return errors.HostTimeout("The engine did not answer in time.")
    if isinstance(
        exc, (requests.exceptions.ConnectionError, OSError, urllib3.exceptions.HTTPError)
    ):
        return errors.HostUnreachable(f"Cannot connect: {_reason(exc)}.")
    if isinstance(exc, docker.errors.DockerException):
        return errors.EngineError(str(exc))
    if isinstance(exc, ValueError):
        return errors.EngineError(f"Unusable connection settings: {exc}")
    raise exc


@contextlib.contextmanager
def translate() -> Iterator[None]:
    try:
        yield
    except errors.EngineError:
        raise
    except Exception as exc:
        raise translate_exception(exc) from exc


def ssh_host_key(url: str) -> tuple[str, str]:
    """The host key the SSH server at `url` presents now: (key line, fingerprint)."""
    parts = urlsplit(url)
    with translate():
        sock = socket.create_connection(
            (parts.hostname, parts.port or 22), timeout=settings.CONSOLE_ENGINE_TIMEOUT
        )
        transport = paramiko.Transport(sock)
        try:
            transport.start_client(timeout=settings.CONSOLE_ENGINE_TIMEOUT)
            key = transport.get_remote_server_key()
        finally:
            transport.close()
    return key_line(key), fingerprint(key)
