"""console/web/daphne.py through a real daphne: a big download to a slow client and a big
upload leave daphne's memory where it was; and when daphne or Twisted no longer have
what that glue leans on, the console says so once, as it starts."""

from __future__ import annotations

import base64
import http.client
import json
import logging
import subprocess
import sys
import time
import uuid

import pytest

from tests.daphne import ROOT, PeakRSS, serve_console

MB = 1024 * 1024
SIZE = 200 * MB
# What daphne may grow by while it moves SIZE bytes: far less than SIZE.
BOUND_MB = 64
# The slow client: well under what the engine and the console deliver.
CLIENT_BYTES_PER_SECOND = 25 * MB
CHUNK = MB


@pytest.fixture(scope="module")
def served(tmp_path_factory, fleet):
    """(console, its admin's session cookie), with engine A registered as "paced"."""
    with serve_console(tmp_path_factory.mktemp("daphne")) as console:
        console.manage("addhost", "paced", fleet.unix_url)
        yield console, console.session_cookie()


@pytest.fixture
def big_container(make_container, engine_api):
    """A stopped container whose file system holds SIZE bytes in /big.bin."""
    name = f"daphne-{uuid.uuid4().hex[:8]}"
    fill = f"head -c {SIZE} /dev/zero > /big.bin"
    cid = make_container(name, ["sh", "-c", fill])
    assert engine_api.wait(cid, timeout=120)["StatusCode"] == 0
    return name


def _connection(console) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", console.port, timeout=120)


def _warm(console, cookie: str) -> None:
    """One page that touches the engine: imports and the engine client are made before
    the peak is reset."""
    connection = _connection(console)
    connection.request("GET", "/hosts/paced/containers/", headers={"Cookie": f"sessionid={cookie}"})
    assert connection.getresponse().read()
    connection.close()


def test_a_big_download_to_a_slow_client_stays_out_of_memory(served, big_container):
    console, cookie = served
    server = PeakRSS(console.pid)
    _warm(console, cookie)
    server.reset()
    connection = _connection(console)
    connection.request(
        "GET",
        f"/hosts/paced/containers/{big_container}/export/",
        headers={"Cookie": f"sessionid={cookie}"},
    )
    response = connection.getresponse()
    assert response.status == 200
    received, started = 0, time.monotonic()
    while chunk := response.read(CHUNK):
        received += len(chunk)
        # Read at the client's rate: what the console sends faster waits somewhere.
        ahead = received / CLIENT_BYTES_PER_SECOND - (time.monotonic() - started)
        if ahead > 0:
            time.sleep(ahead)
    connection.close()

    assert received > SIZE
    assert server.growth_mb() < BOUND_MB


def test_a_big_upload_stays_out_of_memory(served, big_container, engine_api):
    console, cookie = served
    server = PeakRSS(console.pid)
    _warm(console, cookie)
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="path"\r\n\r\n/\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="up.bin"'
        "\r\nContent-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    csrf = "c" * 32
    server.reset()
    connection = _connection(console)
    connection.putrequest("POST", f"/hosts/paced/containers/{big_container}/files/upload/")
    for name, value in {
        "Cookie": f"sessionid={cookie}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Content-Length": str(len(head) + SIZE + len(tail)),
    }.items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(head)
    piece = b"u" * CHUNK
    for _ in range(SIZE // CHUNK):
        connection.send(piece)
    connection.send(tail)
    response = connection.getresponse()
    page = response.read().decode()
    connection.close()

    assert response.status == 302, page[-800:]  # to the files page, which says "uploaded"
    assert _size_in(engine_api, big_container, "/up.bin") == SIZE
    assert server.growth_mb() < BOUND_MB


def _size_in(engine_api, container: str, path: str) -> int:
    """The size of `path` in `container`, as the engine's archive endpoint states it."""
    answer = engine_api.head(
        engine_api._url("/containers/{0}/archive", container), params={"path": path}
    )
    answer.raise_for_status()
    return json.loads(base64.b64decode(answer.headers["X-Docker-Container-Path-Stat"]))["size"]


def test_this_daphne_has_what_the_glue_needs(caplog):
    from console.web.daphne import check_daphne

    with caplog.at_level(logging.WARNING, logger="console.web.daphne"):
        assert check_daphne() == []
    assert caplog.records == []


def test_a_changed_daphne_is_one_warning_naming_what_is_missing_and_its_cost(caplog, monkeypatch):
    from daphne.server import Server
    from twisted.internet.abstract import FileDescriptor

    from console.web.daphne import check_daphne

    def create_application(self, protocol, scope):  # a daphne that hides the request
        self.application(scope=scope, receive=None, send=lambda message: None)

    monkeypatch.setattr(Server, "create_application", create_application)
    monkeypatch.delattr(FileDescriptor, "bufferSize")
    with caplog.at_level(logging.WARNING, logger="console.web.daphne"):
        missing = check_daphne()

    assert len(missing) == 2
    [warning] = caplog.records
    assert warning.levelno == logging.WARNING
    text = warning.getMessage()
    assert "Server.create_application" in text and "FileDescriptor.bufferSize" in text
    assert "uploads will be held in memory" in text
    assert "downloads (export, save, cp) are not paced" in text


def test_the_console_checks_daphne_as_it_starts(tmp_path):
    """Building the application (what daphne does first) logs the warning, through the
    console's own logging settings."""
    start = (
        "from twisted.internet import abstract\n"
        "del abstract.FileDescriptor.bufferSize\n"
        "import console.asgi\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", start],
        cwd=ROOT,
        env={"CONSOLE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    [line] = [line for line in done.stderr.splitlines() if "steps aside" in line]
    assert " WARNING console.web.daphne " in line and "FileDescriptor.bufferSize" in line
