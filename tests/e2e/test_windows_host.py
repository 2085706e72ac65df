"""A Windows engine (the double) in a real browser: the host page says Windows, and no
Linux-only control (pause of a process-isolated container, export, an sh terminal) is
offered. The add-host guide fills the form."""

import uuid

import pytest

from tests.browser import log_in
from tests.windows_double import WindowsEngineDouble


@pytest.fixture
def windows_engine(console_server):
    double = WindowsEngineDouble("windows").start()
    slug = f"e2e-win-{uuid.uuid4().hex[:6]}"
    console_server.manage("addhost", f"Windows {slug}", double.url, "--slug", slug)
    yield double, slug
    double.stop()


def test_windows_host_and_container_pages(page, console_server, windows_engine):
    double, slug = windows_engine
    base = f"{console_server.url}/hosts/{slug}"
    log_in(page, console_server)

    page.goto(f"{base}/")
    assert "platform Windows" in page.locator("p.muted").first.inner_text()
    assert page.locator("#runtime-kind").inner_text() == "Windows Server with Docker Engine"
    assert page.locator("#default-isolation").inner_text() == "process"

    page.goto(f"{base}/containers/")
    iis = page.locator('tr[data-name="iis-process"]')
    ping = page.locator('tr[data-name="ping-hyperv"]')
    assert "process isolation" in iis.inner_text()
    assert iis.locator("button:text-is('Pause')").count() == 0
    assert iis.locator("button:text-is('Stop')").count() == 1
    assert ping.locator("button:text-is('Pause')").count() == 1

    page.goto(f"{base}/containers/iis-process/")
    assert page.locator(".pagehead button:text-is('Pause')").count() == 0
    assert page.locator("nav.tabs a:text-is('Export')").count() == 0
    assert "Hyper-V" in page.locator("#pause-reason").inner_text()
    assert "not available for Windows containers" in page.locator("#export-reason").inner_text()

    page.goto(f"{base}/containers/iis-process/terminal/")
    options = page.locator("#exec-cmd option").all_inner_texts()
    assert options[:2] == ["cmd", "powershell"] and "sh" not in options
    assert page.locator("#exec-cmd").input_value() == "cmd"

    page.goto(f"{base}/containers/iis-process/files/")
    assert page.locator("#crumbs").inner_text().strip() == "C:\\"
    page.click("a:has-text('inetpub')")
    page.wait_for_selector("text=wwwroot")
    assert "".join(page.locator("#crumbs").inner_text().split()) == "C:\\inetpub"
    assert page.locator("#entries").inner_text().count("wwwroot") == 1
    assert double.unknown == []


def test_add_host_guide_fills_the_form(page, console_server):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, console_server)
    page.goto(f"{console_server.url}/hosts/new/")
    page.click("#guide-windows-server > summary")
    page.click("#guide-windows-server button:text-is('Use a TLS address')")
    assert page.locator("#id_url").input_value() == "tcp://windows-server:2376"
    assert page.locator("#id_tls").is_checked()
    assert page.locator("#id_platform_preset").input_value() == "windows"
    # Opening another platform closes this one (one guide open at a time).
    page.click("#guide-wsl2 > summary")
    assert page.locator("#guide-wsl2").get_attribute("open") is not None
    assert page.locator("#guide-windows-server").get_attribute("open") is None
    assert page.locator("#guide-2375-warning").count() == 1
    assert errors == []
