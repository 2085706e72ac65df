"""A body larger than CONSOLE_UPLOAD_LIMIT is refused by what it announces, before it is
sent (nothing spooled), and a spooled body never outlives its request: checked on a real
daphne with raw HTTP, and on the process's open files."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.daphne import ROOT, free_port, start_daphne

LIMIT = 1024 * 1024
UPLOAD = "/hosts/any/containers/any/files/upload/"
HEADERS = "Host: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=xyz\r\n"


@pytest.fixture(scope="module")
def daphne(tmp_path_factory) -> Iterator[tuple[int, int]]:
    """(port, pid) of a daphne serving the console with a 1 MiB upload limit."""
    data = tmp_path_factory.mktemp("console-limit")
    env = os.environ | {
        "CONSOLE_DATA_DIR": str(data),
        "CONSOLE_UPLOAD_LIMIT": str(LIMIT),
        "DOCKER_HOST": "",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    port = free_port()
    with open(data / "daphne.log", "w") as log:
        server = start_daphne(port, env, log)
        try:
            yield port, server.pid
        finally:
            server.terminate()
            server.wait(10)


def _connect(port: int) -> socket.socket:
    # The timeout is a deadline for answers that must come at once, not a wait.
    return socket.create_connection(("127.0.0.1", port), timeout=15)


def _answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def _deleted_files(pid: int) -> list[str]:
    held = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:  # closed while listed
            continue
        if target.endswith("(deleted)"):
            held.append(target)
    return held


def _until_no_deleted_files(pid: int) -> list[str]:
    """Waits (up to 10 s) for the state: no deleted file held open."""
    deadline = time.monotonic() + 10
    while (held := _deleted_files(pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return held


def test_a_body_announced_too_large_is_refused_before_it_is_sent(daphne):
    port, pid = daphne
    with _connect(port) as sock:
        sock.sendall(
            f"POST {UPLOAD} HTTP/1.1\r\n{HEADERS}Content-Length: {300 << 20}\r\n\r\n".encode()
        )
        answer = _answer(sock)  # no byte of the body was sent
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
        text = answer.decode()
        assert "(315MB)" in text and "limit of 1.05MB" in text and "CONSOLE_UPLOAD_LIMIT" in text
        assert "nothing was written" in text
        assert _deleted_files(pid) == []


def test_expect_continue_gets_the_refusal_and_no_continue(daphne):
    port, _ = daphne
    with _connect(port) as sock:
        sock.sendall(
            f"POST {UPLOAD} HTTP/1.1\r\n{HEADERS}Content-Length: {2 * LIMIT + (1 << 20)}\r\n"
            "Expect: 100-continue\r\n\r\n".encode()
        )
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 413 ") and b"100 Continue" not in answer


def test_a_chunked_body_is_refused_once_it_passes_the_limit(daphne):
    port, pid = daphne
    piece = b"x" * 65536
    with _connect(port) as sock:
        sock.sendall(
            f"POST {UPLOAD} HTTP/1.1\r\n{HEADERS}Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        sent = 0
        while sent <= 2 * LIMIT + (1 << 20):  # past the limit and the form's allowance
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            sent += len(piece)
        sock.shutdown(socket.SHUT_WR)  # the rest of the body never comes
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert _until_no_deleted_files(pid) == []


def test_a_spooled_body_is_closed_with_its_request(daphne):
    """Twisted spools a body of 100 kB or more to a deleted temporary file; the console
    reads it from there and must close it when the request is over."""
    port, pid = daphne
    body = b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n' + b"y" * 300_000
    body += b"\r\n--xyz--\r\n"
    for _ in range(3):
        with _connect(port) as sock:
            sock.sendall(
                f"POST {UPLOAD} HTTP/1.1\r\n{HEADERS}Content-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n".encode()
                + body
            )
            answer = _answer(sock)
        assert answer.split(b" ", 2)[1] in (b"302", b"403"), answer[:200]  # login or CSRF
    assert _until_no_deleted_files(pid) == []


def test_a_browser_posting_a_large_file_shows_the_refusal(daphne, page):
    """Chromium is still sending when the answer comes: it shows the answer, not a
    connection reset."""
    port, pid = daphne
    page.set_content(
        '<form method="post" enctype="multipart/form-data" '
        f'action="http://127.0.0.1:{port}{UPLOAD}">'
        '<input type="file" name="files"><button>Upload</button></form>'
    )
    big = {"name": "big.bin", "mimeType": "application/octet-stream"}
    page.set_input_files("input", files=[big | {"buffer": os.urandom(8 << 20)}])
    with page.expect_navigation():
        page.click("button")
    assert page.locator("h1").inner_text() == "Upload too large"
    assert "larger than the limit of 1.05MB" in page.locator("p").first.inner_text()
    assert _until_no_deleted_files(pid) == []
