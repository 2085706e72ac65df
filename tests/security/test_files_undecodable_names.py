"""Names that are not UTF-8 (any process in a container or volume can make them) are
listed, browsed into, downloaded and uploaded into: shown with their odd bytes written
as \\xNN, addressed by their bytes in links (%FF), never a 500."""

from __future__ import annotations

import io
import re
import tarfile
import uuid
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from console.access.models import AuditEntry, Role
from tests.volumes.written import volume_written_by

# What the script below creates, as bytes, and how the page writes each name.
NOT_ALONE = "as its name is not UTF-8: download the directory that holds it"
BAD_FILE, SHOWN_FILE = b"bad\xff\xfe.txt", r"bad\xff\xfe.txt"
BAD_DIR, SHOWN_DIR = b"dir\xff", r"dir\xff"
BAD_TARGET, SHOWN_TARGET = b"tg\xff", r"tg\xff"
MAKE_NAMES = (
    "cd {root} && printf 'odd bytes' > \"$(printf 'bad\\377\\376.txt')\" && "
    "mkdir \"$(printf 'dir\\377')\" && printf inner > \"$(printf 'dir\\377')/in.txt\" && "
    "ln -s \"$(printf 'tg\\377')\" link && printf plain > ok.txt"
)


def _engine_names(engine_api, cid: str, path: bytes) -> set[bytes]:
    stream, _ = engine_api.get_archive(cid, path + b"/.")
    with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
        return {m.name.encode("utf-8", "surrogateescape") for m in tar.getmembers()}


def _links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html)]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def operator(make_user, unix_host, logged_in):
    return logged_in(make_user("op", Role.OPERATOR, unix_host))


@pytest.fixture
def odd(make_container, engine_api):
    """A container whose /d holds a file, a folder and a link target that are not UTF-8."""
    name = f"files-odd-{uuid.uuid4().hex[:6]}"
    cid = make_container(name)
    exec_id = engine_api.exec_create(
        cid, ["sh", "-c", "mkdir /d && " + MAKE_NAMES.format(root="/d")]
    )
    engine_api.exec_start(exec_id)
    assert engine_api.exec_inspect(exec_id)["ExitCode"] == 0
    return name, cid


def test_a_container_directory_with_such_names_is_listed(operator, odd):
    name, _ = odd
    page = operator.get(f"/hosts/unix/containers/{name}/files/", {"path": "/d"})
    assert page.status_code == 200
    html = page.content.decode()
    assert SHOWN_FILE in unescape(html) and SHOWN_DIR in unescape(html)
    assert SHOWN_TARGET in unescape(html)
    links = _links(html)
    assert "?path=%2Fd%2Fdir%FF" in links
    assert f"/hosts/unix/containers/{name}/files/download/?path=%2Fd%2Fbad%FF%FE.txt" in links


def _tar_files(response) -> dict[bytes, bytes]:
    with tarfile.open(fileobj=io.BytesIO(_body(response))) as tar:
        return {
            m.name.encode("utf-8", "surrogateescape"): tar.extractfile(m).read()
            for m in tar.getmembers()
            if m.isreg()
        }


def _redirected(client, response):
    """The page a redirect leads to, fetched by the Location as sent (the test client's
    follow=True would re-encode the query and lose its bytes, a browser does not)."""
    assert response.status_code == 302
    return client.get(response["Location"])


def test_such_a_file_is_refused_alone_and_comes_in_its_directory_tar(operator, odd):
    """The engine leaves such a file out of its own archive: the console says so, and
    the directory's tar has it, byte for byte."""
    name, _ = odd
    base = f"/hosts/unix/containers/{name}/files/"
    response = operator.get(base + "download/?path=%2Fd%2Fbad%FF%FE.txt")
    assert response["Location"] == base + "?path=%2Fd"
    assert NOT_ALONE in unescape(_redirected(operator, response).content.decode())
    entry = AuditEntry.objects.get(action="container.cp_download")
    assert not entry.ok and entry.params == {"path": "/d/" + SHOWN_FILE}
    directory = operator.get(base + "download/?path=%2Fd")
    assert _tar_files(directory)[b"./" + BAD_FILE] == b"odd bytes"


def test_such_a_directory_is_browsed_and_downloaded(operator, odd):
    name, _ = odd
    base = f"/hosts/unix/containers/{name}/files/"

    inside = operator.get(base + "?path=%2Fd%2Fdir%FF")
    assert inside.status_code == 200
    html = unescape(inside.content.decode())
    assert "in.txt" in html and SHOWN_DIR in html
    assert f"{base}download/?path=%2Fd%2Fdir%FF%2Fin.txt" in _links(inside.content.decode())
    tarball = operator.get(base + "download/?path=%2Fd%2Fdir%FF")
    assert tarball.status_code == 200
    assert tarball["Content-Disposition"] == r'attachment; filename="dir\\xff.tar"'
    assert _tar_files(tarball) == {b"./in.txt": b"inner"}
    inner = operator.get(base + "download/?path=%2Fd%2Fdir%FF%2Fin.txt")
    assert _body(inner) == b"inner"


def test_uploading_into_such_a_directory_through_its_page(operator, odd, engine_api):
    name, cid = odd
    base = f"/hosts/unix/containers/{name}/files/"
    page = operator.get(base + "?path=%2Fd%2Fdir%FF").content.decode()
    action = unescape(re.search(r'<form[^>]*action="([^"]*)"[^>]*id="upload"', page)[1])
    response = operator.post(action, {"files": [SimpleUploadedFile("new.txt", b"new")]})
    page = _redirected(operator, response)
    assert "1 entry uploaded into /d/" + SHOWN_DIR in unescape(page.content.decode())
    assert b"./new.txt" in _engine_names(engine_api, cid, b"/d/" + BAD_DIR)


def test_a_missing_undecodable_path_is_a_clear_answer(operator, odd):
    name, _ = odd
    base = f"/hosts/unix/containers/{name}/files/"
    page = operator.get(base + "?path=%2Fd%2Fnone%FF")
    assert page.status_code == 404
    assert r"Nothing at /d/none\xff" in unescape(page.content.decode())
    response = _redirected(operator, operator.get(base + "download/?path=%2Fd%2Fnone%FF"))
    assert r"Nothing at /d/none\xff" in unescape(response.content.decode())


@pytest.fixture
def odd_volume(fleet, helper_image_and_no_leftovers):
    with volume_written_by(fleet, "odd", MAKE_NAMES.format(root="/data")) as (_, volume, _w):
        yield volume


def test_a_volume_with_such_names_is_listed_browsed_and_downloaded(
    admin_client, unix_host, odd_volume
):
    base = f"/hosts/unix/volumes/{odd_volume}/"
    page = admin_client.get(base + "files/")
    assert page.status_code == 200
    html = page.content.decode()
    assert SHOWN_FILE in unescape(html) and SHOWN_TARGET in unescape(html)
    links = _links(html)
    assert "?path=dir%FF" in links
    assert f"{base}download/?path=bad%FF%FE.txt" in links

    inside = admin_client.get(base + "files/?path=dir%FF")
    assert inside.status_code == 200
    assert "in.txt" in inside.content.decode()
    response = admin_client.get(base + "download/?path=bad%FF%FE.txt")
    assert NOT_ALONE in unescape(_redirected(admin_client, response).content.decode())
    entry = AuditEntry.objects.get(action="volume.download")
    assert not entry.ok and entry.params == {"path": "/" + SHOWN_FILE}
    assert _tar_files(admin_client.get(base + "download/"))[b"./" + BAD_FILE] == b"odd bytes"
    assert _body(admin_client.get(base + "download/?path=dir%FF%2Fin.txt")) == b"inner"
    missing = admin_client.get(base + "download/?path=dir%FF%2Fnone%FE")
    assert missing["Location"] == base + "files/?path=dir%FF"
    page = _redirected(admin_client, missing)
    assert r"Nothing at /dir\xff/none\xfe" in unescape(page.content.decode())
