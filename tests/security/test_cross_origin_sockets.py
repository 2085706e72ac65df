"""A page on another port of the same machine, in the browser of a logged-in user, tries
the console's sockets: the browser sends the session cookie (ports do not make another
site), so only the Origin check stands between that page and a root shell."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser import log_in
from tests.conftest import STOPPABLE

TRY_SOCKET = """(url) => new Promise((resolve) => {
  const seen = [];
  const ws = new WebSocket(url);
  ws.onopen = () => seen.push("open");
  ws.onmessage = (e) => seen.push(String(e.data));
  ws.onclose = (e) => resolve({seen, code: e.code});
})"""


class _Blank(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<!doctype html><title>another site</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def other_origin() -> Iterator[str]:
    """http://127.0.0.1:PORT, a page that is not the console's."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Blank)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _exists(api, container: str, path: str) -> bool:
    exec_id = api.exec_create(container, ["test", "-e", path])["Id"]
    api.exec_start(exec_id)
    return api.exec_inspect(exec_id)["ExitCode"] == 0


def test_a_page_on_another_port_cannot_open_a_terminal(
    page, console_server, e2e_host, engine_containers, other_origin
):
    cid = engine_containers("xo-target", STOPPABLE)
    api = engine_containers.api
    log_in(page, console_server)
    ws_base = console_server.url.replace("http://", "ws://")
    terminal = f"{ws_base}/ws/hosts/{e2e_host}/containers/xo-target/terminal/"

    page.goto(other_origin + "/")
    result = page.evaluate(TRY_SOCKET, terminal + "?cmd=touch%20/tmp/pwned")
    assert "open" not in result["seen"] and result["seen"] == []
    pull = page.evaluate(TRY_SOCKET, f"{ws_base}/ws/hosts/{e2e_host}/images/pull/?ref=x:1")
    assert pull["seen"] == []
    assert not _exists(api, cid, "/tmp/pwned")

    # The same call from the console's own page works: the probe above could have failed.
    page.goto(console_server.url + "/")
    page.evaluate(f"() => {{ new WebSocket({terminal + '?cmd=touch%20/tmp/own'!r}); }}")
    checks = 0
    while not _exists(api, cid, "/tmp/own"):
        checks += 1
        assert checks < 300, "the console's own page could not open its terminal"
        page.wait_for_timeout(100)
