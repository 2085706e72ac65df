"""Registering Windows engines (the double) and what the host pages say about them."""

import re

from console.engine.platforms import engine_runtime
from console.hosts.models import Host
from console.hosts.overview import describe_runtime
from tests.windows_double import WINDOWS_KERNEL


def test_registered_windows_server_is_shown_as_windows(admin_client, windows_double):
    response = admin_client.post("/hosts/new/", {"name": "Win Server", "url": windows_double.url})
    assert response.status_code == 302
    page = admin_client.get("/hosts/win-server/").content.decode()
    assert Host.objects.get(slug="win-server").platform_detected == "windows"
    assert "platform Windows" in page
    kind = re.search(r'id="runtime-kind">([^<]*)<', page).group(1)
    assert kind == "Windows Server with Docker Engine"
    assert "Windows Server 2022 Datacenter" in page
    assert WINDOWS_KERNEL in page
    assert re.search(r'id="default-isolation">process<', page)
    why = re.search(r'id="runtime-why">([^<]*)<', page).group(1)
    assert "process isolation" in why and "Hyper-V isolation" in why
    assert why.count(". ") + why.endswith(".") == 2  # two sentences
    assert "windowsfilter" in page and "C:\\ProgramData\\docker" in page
    assert 'class="badge">WSL2' not in page
    assert windows_double.unknown == []


def test_docker_desktop_in_windows_containers_mode(admin_client, db, desktop_windows_double):
    Host.objects.create(name="laptop", slug="laptop", url=desktop_windows_double.url)
    page = admin_client.get("/hosts/laptop/").content.decode()
    assert "Docker Desktop on Windows (Windows containers)" in page
    assert re.search(r'id="default-isolation">hyperv<', page)
    assert 'id="docker-desktop">yes<' in page


def test_dashboard_lists_the_double_as_windows(admin_client, win_host):
    rows = admin_client.get("/?format=json").json()["hosts"]
    row = next(r for r in rows if r["slug"] == "win")
    assert (row["status"], row["platform"], row["os_type"]) == ("up", "windows", "windows")


def test_add_host_page_guides_each_platform(admin_client, db):
    html = admin_client.get("/hosts/new/").content.decode()
    for guide in (
        "guide-desktop-windows",
        "guide-windows-server",
        "guide-wsl2",
        "guide-desktop-wsl2",
        "guide-linux",
    ):
        assert f'id="{guide}"' in html
    # The pipe only on the same machine, with the Windows extra.
    assert "npipe:////./pipe/docker_engine" in html and "requirements-windows.txt" in html
    # SSH via Windows OpenSSH, TLS via daemon.json with tlsverify and certificate steps.
    assert "OpenSSH.Server" in html and "dial-stdio" in html
    assert "C:\\ProgramData\\docker\\config\\daemon.json" in html
    assert '"tlsverify": true' in html and "extendedKeyUsage = clientAuth" in html
    # 2375 without TLS only with a warning.
    warning = html[html.index('id="guide-2375-warning"') :]
    assert "tcp://localhost:2375" in warning[:800] and "no authentication" in warning[:800]
    # CSP-ready: scripts only from files.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "js/host_guide.js" in html


def test_guide_addresses_register_as_they_say(admin_client, db):
    """The guide's TLS address for Windows Server is accepted by the form as given."""
    response = admin_client.post(
        "/hosts/new/",
        {"name": "pipe", "url": "npipe:////./pipe/docker_engine", "platform_preset": "windows"},
    )
    assert response.status_code == 302
    assert Host.objects.get(slug="pipe").get_platform_display() == "Windows"


def test_requirements_windows_pins_pywin32_for_windows_only():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "requirements-windows.txt").read_text()
    assert re.search(r'^pywin32==\d+ ; sys_platform == "win32"$', text, re.M)
    assert "-r requirements.txt" in text


def test_runtime_of_a_windows_engine_without_isolation_says_so():
    runtime = engine_runtime({"OSType": "windows", "OperatingSystem": "Windows 10 Pro"})
    assert runtime.platform == "windows" and runtime.default_isolation == ""
    text = describe_runtime(runtime)
    assert text.kind == "Docker Engine on Windows"
    assert "the isolation the engine chooses" in text.why
