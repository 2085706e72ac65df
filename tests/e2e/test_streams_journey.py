"""Live pages in a real browser: logs arriving, a terminal answering, the list following
the engine."""

from tests.browser import log_in, wait_until
from tests.conftest import STOPPABLE

# True once a line of the terminal's screen reads just "42".
SCREEN_HAS_42 = """(() => {
  const buffer = window.consoleTerminal.buffer.active;
  for (let i = 0; i < buffer.length; i++) {
    if (buffer.getLine(i).translateToString(true).trim() === "42") return true;
  }
  return false;
})()"""


def test_new_log_lines_arrive(page, console_server, e2e_host, engine_containers):
    ticker = ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done"]
    engine_containers("e2e-ticker", ticker)
    log_in(page, console_server)
    page.goto(f"{console_server.url}/hosts/{e2e_host}/containers/e2e-ticker/logs/?follow=1&tail=1")
    page.wait_for_selector("#log .line")
    first = page.locator("#log .line").count()
    wait_until(page, f"document.querySelectorAll('#log .line').length > {first + 3}")
    last = page.locator("#log .line").last.inner_text()
    assert last.startswith("tick ")


def test_terminal_runs_a_command(page, console_server, e2e_host, engine_containers):
    engine_containers("e2e-shell", STOPPABLE)
    log_in(page, console_server)
    page.goto(f"{console_server.url}/hosts/{e2e_host}/containers/e2e-shell/terminal/")
    wait_until(page, "document.getElementById('term-status').textContent === 'connected'")
    page.locator("#terminal").click()
    page.keyboard.type("echo $((6*7))\n")
    wait_until(page, SCREEN_HAS_42)


def test_list_shows_a_container_started_elsewhere(
    page, console_server, e2e_host, engine_containers
):
    log_in(page, console_server)
    page.goto(f"{console_server.url}/hosts/{e2e_host}/containers/")
    page.wait_for_timeout(500)  # the page's event socket is open
    engine_containers("e2e-from-shell", STOPPABLE)
    page.wait_for_selector('tr[data-name="e2e-from-shell"]', timeout=5_000)
