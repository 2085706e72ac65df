"""Hostile container data in Chromium: on every page that shows it, and in the live log
view over the websocket, no payload runs (window.__pwned stays undefined) and nothing is
even stopped by the CSP (it never reached the page as markup)."""

import uuid
from urllib.parse import quote

from tests import hostile
from tests.browser import log_in, wait_until


def test_hostile_data_stays_inert_in_the_browser(
    page, console_server, e2e_host, engine_containers, csp_violations
):
    name = f"e2e-hostile-{uuid.uuid4().hex[:6]}"
    engine_containers(name, hostile.command(), labels=hostile.LABELS, environment=hostile.ENV)
    log_in(page, console_server)
    base = f"/hosts/{e2e_host}/containers/{name}"
    pages = [
        (f"/hosts/{e2e_host}/containers/?all=1&label=console.test.hostile", f"text={name}"),
        ("/containers/?label=console.test.hostile", f"text={name}"),
        (f"{base}/", "main h1"),
        (f"{base}/inspect/", "text=EVIL_SCRIPT"),
        (f"{base}/files/?path={quote('/tmp/hostile')}", "text=<svg onload=window.__pwned=1>"),
    ]
    for path, ready in pages:
        csp_violations.visit(console_server.url + path, ready)
        assert page.evaluate("typeof window.__pwned") == "undefined", path

    # Log lines arrive over the websocket and are drawn by logs.js + ansi.js.
    page.goto(f"{console_server.url}{base}/logs/?tail=all")
    wait_until(page, "document.querySelectorAll('#log .line').length >= 8")
    text = page.locator("#log").inner_text()
    assert hostile.SCRIPT in text and hostile.IMG in text  # shown as text
    assert "osc-link" in text
    assert page.locator("#log script, #log img, #log svg, #log a[href^=javascript]").count() == 0
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert csp_violations.collect() == []
