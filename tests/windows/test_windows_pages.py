"""Container pages on a Windows engine (the double): what is offered, what is refused
with its reason, and what the engine was (not) asked."""

import re
from urllib.parse import quote

import pytest
from channels.db import database_sync_to_async

from console.access.models import AuditEntry
from tests.windows_double import (
    CMD_BANNER,
    STATS_COMMIT_BYTES,
    STATS_CPU_STEP,
    STATS_NUM_PROCS,
    STATS_PRIVATE_WORKING_SET,
    STATS_READ_BYTES,
    STATS_RX,
    STATS_TX,
    STATS_WRITE_BYTES,
    WINDOWS_OS_VERSION,
)


def _row(html: str, name: str) -> str:
    match = re.search(rf'<tr id="c-[0-9a-f]+" data-name="{name}".*?</tr>', html, re.S)
    assert match, f"no row for {name}"
    return match.group(0)


def test_list_shows_isolation_and_image_platform(admin_client, win_host, windows_double):
    html = admin_client.get("/hosts/win/containers/?all=1").content.decode()
    assert ">Platform</th>" in html
    iis, ping = _row(html, "iis-process"), _row(html, "ping-hyperv")
    assert f"windows/amd64 {WINDOWS_OS_VERSION}" in iis and "process isolation" in iis
    assert "hyperv isolation" in ping
    # Pause only where Windows can pause: Hyper-V isolation.
    assert "/pause/" not in iis and ">Stop<" in iis
    assert "/pause/" in ping
    # The bulk bar keeps pause (one container may be paused).
    assert 'value="pause"' in html
    assert windows_double.unknown == []


def test_bulk_pause_hidden_when_no_container_can_pause(admin_client, win_host, windows_double):
    html = admin_client.get("/hosts/win/containers/?name=iis").content.decode()
    assert 'value="pause"' not in html and 'value="stop"' in html


def test_list_json_carries_isolation(admin_client, win_host):
    rows = admin_client.get("/hosts/win/containers/?format=json").json()["containers"]
    by_name = {r["name"]: r for r in rows}
    assert by_name["iis-process"]["isolation"] == "process"
    assert by_name["ping-hyperv"]["isolation"] == "hyperv"
    assert by_name["ping-hyperv"]["os"] == "windows"
    assert by_name["ping-hyperv"]["image_platform"].startswith("windows/amd64")


def test_all_hosts_list_includes_windows_platform(admin_client, win_host):
    data = admin_client.get("/containers/?format=json").json()
    rows = [r for r in data["containers"] if r["host"] == "win"]
    assert {r["isolation"] for r in rows} == {"process", "hyperv"}


def test_process_isolated_detail_offers_no_pause_and_no_export(admin_client, win_host):
    html = admin_client.get("/hosts/win/containers/iis-process/").content.decode()
    assert "/pause/" not in html
    assert 'id="pause-reason"' in html and "Hyper-V" in html
    assert "/export/" not in html
    assert 'id="no-export"' in html and 'id="export-reason"' in html
    assert re.search(r'id="image-platform">windows/amd64 10\.0\.20348', html)
    assert re.search(r'id="platform">windows \(process isolation\)', html)
    assert "c:\\inetpub\\wwwroot\\data" in html  # Windows mount paths as the engine says


def test_hyperv_detail_offers_pause(admin_client, win_host):
    html = admin_client.get("/hosts/win/containers/ping-hyperv/").content.decode()
    assert "/pause/" in html and 'id="pause-reason"' not in html
    assert "/export/" not in html


def test_pause_of_process_container_is_refused_with_the_reason(
    admin_client, win_host, windows_double
):
    cid = windows_double.find("iis-process").id
    response = admin_client.post(f"/hosts/win/containers/{cid}/pause/", follow=True)
    text = response.content.decode()
    assert "Windows pauses only Hyper-V isolated containers" in text
    assert windows_double.find("iis-process").state == "running"
    assert not [p for p in windows_double.paths("POST") if p.endswith("/pause")]
    entry = AuditEntry.objects.get(action="container.pause")
    assert "Hyper-V" in entry.error


def test_pause_and_unpause_of_hyperv_container(admin_client, win_host, windows_double):
    admin_client.post("/hosts/win/containers/ping-hyperv/pause/")
    assert windows_double.find("ping-hyperv").state == "paused"
    html = admin_client.get("/hosts/win/containers/ping-hyperv/").content.decode()
    assert "/unpause/" in html
    admin_client.post("/hosts/win/containers/ping-hyperv/unpause/")
    assert windows_double.find("ping-hyperv").state == "running"


def test_top_shows_windows_columns_and_sends_no_ps_args(admin_client, win_host, windows_double):
    html = admin_client.get("/hosts/win/containers/iis-process/top/?ps_args=aux").content.decode()
    titles = re.findall(r"<th>([^<]*)</th>", html)
    assert titles == ["Name", "PID", "CPU", "Private Working Set"]
    assert "w3wp.exe" in html and "24.12MB" in html
    assert 'name="ps_args"' not in html and 'id="top-windows"' in html
    (query,) = windows_double.queries("GET", "/containers/iis-process/top")
    assert "ps_args" not in query


def test_export_is_not_offered_and_its_url_explains(admin_client, win_host, windows_double):
    response = admin_client.get("/hosts/win/containers/iis-process/export/", follow=True)
    text = response.content.decode()
    assert "docker export is not available for Windows containers" in text
    assert not [p for p in windows_double.paths("GET") if p.endswith("/export")]
    assert AuditEntry.objects.get(action="container.export").error


def test_file_browser_uses_windows_paths(admin_client, win_host, windows_double):
    html = admin_client.get("/hosts/win/containers/iis-process/files/").content.decode()
    assert 'id="windows-files"' in html and "C:\\" in html
    assert "inetpub" in html and "?path=" + quote("C:\\inetpub", safe="") in html
    assert "<code>inetpub</code>\\</a>" in html  # directories end in a backslash

    path = "C:\\inetpub\\wwwroot"
    html = admin_client.get(f"/hosts/win/containers/iis-process/files/?path={quote(path)}")
    html = html.content.decode()
    assert "index.html" in html
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', html, re.S).group(0)
    assert re.findall(r"<code>([^<]*)</code>", crumbs) == ["C:\\", "inetpub", "wwwroot"]
    assert " \\ " in crumbs
    assert "?path=" + quote("C:\\inetpub\\wwwroot\\index.html", safe="") in html
    # The engine got the /-rooted path, which Windows engines read as C:.
    heads = windows_double.queries("HEAD", "/containers/iis-process/archive")
    assert heads[-1]["path"] == ["/inetpub/wwwroot"]


def test_file_download_and_upload_with_windows_paths(admin_client, win_host, windows_double):
    response = admin_client.get(
        "/hosts/win/containers/iis-process/files/download/",
        {"path": "C:\\inetpub\\wwwroot\\index.html"},
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"<h1>IIS in a Windows container</h1>\r\n"

    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("hello.txt", b"hello from the console\r\n")
    response = admin_client.post(
        "/hosts/win/containers/iis-process/files/upload/",
        {"path": "C:\\inetpub\\wwwroot", "files": [upload]},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?path=" + quote("C:\\inetpub\\wwwroot", safe=""))
    files = windows_double.find("iis-process").files
    assert files["/inetpub/wwwroot/hello.txt"] == b"hello from the console\r\n"


def test_file_browser_refuses_other_drives(admin_client, win_host):
    html = admin_client.get("/hosts/win/containers/iis-process/files/?path=D:\\data")
    assert "only the C: drive" in html.content.decode()


def test_running_hyperv_container_files_are_explained(admin_client, win_host, windows_double):
    html = admin_client.get("/hosts/win/containers/ping-hyperv/files/").content.decode()
    assert "refuse file operations" in html and "Hyper-V" in html
    assert not [p for p in windows_double.paths("HEAD") if "archive" in p]


def test_terminal_defaults_to_cmd(admin_client, win_host):
    html = admin_client.get("/hosts/win/containers/iis-process/terminal/").content.decode()
    assert "<option selected>cmd</option>" in html and "<option>powershell</option>" in html
    assert "<option>sh</option>" not in html
    assert "/export/" not in html


def test_stats_page_shows_private_working_set_and_no_pids(admin_client, win_host):
    html = admin_client.get("/hosts/win/containers/iis-process/stats/").content.decode()
    assert 'data-windows="1"' in html and "private working set" in html
    assert "PIDs" not in html


def test_inspect_page_works(admin_client, win_host, windows_double):
    response = admin_client.get("/hosts/win/containers/iis-process/inspect/?format=json")
    assert response.json()["HostConfig"]["Isolation"] == "process"


# -- streams ------------------------------------------------------------------------


def _expected_cpu() -> float:
    """The Windows formula by hand: CPU time used between two samples (100 ns units)
    over the 100 ns intervals that passed (1 s = 10,000,000) times the processors."""
    intervals = 1_000_000_000 / 100
    return STATS_CPU_STEP / (intervals * STATS_NUM_PROCS) * 100


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_stats_stream_uses_the_windows_formula(ws, admin_user, windows_double):
    from tests.windows.conftest import register

    await database_sync_to_async(register)(windows_double, "win")
    socket = await ws("/ws/hosts/win/containers/iis-process/stats/", admin_user)
    samples = []
    while len(samples) < 2:
        frame = await socket.receive(timeout=10)
        if frame["t"] == "stats":
            samples.append(frame["sample"])
    await socket.close()
    assert _expected_cpu() == 12.5
    for n, sample in enumerate(samples, start=1):
        assert sample["cpu_percent"] == 12.5
        assert sample["memory_used"] == STATS_PRIVATE_WORKING_SET != STATS_COMMIT_BYTES
        assert sample["memory_limit"] == 0 and sample["memory_percent"] == 0
        assert sample["pids"] is None
        assert (sample["net_rx"], sample["net_tx"]) == (STATS_RX * n, STATS_TX * n)
        assert (sample["block_read"], sample["block_write"]) == (
            STATS_READ_BYTES,
            STATS_WRITE_BYTES,
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_host_stats_table_on_windows(ws, admin_user, windows_double):
    from tests.windows.conftest import register

    await database_sync_to_async(register)(windows_double, "win")
    socket = await ws("/ws/hosts/win/stats/", admin_user)
    frame = await socket.receive(timeout=15)
    await socket.close()
    assert frame["t"] == "table"
    rows = {r["name"]: r for r in frame["rows"]}
    assert set(rows) == {"iis-process", "ping-hyperv"}
    assert rows["iis-process"]["cpu_percent"] == _expected_cpu()
    assert rows["iis-process"]["memory_used"] == STATS_PRIVATE_WORKING_SET


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_terminal_runs_cmd_without_a_posix_wrapper(ws, admin_user, windows_double):
    from tests.containers.test_terminal import _read_until
    from tests.windows.conftest import register

    await database_sync_to_async(register)(windows_double, "win")
    socket = await ws("/ws/hosts/win/containers/iis-process/terminal/?cols=100&rows=30", admin_user)
    assert CMD_BANNER.encode() in await _read_until(socket, CMD_BANNER.encode())
    await socket.communicator.send_to(bytes_data=b"ver\r")
    version = f"[Version {WINDOWS_OS_VERSION}]".encode()
    assert version in await _read_until(socket, version)
    await socket.close()
    (record,) = windows_double.execs.values()
    assert record["Cmd"] == ["cmd"]  # no `sh -c` wrapper: Windows has no POSIX shell
    assert ("100", "30") in record["resized"]
