"""What the server's log says when a socket, a job, an engine or the vault fails: one
line an admin can grep, naming the logger, the host and the user."""

from __future__ import annotations

import http.client
import logging

import pytest
from channels.db import database_sync_to_async

from console.containers.logs import LogsConsumer
from console.streams import jobs
from tests.daphne import serve_console

pytestmark = pytest.mark.django_db(transaction=True)


def _lines(caplog, logger: str, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger and r.levelno == level]


@pytest.mark.asyncio
async def test_a_consumer_crash_names_host_and_user(ws, admin_user, unix_host, monkeypatch, caplog):
    async def crash(self):
        raise RuntimeError("a bug in the stream")

    monkeypatch.setattr(LogsConsumer, "stream", crash)
    socket = await ws("/ws/hosts/unix/containers/any/logs/", admin_user)
    await socket.until_closed()

    assert socket.close_code == 4500
    [line] = _lines(caplog, "console.streams.consumers", logging.ERROR)
    assert f"host=unix user={admin_user.username}" in line
    assert "/ws/hosts/unix/containers/any/logs/" in line


@pytest.mark.asyncio
async def test_a_crash_on_input_names_host_and_user(
    ws, admin_user, unix_host, make_container, monkeypatch, caplog
):
    async def crash(self, message):
        raise RuntimeError("a bug in the input handling")

    cid = await database_sync_to_async(make_container)("log-lines-input")
    monkeypatch.setattr(LogsConsumer, "on_message", crash)
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/logs/?follow=1", admin_user)
    await socket.communicator.send_json_to({"resize": 1})
    await socket.until_closed()

    assert socket.close_code == 4500
    [line] = _lines(caplog, "console.streams.consumers", logging.ERROR)
    assert f"host=unix user={admin_user.username}" in line


class _Failing(jobs.Job):
    """A job whose engine stream cannot be opened (`engine`) or whose own code fails on
    the first item (`bug`)."""

    action = "test.fail"

    def __init__(self, host, user, where: str):
        super().__init__(host, user, "the-target")
        self.where = where

    def open_source(self):
        if self.where == "engine":
            raise ConnectionRefusedError("refused")
        return _OneItem()

    def take(self, item) -> None:
        raise RuntimeError("a bug in the job")


class _OneItem(list):
    def __init__(self):
        super().__init__([1])

    def close(self) -> None: ...


@pytest.mark.parametrize(("where", "level"), [("bug", logging.ERROR), ("engine", logging.WARNING)])
def test_a_job_failure_names_host_and_user(admin_user, unix_host, caplog, where, level):
    job = jobs.start(_Failing(unix_host, admin_user, where))
    assert job.finished.wait(10)

    [line] = _lines(caplog, "console.streams.jobs", level)
    assert f"host=unix user={admin_user.username}" in line
    assert "test.fail" in line and "the-target" in line


def test_an_engine_error_names_host_and_user(admin_client, admin_user, gone_host, caplog):
    page = admin_client.get("/hosts/gone/containers/")

    assert "no such socket" in page.content.decode()
    [line] = _lines(caplog, "console.engine.client", logging.WARNING)
    assert f"host=gone user={admin_user.username}" in line
    assert "HostUnreachable" in line and "no such socket" in line


def test_a_vault_failure_names_host_and_user(
    admin_client, admin_user, fleet, tls_host, settings, caplog
):
    settings.CONSOLE_SECRET = "not the secret the key was saved with"
    admin_client.get("/hosts/tls/containers/")

    [line] = _lines(caplog, "console.hosts.vault", logging.ERROR)
    assert f"host=tls user={admin_user.username}" in line
    assert "CONSOLE_SECRET_KEY" in line


def test_log_lines_name_logger_and_level(settings):
    formatter = logging.Formatter(settings.LOGGING["formatters"]["console"]["format"])
    record = logging.LogRecord("console.engine.client", logging.WARNING, "", 0, "x", (), None)
    line = formatter.format(record)
    assert "WARNING console.engine.client x" in line


def test_daphne_logs_name_the_host_and_user_of_a_page_and_of_a_fan_out(tmp_path_factory):
    """Under daphne, as `make run` serves it: the request's naming reaches the engine's
    line for the host page, and each host's call of the dashboard's fan-out."""
    data = tmp_path_factory.mktemp("log-lines")
    with serve_console(data) as console:
        console.manage("addhost", "gone", f"unix://{data}/none.sock")
        cookie = console.session_cookie()
        for page in ("/hosts/gone/containers/", "/"):
            connection = http.client.HTTPConnection("127.0.0.1", console.port, timeout=30)
            connection.request("GET", page, headers={"Cookie": f"sessionid={cookie}"})
            assert connection.getresponse().read()
            connection.close()
        logged = console.log.read_text().splitlines()

    named = [
        line for line in logged if " WARNING console.engine.client host=gone user=admin " in line
    ]
    assert len(named) == 2, logged
    assert all("HostUnreachable: Cannot connect: no such socket." in line for line in named)
