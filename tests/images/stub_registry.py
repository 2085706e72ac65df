"""A stand-in for a registry's v2 API on 127.0.0.1 (the fleet's registry has no auth):
Basic or Bearer (token service) challenges, paginated catalog and tags lists, and a
record of what each request sent. Only the v2 read API; not a registry."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class StubRegistry:
    auth: str | None = None  # None, "basic" or "bearer"
    username: str = "robot"
    password: str = "s3cret-token"
    repositories: list[str] = field(default_factory=list)
    tags: dict[str, list[str]] = field(default_factory=dict)
    link: bool = True  # paginate with a Link header; False: only n/last
    token: str = "bearer-token-42"
    seen: list[tuple[str, str]] = field(default_factory=list)  # (path, Authorization)
    url: str = ""

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    def basic(self) -> str:
        pair = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode()


def _page(items: list[str], query: dict, path: str, link: bool):
    n = int(query.get("n", ["100"])[0])
    last = query.get("last", [""])[0]
    start = items.index(last) + 1 if last in items else 0
    page = items[start : start + n]
    headers = {}
    if start + n < len(items) and link:
        headers["Link"] = f'<{path}?last={page[-1]}&n={n}>; rel="next"'
    return page, headers


def _errors(code: str, message: str) -> dict:
    return {"errors": [{"code": code, "message": message}]}


def _handler(stub: StubRegistry):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status: int, body: dict, headers: dict | None = None):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _challenge(self):
            if stub.auth == "basic":
                header = 'Basic realm="stub"'
            else:
                header = (
                    f'Bearer realm="{stub.url}/token",service="stub",scope="registry:catalog:*"'
                )
            body = _errors("UNAUTHORIZED", "authentication required")
            self._send(401, body, {"WWW-Authenticate": header})

        def do_GET(self):
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            given = self.headers.get("Authorization", "")
            stub.seen.append((self.path, given))
            if parts.path == "/token":
                if given != stub.basic():
                    self._send(401, {"details": "bad credentials"})
                else:
                    self._send(200, {"token": stub.token})
                return
            expected = {"basic": stub.basic(), "bearer": f"Bearer {stub.token}"}.get(stub.auth)
            if expected and given != expected:
                self._challenge()
            elif parts.path == "/v2/":
                self._send(200, {})
            elif parts.path == "/v2/_catalog":
                page, headers = _page(stub.repositories, query, parts.path, stub.link)
                self._send(200, {"repositories": page}, headers)
            elif parts.path.startswith("/v2/") and parts.path.endswith("/tags/list"):
                name = parts.path[len("/v2/") : -len("/tags/list")]
                if name not in stub.tags:
                    self._send(404, _errors("NAME_UNKNOWN", "repository name not known"))
                    return
                page, headers = _page(stub.tags[name], query, parts.path, stub.link)
                self._send(200, {"name": name, "tags": page}, headers)
            else:
                self._send(404, _errors("MANIFEST_UNKNOWN", "manifest unknown"))

        def _other(self):
            """HEAD/POST/PUT (a push): recorded, challenged, then refused."""
            given = self.headers.get("Authorization", "")
            stub.seen.append((f"{self.command} {self.path}", given))
            expected = {"basic": stub.basic(), "bearer": f"Bearer {stub.token}"}.get(stub.auth)
            if expected and given != expected:
                self._challenge()
                return
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_HEAD = do_POST = do_PUT = _other

    return Handler


@pytest.fixture
def stub_registry():
    """stub_registry(**StubRegistry fields) -> a running StubRegistry on 127.0.0.1."""
    servers = []

    def start(**kwargs) -> StubRegistry:
        stub = StubRegistry(**kwargs)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
        stub.url = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return stub

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
