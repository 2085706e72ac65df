"""A volume's files, read through short-lived helper containers: listing, file and tar
downloads (byte-exact against what the engine itself holds), and no helper left behind."""

import asyncio
import io
import tarfile

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async

from console.access.models import AuditEntry, Role
from console.asgi import application
from tests.volumes.written import (
    HELPER_FILTER,
    volume_written_by,
)

# Every browse uses the fleet's image for its helpers and leaves none behind.
pytestmark = pytest.mark.usefixtures("helper_image_and_no_leftovers")

BIG = 3 * 1024 * 1024 + 17  # more than a few chunks, not a multiple of any


def _archive_bytes(api, container_id: str, path: str) -> dict[str, bytes]:
    """Every regular file under `path` in the container, as the engine sends it."""
    stream, _ = api.get_archive(container_id, path)
    with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isreg()}


@pytest.fixture(scope="module")
def filled(fleet):
    """A volume with text, binary, a 3 MiB file, nested folders and two links, written
    by a container; the expected bytes are read back from that container by the engine."""
    script = (
        "printf 'hello\\n' > /data/hello.txt; "
        "head -c 4096 /dev/urandom > /data/bin.dat; "
        f"head -c {BIG} /dev/urandom > /data/big; "
        "mkdir -p /data/sub/deep; printf 'deep down' > /data/sub/deep/x.txt; "
        "ln -s sub /data/to-sub; ln -s /etc /data/escape"
    )
    with volume_written_by(fleet, "files", script) as (api, volume, writer):
        yield volume, _archive_bytes(api, writer, "/data")


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_root_listing(logged_in, make_user, unix_host, filled):
    volume, _ = filled
    viewer = make_user("v", Role.VIEWER, unix_host)
    response = logged_in(viewer).get(f"/hosts/unix/volumes/{volume}/files/")
    assert response.status_code == 200
    entries = response.context["folder"].entries
    assert [(e.name, e.type) for e in entries] == [
        ("sub", "directory"),
        ("big", "file"),
        ("bin.dat", "file"),
        ("escape", "symlink"),
        ("hello.txt", "file"),
        ("to-sub", "symlink"),
    ]
    assert {e.name: e.size for e in entries}["big"] == BIG
    html = response.content.decode()
    assert 'data-name="hello.txt"' in html and "Download" not in html  # viewer: no download


def test_subfolder_listing_and_a_link_to_a_folder(admin_client, unix_host, filled):
    volume, _ = filled
    folder = admin_client.get(f"/hosts/unix/volumes/{volume}/files/?path=sub/deep").context[
        "folder"
    ]
    assert folder.path == "sub/deep"
    assert [(e.name, e.path) for e in folder.entries] == [("x.txt", "sub/deep/x.txt")]
    assert folder.crumbs == [("sub", "sub"), ("deep", "sub/deep")]
    linked = admin_client.get(f"/hosts/unix/volumes/{volume}/files/?path=to-sub").context["folder"]
    assert [e.name for e in linked.entries] == ["deep"]


def test_listing_is_bounded(admin_client, unix_host, filled, settings):
    volume, _ = filled
    settings.CONSOLE_LIST_LIMIT = 2
    response = admin_client.get(f"/hosts/unix/volumes/{volume}/files/")
    folder = response.context["folder"]
    assert len(folder.entries) == 2 and folder.truncated
    assert "Only the first 2 entries" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "message", "status"),
    [
        ("nowhere", "Nothing at /nowhere in volume", 404),
        ("../../etc", "Nothing at /etc in volume", 404),  # never above the volume's root
        ("escape", "is a link to /etc, outside the volume", 200),
        ("hello.txt", "/hello.txt is a file, not a folder", 200),
    ],
)
def test_paths_that_are_not_folders_of_the_volume(
    admin_client, unix_host, filled, path, message, status
):
    volume, _ = filled
    response = admin_client.get(f"/hosts/unix/volumes/{volume}/files/", {"path": path})
    assert response.status_code == status
    assert message in response.content.decode()


@pytest.mark.parametrize("name", ["hello.txt", "bin.dat", "big", "sub/deep/x.txt"])
def test_file_download_is_byte_exact(logged_in, make_user, unix_host, filled, name):
    volume, expected = filled
    operator = make_user("op", Role.OPERATOR, unix_host)
    response = logged_in(operator).get(f"/hosts/unix/volumes/{volume}/download/", {"path": name})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Length"] == str(len(expected[f"data/{name}"]))
    assert f'filename="{name.rsplit("/", 1)[-1]}"' in response["Content-Disposition"]
    assert _body(response) == expected[f"data/{name}"]
    entry = AuditEntry.objects.get(action="volume.download")
    assert (entry.target, entry.params, entry.ok) == (volume, {"path": f"/{name}"}, True)


def test_folder_and_whole_volume_download_as_tar(admin_client, unix_host, filled):
    volume, expected = filled
    folder = admin_client.get(f"/hosts/unix/volumes/{volume}/download/", {"path": "sub"})
    assert 'filename="sub.tar"' in folder["Content-Disposition"]
    with tarfile.open(fileobj=io.BytesIO(_body(folder))) as tar:
        assert tar.extractfile("./deep/x.txt").read() == b"deep down"
    whole = admin_client.get(f"/hosts/unix/volumes/{volume}/download/")
    assert f'filename="{volume}.tar"' in whole["Content-Disposition"]
    with tarfile.open(fileobj=io.BytesIO(_body(whole))) as tar:
        files = {m.name.removeprefix("./"): m for m in tar.getmembers()}
        contents = {name: tar.extractfile(m).read() for name, m in files.items() if m.isreg()}
    assert contents == {name.removeprefix("data/"): data for name, data in expected.items()}
    assert files["escape"].issym() and files["escape"].linkname == "/etc"
    assert files["sub/deep"].isdir()


def test_browser_leaving_mid_download_removes_the_helper(admin_client, unix_host, filled):
    volume, _ = filled
    response = admin_client.get(f"/hosts/unix/volumes/{volume}/download/", {"path": "big"})
    first = next(iter(response.streaming_content))
    assert 0 < len(first) < BIG
    response.close()  # what Django does when the client goes away


def test_download_never_started_still_removes_the_helper(admin_client, unix_host, filled):
    volume, _ = filled
    response = admin_client.get(f"/hosts/unix/volumes/{volume}/download/", {"path": "sub"})
    response.close()


def test_viewer_may_not_download(logged_in, make_user, unix_host, filled):
    volume, _ = filled
    viewer = make_user("v", Role.VIEWER, unix_host)
    response = logged_in(viewer).get(f"/hosts/unix/volumes/{volume}/download/", {"path": "big"})
    assert response.status_code == 403
    assert not AuditEntry.objects.exists()


def test_missing_file_download_goes_back_with_a_message(admin_client, unix_host, filled):
    volume, _ = filled
    response = admin_client.get(
        f"/hosts/unix/volumes/{volume}/download/", {"path": "sub/gone"}, follow=True
    )
    assert response.redirect_chain[-1][0].endswith("/files/?path=sub")
    assert "Nothing at /sub/gone in volume" in response.content.decode()
    assert not AuditEntry.objects.get(action="volume.download").ok


def test_unknown_volume_is_404_and_not_created(admin_client, unix_host, engine_api):
    assert admin_client.get("/hosts/unix/volumes/no-such-vol/files/").status_code == 404
    assert admin_client.get("/hosts/unix/volumes/no-such-vol/download/").status_code == 404
    assert "no-such-vol" not in {v["Name"] for v in engine_api.volumes()["Volumes"] or []}


def test_missing_helper_image_says_so(admin_client, unix_host, filled, settings):
    volume, _ = filled
    settings.CONSOLE_VOLUME_HELPER_IMAGE = "console-test/absent:latest"
    html = admin_client.get(f"/hosts/unix/volumes/{volume}/files/").content.decode()
    assert "The helper image console-test/absent:latest is not on this host" in html


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_under_asgi_a_browser_leaving_mid_download_removes_the_helper(
    client, admin_user, unix_host, filled, engine_api
):
    """Through the ASGI application daphne serves: one chunk, then the browser is gone."""
    volume, _ = filled
    await database_sync_to_async(client.force_login)(admin_user)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": f"/hosts/unix/volumes/{volume}/download/",
        "raw_path": f"/hosts/unix/volumes/{volume}/download/".encode(),
        "query_string": b"path=big",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    browser = ApplicationCommunicator(application, scope)
    await browser.send_input({"type": "http.request", "body": b""})
    start = await browser.receive_output(10)
    assert start["type"] == "http.response.start" and start["status"] == 200
    first = await browser.receive_output(10)
    assert 0 < len(first["body"]) < BIG and first["more_body"]
    await browser.send_input({"type": "http.disconnect"})
    await browser.wait(10)
    # The read under way when the browser left finishes, then removes the helper.
    for _ in range(50):
        left = await asyncio.to_thread(engine_api.containers, all=True, filters=HELPER_FILTER)
        if not left:
            break
        await asyncio.sleep(0.1)
    assert not left
