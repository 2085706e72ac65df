"""The logs page does what its form shows on first load: it follows when follow is
ticked, and ends when it is not."""

from tests.browser import log_in, wait_until

TICKER = ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done"]


def test_the_logs_follow_on_first_load(page, console_server, e2e_host, engine_containers):
    engine_containers("e2e-live-ticker", TICKER)
    log_in(page, console_server)
    page.goto(f"{console_server.url}/hosts/{e2e_host}/containers/e2e-live-ticker/logs/")
    assert page.locator("#log-options input[name=follow]").is_checked()
    page.wait_for_selector("#log .line")
    first = page.locator("#log .line").count()
    wait_until(page, f"document.querySelectorAll('#log .line').length > {first + 3}")
    assert "End of the logs." not in page.locator("#log-status").inner_text()


def test_unticked_follow_ends_the_logs(page, console_server, e2e_host, engine_containers):
    engine_containers("e2e-live-ticker", TICKER)
    log_in(page, console_server)
    page.goto(f"{console_server.url}/hosts/{e2e_host}/containers/e2e-live-ticker/logs/?tail=5")
    assert not page.locator("#log-options input[name=follow]").is_checked()
    wait_until(page, "document.getElementById('log-status').textContent === 'End of the logs.'")
