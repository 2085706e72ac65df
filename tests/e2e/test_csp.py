"""The CSP (script-src 'self', style-src 'self', connect-src 'self') holds on the live
pages in Chromium: htmx, xterm.js, uPlot and the websockets run with no violation."""

import uuid

from tests.browser import log_in, wait_until
from tests.conftest import STOPPABLE

TICKER = ["sh", "-c", "trap 'exit 0' TERM; while true; do echo tick; sleep 0.2; done"]


def test_live_pages_raise_no_csp_violation(
    page, console_server, e2e_host, engine_containers, csp_violations
):
    name = f"e2e-csp-{uuid.uuid4().hex[:6]}"
    engine_containers(name, TICKER)
    shell = f"e2e-csp-sh-{uuid.uuid4().hex[:6]}"
    engine_containers(shell, STOPPABLE)
    log_in(page, console_server)
    base = f"{console_server.url}/hosts/{e2e_host}"
    checks = [
        ("/", "main"),
        (f"/hosts/{e2e_host}/containers/", f'tr[data-name="{name}"]'),
        (f"/hosts/{e2e_host}/containers/{name}/", "main"),
        (f"/hosts/{e2e_host}/containers/{name}/logs/?follow=1&tail=5", "#log .line"),
        (f"/hosts/{e2e_host}/containers/{name}/stats/", "#s-pids:not(:text('–'))"),
        (f"/hosts/{e2e_host}/stats/", "#host-stats"),
        (f"/hosts/{e2e_host}/events/", "#events"),
        (f"/hosts/{e2e_host}/logs/", "main h1"),
        ("/teams/", "#teams"),
        ("/audit/", "#audit"),
        (f"/hosts/{e2e_host}/", "main h1"),
        (f"/hosts/{e2e_host}/containers/new/", "main form"),
        (f"/hosts/{e2e_host}/volumes/", "main h1"),
        (f"/hosts/{e2e_host}/networks/", "main h1"),
        (f"/hosts/{e2e_host}/access/", "#access"),
    ]
    for path, ready in checks:
        csp_violations.visit(console_server.url + path, ready)
    # The terminal: xterm.js sets styles through the CSSOM (allowed) and talks over ws:.
    page.goto(f"{base}/containers/{shell}/terminal/")
    wait_until(page, "document.getElementById('term-status').textContent === 'connected'")
    page.locator("#terminal").click()
    page.keyboard.type("echo $((6*7))\n")
    wait_until(
        page,
        """(() => { const b = window.consoleTerminal.buffer.active;
          for (let i = 0; i < b.length; i++)
            if (b.getLine(i).translateToString(true).trim() === "42") return true;
          return false; })()""",
    )
    assert csp_violations.collect() == []


def test_an_inline_script_would_be_blocked(page, console_server, csp_violations):
    """The policy is really enforced: a script injected as markup does not run."""
    page.goto(console_server.url + "/accounts/login/")
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }"""
    )
    assert page.evaluate("window.__ran") is None
    page.wait_for_timeout(200)
    assert any("script-src" in v for v in csp_violations.collect())
