"""Attaching to a container without a tty draws its lines from column 0 (its output
ends lines with LF alone); a tty container's output is left as it is."""

from tests.browser import log_in, wait_until

# Three lines every half second, each ending with LF alone (no tty converts them).
ABC = ["sh", "-c", "while true; do printf 'a\\nb\\nc\\n'; sleep 0.5; done"]

# The terminal's non-empty lines, as xterm holds them (leading spaces kept).
SCREEN_LINES = """(() => {
  const buffer = window.consoleTerminal.buffer.active;
  const lines = [];
  for (let i = 0; i < buffer.length; i++) {
    const text = buffer.getLine(i).translateToString(true);
    if (text.trim()) lines.push(text);
  }
  return lines;
})()"""


def test_attach_without_a_tty_starts_lines_at_column_0(
    page, console_server, e2e_host, engine_containers
):
    engine_containers("e2e-live-abc", ABC, stdin_open=True)
    log_in(page, console_server)
    page.goto(f"{console_server.url}/hosts/{e2e_host}/containers/e2e-live-abc/attach/")
    wait_until(page, f"{SCREEN_LINES}.length >= 6")
    lines = page.evaluate(SCREEN_LINES)
    assert set(lines) <= {"a", "b", "c"}, lines


def test_attach_with_a_tty_is_not_converted(page, console_server, e2e_host, engine_containers):
    engine_containers("e2e-live-abc-tty", ABC, stdin_open=True, tty=True)
    log_in(page, console_server)
    page.goto(f"{console_server.url}/hosts/{e2e_host}/containers/e2e-live-abc-tty/attach/")
    wait_until(page, f"{SCREEN_LINES}.length >= 6")
    lines = page.evaluate(SCREEN_LINES)
    assert set(lines) <= {"a", "b", "c"}, lines
    assert page.evaluate("window.consoleTerminal.options.convertEol") is False
