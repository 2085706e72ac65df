"""A person runs a container from the form, sees it in the list, stops and removes it."""

import socket

from tests.browser import log_in
from tests.engines import raw_client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_stop_and_remove_from_the_browser(page, console_server, fleet, e2e_host):
    api = raw_client(fleet)
    port = _free_port()
    try:
        log_in(page, console_server)
        page.goto(f"{console_server.url}/hosts/{e2e_host}/containers/")
        page.click("text=Run a container")
        page.fill("#id_image", fleet.base_image)
        page.fill("#id_name", "e2e-web")
        page.fill("#id_command", "sh -c \"trap 'exit 0' TERM; httpd -f -p 8080 & wait\"")
        page.fill("#id_ports", f"127.0.0.1:{port}:8080")
        page.click("button:text-is('Run')")
        page.wait_for_url("**/containers/e2e-web/")
        assert api.inspect_container("e2e-web")["State"]["Running"]

        page.goto(f"{console_server.url}/hosts/{e2e_host}/containers/")
        row = page.locator('tr[data-name="e2e-web"]')
        assert "Up" in row.inner_text()
        assert f"127.0.0.1:{port}->8080/tcp" in row.inner_text()

        row.locator("button:text-is('Stop')").click()
        # The row turns "exited"; the list, following the engine's events, then drops
        # it from the running-only view.
        page.wait_for_selector('tr[data-name="e2e-web"][data-state="running"]', state="detached")
        assert not api.inspect_container("e2e-web")["State"]["Running"]

        page.goto(f"{console_server.url}/hosts/{e2e_host}/containers/?all=1")
        assert "Exited" in page.locator('tr[data-name="e2e-web"]').inner_text()
        page.locator('tr[data-name="e2e-web"]').locator("text=Remove").click()
        page.click("button:text-is('Remove container')")
        page.wait_for_url("**/containers/?all=1")
        assert page.locator('tr[data-name="e2e-web"]').count() == 0
        assert not api.containers(all=True, filters={"name": "e2e-web"})
    finally:
        for container in api.containers(all=True, filters={"name": "e2e-web"}):
            api.remove_container(container["Id"], force=True)


# Reports the text of every pull-progress layer row as it is drawn or redrawn.
WATCH_LAYERS = """
new MutationObserver(() => {
  for (const row of document.querySelectorAll("#pull-progress .layer")) {
    if (row.dataset.reported !== row.textContent) {
      row.dataset.reported = row.textContent;
      window.layerShown(row.textContent);
    }
  }
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


def _layers_shown(page) -> list[str]:
    """The layer rows the pull page draws from now on (across navigations)."""
    shown: list[str] = []
    page.expose_function("layerShown", lambda text: shown.append(text))
    page.add_init_script(WATCH_LAYERS)
    return shown


def test_pull_and_run_shows_progress(page, console_server, fleet, e2e_host, registry_image):
    api = raw_client(fleet)
    try:
        log_in(page, console_server)
        page.goto(f"{console_server.url}/hosts/{e2e_host}/containers/new/")
        page.fill("#id_image", registry_image)
        page.fill("#id_name", "e2e-pulled")
        page.fill("#id_command", "sh -c \"trap 'exit 0' TERM; sleep 600 & wait\"")
        shown = _layers_shown(page)
        page.click("button:text-is('Run')")
        page.click("text=Pull and run")
        # A quick pull moves on to the container before anyone could wait for its
        # progress: the page records every layer row it drew, whenever that was.
        page.wait_for_url("**/containers/e2e-pulled/", timeout=60_000)
        assert any("Pull complete" in row for row in shown), shown
        assert api.inspect_container("e2e-pulled")["Config"]["Image"] == registry_image
    finally:
        for container in api.containers(all=True, filters={"name": "e2e-pulled"}):
            api.remove_container(container["Id"], force=True)
