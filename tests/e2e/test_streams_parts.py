"""The logs page in real Chromium joins a frame sent in parts (static/js/live.js)."""

from __future__ import annotations

from tests.browser import log_in, wait_until

MIB = 1024 * 1024
LINE_LENGTHS = "Array.from(document.querySelectorAll('#log .line'), (l) => l.textContent.length)"


def test_the_page_shows_a_line_sent_in_parts(page, console_server, e2e_host, engine_containers):
    command = ["sh", "-c", f"head -c {MIB - 1} /dev/zero | tr '\\0' x; echo; echo done"]
    cid = engine_containers("security-long-line", command)
    engine_containers.api.wait(cid, timeout=60)
    log_in(page, console_server)
    page.goto(f"{console_server.url}/hosts/{e2e_host}/containers/{cid}/logs/?tail=all")
    wait_until(page, "document.getElementById('log-status').textContent === 'End of the logs.'")
    assert page.evaluate(LINE_LENGTHS) == [MIB - 1, 4]
    assert page.evaluate("document.querySelector('#log .line').textContent.startsWith('xxx')")
