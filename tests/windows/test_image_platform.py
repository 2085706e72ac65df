"""Images on Windows hosts show their OS/architecture and Windows build (process
isolation needs the image to match the host's build); Linux hosts (here a WSL2 engine)
keep the plain `docker images` list with no extra engine calls. The container page links
its image."""

import re

from tests.windows_double import NANOSERVER, SERVERCORE, WINDOWS_OS_VERSION


def _image_inspects(double) -> list[str]:
    return [p for p in double.paths("GET") if re.fullmatch(r"/images/.+/json", p)]


def _row(html: str, image_id: str) -> str:
    match = re.search(rf'<tr data-image="{image_id}".*?</tr>', html, re.S)
    assert match, f"no row for {image_id}"
    return match.group(0)


def test_windows_image_list_shows_os_arch_and_version(admin_client, win_host, windows_double):
    windows_double.requests.clear()
    html = admin_client.get("/hosts/win/images/").content.decode()
    assert ">OS/Arch</th>" in html
    for ref in (SERVERCORE, NANOSERVER):
        image = windows_double.find_image(ref)
        row = _row(html, image.id)
        assert f'<td class="platform">windows/amd64 {WINDOWS_OS_VERSION}</td>' in row
    # One inspect per distinct image, no more.
    inspected = _image_inspects(windows_double)
    assert len(inspected) == len(set(inspected)) == len(windows_double.images())
    assert windows_double.unknown == []


def test_windows_image_list_json_carries_the_platform(admin_client, win_host):
    rows = admin_client.get("/hosts/win/images/?format=json").json()["images"]
    assert {r["repository"] for r in rows} == {
        ref.rsplit(":", 1)[0] for ref in (SERVERCORE, NANOSERVER)
    }
    assert {r["platform"] for r in rows} == {f"windows/amd64 {WINDOWS_OS_VERSION}"}


def test_an_image_gone_meanwhile_shows_no_platform(admin_client, win_host, windows_double):
    windows_double.find_image = lambda ref: None  # inspect answers 404, the list still has it
    html = admin_client.get("/hosts/win/images/").content.decode()
    assert ">OS/Arch</th>" in html and '<td class="platform">—</td>' in html
    assert "windows/amd64" not in html


def test_linux_image_list_makes_no_inspect_calls(admin_client, wsl_host, wsl2_double):
    wsl2_double.requests.clear()
    html = admin_client.get("/hosts/wsl/images/").content.decode()
    assert "nginx" in html
    assert ">OS/Arch</th>" not in html and 'class="platform"' not in html
    assert _image_inspects(wsl2_double) == []
    rows = admin_client.get("/hosts/wsl/images/?format=json").json()["images"]
    assert [r["platform"] for r in rows] == [""]
    assert _image_inspects(wsl2_double) == []


def test_windows_image_detail_shows_the_os_version(admin_client, win_host, windows_double):
    image = windows_double.find_image(SERVERCORE)
    html = admin_client.get(f"/hosts/win/images/{image.id}/").content.decode()
    assert re.search(rf'id="os-version">{re.escape(WINDOWS_OS_VERSION)}<', html)
    assert "windows/amd64" in html


def test_linux_image_detail_has_no_os_version(admin_client, wsl_host, wsl2_double):
    image = wsl2_double.images()[0]
    html = admin_client.get(f"/hosts/wsl/images/{image.id}/").content.decode()
    assert "linux/amd64" in html and 'id="os-version"' not in html


def test_container_page_links_its_image(admin_client, win_host, windows_double):
    container = windows_double.find("iis-process")
    html = admin_client.get("/hosts/win/containers/iis-process/").content.decode()
    link = f'href="/hosts/win/images/{container.image.id}/"'
    assert re.search(rf'id="image"><a {re.escape(link)}>{re.escape(SERVERCORE)}</a>', html)
    assert admin_client.get(f"/hosts/win/images/{container.image.id}/").status_code == 200


def test_container_page_does_not_link_a_missing_image(admin_client, win_host, windows_double):
    windows_double.find_image = lambda ref: None
    html = admin_client.get("/hosts/win/containers/iis-process/").content.decode()
    assert re.search(rf'id="image">{re.escape(SERVERCORE)} ', html)
    assert "/hosts/win/images/sha256:" not in html
