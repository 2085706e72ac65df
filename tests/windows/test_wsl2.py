"""WSL2 engines (the double playing a Linux engine with a WSL2 kernel) and Docker
Desktop's WSL2 backend: recognised as such, and otherwise Linux in every behaviour."""

import re

from console.engine.platforms import engine_runtime
from console.hosts.models import Host
from console.hosts.overview import describe_runtime
from tests.windows_double import WSL2_KERNEL


def test_engine_in_a_wsl2_distribution_is_shown_as_wsl2(admin_client, db, wsl2_double):
    Host.objects.create(name="wsl", slug="wsl", url=wsl2_double.url)
    page = admin_client.get("/hosts/wsl/").content.decode()
    assert Host.objects.get(slug="wsl").platform_detected == "wsl2"
    assert "platform WSL2" in page
    assert re.search(r'id="runtime-kind">Docker Engine in a WSL2 distribution<', page)
    assert WSL2_KERNEL in page and 'class="badge">WSL2<' in page
    assert re.search(r'id="runtime-backend">engine inside a WSL2 distribution<', page)
    assert "Ubuntu 22.04.4 LTS" in page and "docker-desktop" not in page
    assert 'id="default-isolation"' not in page  # isolation is a Windows notion
    assert "WSL2 lightweight virtual machine" in page


def test_docker_desktop_wsl2_backend_is_recognised(admin_client, db, desktop_wsl2_double):
    Host.objects.create(name="desk", slug="desk", url=desktop_wsl2_double.url)
    page = admin_client.get("/hosts/desk/").content.decode()
    assert Host.objects.get(slug="desk").platform_detected == "wsl2"
    assert re.search(r'id="runtime-kind">Docker Desktop, WSL2 backend \(Linux containers\)<', page)
    assert re.search(r'id="runtime-backend">WSL2 backend<', page)
    assert 'id="docker-desktop">yes<' in page
    assert "Docker Desktop runs its Linux engine inside a WSL2 virtual machine" in page
    assert "Docker Desktop 4.30.0 (149282)" in page  # `docker version`'s Platform line


def test_wsl2_containers_behave_as_linux(admin_client, wsl_host, wsl2_double):
    html = admin_client.get("/hosts/wsl/containers/").content.decode()
    assert ">Platform</th>" not in html  # no per-container isolation to show
    assert "/pause/" in html  # Linux containers pause
    detail = admin_client.get("/hosts/wsl/containers/web-wsl/").content.decode()
    assert "/pause/" in detail and "/export/" in detail and 'id="windows-rules"' not in detail
    top = admin_client.get("/hosts/wsl/containers/web-wsl/top/").content.decode()
    assert 'name="ps_args"' in top
    terminal = admin_client.get("/hosts/wsl/containers/web-wsl/terminal/").content.decode()
    assert "<option selected>sh</option>" in terminal and "cmd</option>" not in terminal
    files = admin_client.get("/hosts/wsl/containers/web-wsl/files/").content.decode()
    assert "<code>etc</code>/</a>" in files and "C:\\" not in files
    assert wsl2_double.unknown == []


def test_runtime_rules_for_other_engines():
    mac = engine_runtime(
        {"OSType": "linux", "OperatingSystem": "Docker Desktop", "KernelVersion": "6.6.26-linuxkit"}
    )
    assert (mac.platform, mac.wsl2, mac.docker_desktop) == ("linux", False, True)
    assert describe_runtime(mac).kind == "Docker Desktop (Linux VM)"
    plain = engine_runtime({"OSType": "linux", "KernelVersion": "6.1.0-21-amd64"})
    assert (describe_runtime(plain).kind, plain.wsl2, plain.docker_desktop) == (
        "Linux with Docker Engine",
        False,
        False,
    )
    # Case and spelling of the WSL2 mark vary between kernels; the label is the signal.
    labelled = engine_runtime(
        {
            "OSType": "linux",
            "KernelVersion": "5.10.16.3-microsoft-standard-wsl2",
            "Labels": ["com.docker.desktop.address=npipe://\\\\.\\pipe\\docker_cli"],
        }
    )
    assert (labelled.platform, labelled.docker_desktop) == ("wsl2", True)


def test_real_linux_engine_is_shown_as_linux(admin_client, unix_host):
    page = admin_client.get("/hosts/unix/").content.decode()
    assert re.search(r'id="runtime-kind">Linux with Docker Engine<', page)
    assert 'class="badge">WSL2' not in page
