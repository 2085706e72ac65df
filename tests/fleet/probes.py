"""Readiness probes: whether an engine, containerd, the registry or sshd answers yet."""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Callable


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
