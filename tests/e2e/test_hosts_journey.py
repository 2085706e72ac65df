"""A person logs in, registers a TLS engine through the form, and sees it up."""

from pathlib import Path

from tests.browser import log_in


def test_add_tls_host_and_see_it_up(page, console_server, fleet):
    log_in(page, console_server)
    page.click("text=Add host")
    page.fill("#id_name", "Browser TLS")
    page.fill("#id_url", fleet.tls_url)
    page.check("#id_tls")
    page.fill("#id_tls_ca_cert", Path(fleet.tls_ca).read_text())
    page.fill("#id_tls_client_cert", Path(fleet.tls_cert).read_text())
    page.set_input_files("#id_tls_client_key_file", fleet.tls_key)
    page.click("text=Register host")
    page.wait_for_url("**/hosts/browser-tls/")
    assert page.locator("h2", has_text="docker info").is_visible()

    page.click("a.brand")
    row = page.locator('tr[data-host="browser-tls"]')
    assert row.locator(".badge").inner_text() == "up"
    assert "Linux" in row.inner_text()
    page.screenshot(path=str(Path(console_server.env["CONSOLE_DATA_DIR"]) / "dashboard.png"))
