"""Names, labels, env values, log lines and file names that carry HTML, javascript: URLs
and ANSI escapes render inert on every page that shows them (the Chromium side is
tests/e2e/test_hostile.py)."""

from __future__ import annotations

import re
import time
import uuid
from urllib.parse import quote

import pytest

from tests import hostile


@pytest.fixture
def hostile_container(make_container, engine_api):
    name = f"hostile-{uuid.uuid4().hex[:8]}"
    cid = make_container(name, hostile.command(), labels=hostile.LABELS, environment=hostile.ENV)
    # The files and log lines exist once the first command has run.
    for _ in range(50):
        if b"osc-link" in engine_api.logs(cid, stdout=False, stderr=True):
            break
        time.sleep(0.1)
    return name


def _pages(name: str) -> dict[str, str]:
    base = f"/hosts/unix/containers/{name}"
    return {
        "list": "/hosts/unix/containers/?all=1&label=console.test.hostile",
        "all hosts": "/containers/?label=console.test.hostile",
        "detail": f"{base}/",
        "inspect": f"{base}/inspect/",
        "logs": f"{base}/logs/?tail=all",
        "files": f"{base}/files/?path={quote('/tmp/hostile')}",
        "top": f"{base}/top/",
        "json": "/hosts/unix/containers/?all=1&label=console.test.hostile&format=json",
    }


def test_every_page_renders_the_payloads_inert(admin_client, unix_host, hostile_container):
    seen: dict[str, str] = {}
    for page, url in _pages(hostile_container).items():
        response = admin_client.get(url)
        assert response.status_code == 200, (page, response.status_code)
        html = response.content.decode()
        if page == "json":  # data, never rendered as a page
            assert response["Content-Type"] == "application/json"
            assert response["X-Content-Type-Options"] == "nosniff"
        else:
            assert hostile.live_markup(html) == [], page
        seen[page] = html
    # The payloads did reach the pages, escaped: the test is not vacuous. (Log lines come
    # over the websocket as data; the browser test checks how the page shows them.)
    escaped_script = "&lt;script&gt;window.__pwned=1&lt;/script&gt;"
    assert escaped_script in seen["inspect"]  # labels and command
    # Env values show only when revealed (a POST to the page): inert there too.
    for page in ("detail", "inspect"):
        html = admin_client.post(_pages(hostile_container)[page]).content.decode()
        assert hostile.live_markup(html) == [], f"{page}, revealed"
        env_value = re.compile(r"EVIL_SCRIPT(=|</code></dt><dd><code>)&lt;script&gt;window")
        assert env_value.search(html), f"{page}, revealed"
    assert "&lt;img src=x onerror=window.__pwned=1&gt;" in seen["files"]
    assert "&lt;svg onload=window.__pwned=1&gt;" in seen["files"]
    assert hostile_container in seen["list"] and hostile_container in seen["all hosts"]
    assert hostile.SCRIPT in seen["json"]  # JSON carries the data as data


def test_hostile_file_names_link_only_inside_the_console(
    admin_client, unix_host, hostile_container
):
    html = admin_client.get(_pages(hostile_container)["files"]).content.decode()
    for href in re.findall(r'href="([^"]*)"', html):
        assert not href.strip().lower().startswith(("javascript:", "data:")), href


def test_log_download_is_plain_text(admin_client, unix_host, hostile_container):
    response = admin_client.get(f"/hosts/unix/containers/{hostile_container}/logs/download/")
    assert response["Content-Type"].startswith(("text/plain", "application/octet-stream"))
    assert response["X-Content-Type-Options"] == "nosniff"
