"""`docker cp` as a file browser: listing, download, upload, the tar escape check, limits,
roles and audit, against the real engine."""

from __future__ import annotations

import gzip
import io
import tarfile
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from console.access.models import AuditEntry, Role
from console.engine import tar_safety

BINARY = bytes(range(256)) * 4097  # every byte value, not a multiple of the tar block size
UNICODE_NAME = "héllo wörld ☃ ü.txt"
HOSTILE_NAME = "<img src=x onerror=alert(1)>.txt"


def tar_bytes(*entries: tuple[str, str, bytes | str]) -> bytes:
    """A tar of (name, kind, data or link target); kind is file, dir, symlink or hardlink."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, payload in entries:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE}.get(
                kind, tarfile.LNKTYPE
            )
            info.mode = 0o755
            info.linkname = payload if isinstance(payload, str) else ""
            tar.addfile(info)
    return buffer.getvalue()


def engine_tar(engine_api, cid: str, path: str) -> tarfile.TarFile:
    """What the engine itself holds at `path`, fetched without the console."""
    stream, _ = engine_api.get_archive(cid, path)
    return tarfile.open(fileobj=io.BytesIO(b"".join(stream)))


def engine_file(engine_api, cid: str, path: str) -> bytes:
    tar = engine_tar(engine_api, cid, path)
    return tar.extractfile(tar.getmembers()[0]).read()


def engine_names(engine_api, cid: str, path: str) -> set[str]:
    return {m.name for m in engine_tar(engine_api, cid, path + "/.").getmembers()}


def streamed(response) -> bytes:
    assert response.streaming, "a download must be streamed"
    return b"".join(response.streaming_content)


def files_url(ref: str, suffix: str = "", slug: str = "unix") -> str:
    return f"/hosts/{slug}/containers/{ref}/files/{suffix}"


@pytest.fixture
def operator(make_user, unix_host, logged_in):
    return logged_in(make_user("op", Role.OPERATOR, unix_host))


def upload(client, ref: str, directory: str, *files, extract: bool = False, slug: str = "unix"):
    data = {"path": directory, "files": list(files)}
    if extract:
        data["extract"] = "on"
    return client.post(files_url(ref, "upload/", slug), data, follow=True)


# -- pure functions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("/", "/"), ("/etc/../..", "/"), ("//etc//ssl/./", "/etc/ssl"), ("/a/b/../c", "/a/c")],
)
def test_paths_are_normalised_and_cannot_climb_above_root(text, expected):
    assert tar_safety.normalize_path(text) == expected


@pytest.mark.parametrize("text", ["etc", "../etc", "", "/etc\0/x"])
def test_relative_and_nul_paths_are_refused(text):
    with pytest.raises(tar_safety.Refused):
        tar_safety.normalize_path(text)


def member(name: str, kind: str = "file", link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = {
        "file": tarfile.REGTYPE,
        "dir": tarfile.DIRTYPE,
        "symlink": tarfile.SYMTYPE,
        "hardlink": tarfile.LNKTYPE,
        "fifo": tarfile.FIFOTYPE,
        "chardev": tarfile.CHRTYPE,
    }[kind]
    info.linkname = link
    return info


@pytest.mark.parametrize(
    ("entry", "destination"),
    [
        (member("../evil"), "/work"),
        (member("a/../../evil"), "/work"),
        (member("a/.."), "/"),
        (member("/etc/passwd"), "/work"),
        (member("link", "symlink", "../etc"), "/work"),
        (member("a/b/link", "symlink", "../../../etc/passwd"), "/work"),
        (member("link", "symlink", "/etc"), "/work"),
        (member("link", "hardlink", "../outside"), "/work"),
        (member("link", "hardlink", "/etc/shadow"), "/work"),
        (member("null", "chardev"), "/work"),
    ],
)
def test_entries_that_escape_are_named(entry, destination):
    reason = tar_safety.EscapeCheck(destination).reason(entry)
    assert reason and repr(entry.name) in reason


@pytest.mark.parametrize(
    ("entry", "destination"),
    [
        (member("a/b/c.txt"), "/work"),
        (member("./a"), "/work"),
        (member("."), "/work"),
        (member("a..b"), "/work"),
        (member("a/link", "symlink", "../b"), "/work"),
        (member("link", "symlink", "/work/sub"), "/work"),
        (member("link", "symlink", "/etc"), "/"),
        (member("link", "hardlink", "a/b/c.txt"), "/work"),
        (member("pipe", "fifo"), "/work"),
    ],
)
def test_entries_that_stay_inside_pass(entry, destination):
    assert tar_safety.EscapeCheck(destination).reason(entry) is None


def test_archive_check_counts_and_refuses_what_is_not_a_tar():
    data = tar_bytes(("d", "dir", b""), ("d/f", "file", b"x" * 10))
    work = tar_safety.EscapeCheck("/work")
    assert tar_safety.check_archive(io.BytesIO(gzip.compress(data)), work, 100) == (2, 10)
    with pytest.raises(tar_safety.Refused, match="more than the upload limit"):
        tar_safety.check_archive(io.BytesIO(data), work, 9)
    with pytest.raises(tar_safety.Refused, match="not a readable tar"):
        tar_safety.check_archive(io.BytesIO(b"plain text, not a tar"), work, 100)


# -- against the engine ---------------------------------------------------------------------


@pytest.fixture(params=["unix", "ssh"])
def host(request, make_user, logged_in):
    """Engine A over its unix socket and over SSH; (host, operator client)."""
    host = request.getfixturevalue(f"{request.param}_host")
    return host, logged_in(make_user("op", Role.OPERATOR, host))


def test_upload_list_and_download_round_trip(host, make_container, engine_api):
    host, client = host
    cid = make_container("files-rt")
    browse = files_url("files-rt", slug=host.slug)
    download = files_url("files-rt", "download/", host.slug)
    text = "ünïcode ☃\n".encode()
    tree = tar_bytes(
        ("tree", "dir", b""),
        ("tree/sub", "dir", b""),
        ("tree/sub/deep", "dir", b""),
        ("tree/sub/deep/leaf.txt", "file", b"leaf\n"),
        ("tree/link", "symlink", "sub"),
    )
    page = upload(
        client,
        "files-rt",
        "/tmp",
        SimpleUploadedFile("bytes.bin", BINARY),
        SimpleUploadedFile(UNICODE_NAME, text),
        slug=host.slug,
    )
    assert "2 entries uploaded into /tmp" in page.content.decode()
    page = upload(
        client,
        "files-rt",
        "/tmp",
        SimpleUploadedFile("tree.tar", tree),
        extract=True,
        slug=host.slug,
    )
    assert "5 entries unpacked into /tmp" in page.content.decode()

    # What the engine holds is what was sent.
    assert engine_file(engine_api, cid, "/tmp/bytes.bin") == BINARY
    assert engine_file(engine_api, cid, f"/tmp/{UNICODE_NAME}") == text
    uploaded = engine_tar(engine_api, cid, "/tmp/bytes.bin").getmembers()[0]
    assert uploaded.mode & 0o7777 == 0o644

    listing = client.get(browse, {"path": "/tmp"})
    assert listing.status_code == 200
    entries = {e.name: e for e in listing.context["listing"].entries}
    assert set(entries) == {"bytes.bin", UNICODE_NAME, "tree"}
    assert entries["bytes.bin"].size == len(BINARY)
    assert entries["bytes.bin"].mode_text == "-rw-r--r--"
    assert entries["tree"].is_dir
    html = listing.content.decode()
    assert UNICODE_NAME in html and 'href="?path=%2Ftmp%2Ftree"' in html

    nested = client.get(browse, {"path": "/tmp/tree"}).context["listing"]
    assert [(e.name, e.type, e.link_target) for e in nested.entries] == [
        ("sub", "directory", ""),
        ("link", "symlink", "sub"),
    ]
    # A link to a directory is browsed as that directory.
    through_link = client.get(browse, {"path": "/tmp/tree/link"})
    assert [e.name for e in through_link.context["listing"].entries] == ["deep"]

    response = client.get(download, {"path": "/tmp/bytes.bin"})
    assert streamed(response) == BINARY
    assert response["Content-Length"] == str(len(BINARY))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="bytes.bin"'

    response = client.get(download, {"path": f"/tmp/{UNICODE_NAME}"})
    assert streamed(response) == engine_file(engine_api, cid, f"/tmp/{UNICODE_NAME}")
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(UNICODE_NAME)}"

    response = client.get(download, {"path": "/tmp/tree"})
    assert response["Content-Disposition"] == 'attachment; filename="tree.tar"'
    with tarfile.open(fileobj=io.BytesIO(streamed(response))) as tar:
        names = {m.name.removeprefix("./") for m in tar.getmembers()}
        assert {"sub", "sub/deep", "sub/deep/leaf.txt", "link"} <= names
        assert tar.extractfile("./sub/deep/leaf.txt").read() == b"leaf\n"
        assert tar.getmember("./link").linkname == "sub"

    uploads = AuditEntry.objects.filter(action="container.cp_upload", ok=True).order_by("pk")
    assert uploads[0].params["files"] == [
        {"name": "bytes.bin", "size": len(BINARY)},
        {"name": UNICODE_NAME, "size": len(text)},
    ]
    assert uploads[1].params == {
        "path": "/tmp",
        "extract": True,
        "files": [{"name": "tree.tar", "size": len(tree)}],
    }
    downloads = AuditEntry.objects.filter(action="container.cp_download", ok=True)
    assert {d.params["path"] for d in downloads} == {
        "/tmp/bytes.bin",
        f"/tmp/{UNICODE_NAME}",
        "/tmp/tree",
    }
    assert {d.host_name for d in downloads} == {host.name}


ESCAPING_TARS = {
    "dot-dot": (("good.txt", "file", b"ok"), ("../evil.txt", "file", b"evil")),
    "absolute": (("good.txt", "file", b"ok"), ("/evil.txt", "file", b"evil")),
    "symlink": (("good.txt", "file", b"ok"), ("evil", "symlink", "../../etc")),
    "hardlink": (("good.txt", "file", b"ok"), ("evil", "hardlink", "../../etc/passwd")),
}


@pytest.mark.parametrize("kind", ESCAPING_TARS)
def test_a_tar_that_escapes_is_refused_whole(operator, make_container, engine_api, kind):
    cid = make_container("files-escape")
    engine_api.put_archive(cid, "/tmp", tar_bytes(("work", "dir", b"")))
    data = tar_bytes(*ESCAPING_TARS[kind])
    page = upload(
        operator, "files-escape", "/tmp/work", SimpleUploadedFile("x.tar", data), extract=True
    )
    html = page.content.decode()
    assert "Nothing was written" in html and "evil" in html
    assert engine_names(engine_api, cid, "/tmp/work") == {"."}
    assert engine_names(engine_api, cid, "/tmp") == {".", "./work"}
    assert "evil.txt" not in {m.name.lstrip("./") for m in engine_tar(engine_api, cid, "/.")}
    entry = AuditEntry.objects.get(action="container.cp_upload")
    assert not entry.ok and "Nothing was written" in entry.error


def test_upload_over_the_limit_is_refused(operator, make_container, engine_api, settings):
    settings.CONSOLE_UPLOAD_LIMIT = 1000
    cid = make_container("files-limit")
    page = upload(operator, "files-limit", "/tmp", SimpleUploadedFile("big.bin", b"x" * 2000))
    assert "(2kB) is larger than the limit of 1kB" in page.content.decode()
    assert "CONSOLE_UPLOAD_LIMIT" in page.content.decode()
    # A small archive that unpacks to more than the limit is refused too.
    bomb = gzip.compress(tar_bytes(("zeros", "file", bytes(5000))))
    assert len(bomb) < 1000
    page = upload(
        operator, "files-limit", "/tmp", SimpleUploadedFile("bomb.tar.gz", bomb), extract=True
    )
    assert "more than the upload limit" in page.content.decode()
    assert engine_names(engine_api, cid, "/tmp") == {"."}
    assert AuditEntry.objects.filter(action="container.cp_upload", ok=False).count() == 2


def test_a_stopped_container_is_browsed_and_written(operator, make_container, engine_api):
    cid = make_container("files-stopped", start=False)
    page = operator.get(files_url("files-stopped"))
    assert page.status_code == 200
    assert page.context["c"].state == "created"
    names = {e.name: e for e in page.context["listing"].entries}
    assert {"bin", "etc", "tmp"} <= set(names) and names["bin"].is_dir
    etc = operator.get(files_url("files-stopped"), {"path": "/etc"}).context["listing"]
    assert "passwd" in [e.name for e in etc.entries]
    passwd = operator.get(files_url("files-stopped", "download/"), {"path": "/etc/passwd"})
    assert streamed(passwd) == engine_file(engine_api, cid, "/etc/passwd")
    upload(operator, "files-stopped", "/tmp", SimpleUploadedFile("note.txt", b"while stopped"))
    assert engine_file(engine_api, cid, "/tmp/note.txt") == b"while stopped"


def test_a_file_path_shows_the_file_and_its_download(operator, make_container):
    make_container("files-one")
    page = operator.get(files_url("files-one"), {"path": "/bin/../etc/passwd"})
    assert page.context["target"].path == "/etc/passwd"
    assert not page.context["target"].is_dir and "listing" not in page.context
    assert "files/download/?path=%2Fetc%2Fpasswd" in page.content.decode()


def test_hostile_names_and_link_targets_render_escaped(operator, make_container, engine_api):
    cid = make_container("files-hostile")
    upload(operator, "files-hostile", "/tmp", SimpleUploadedFile(HOSTILE_NAME, b"x"))
    engine_api.put_archive(
        cid,
        "/tmp",
        tar_bytes(
            ("two\nlines.txt", "file", b"y"),
            ("evil-link", "symlink", "<script>alert(2)</script>"),
        ),
    )
    page = operator.get(files_url("files-hostile"), {"path": "/tmp"})
    html = page.content.decode()
    assert HOSTILE_NAME in {e.name for e in page.context["listing"].entries}
    assert "two\nlines.txt" in {e.name for e in page.context["listing"].entries}
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;.txt" in html
    assert "<script>alert(2)" not in html and "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    response = operator.get(
        files_url("files-hostile", "download/"), {"path": "/tmp/two\nlines.txt"}
    )
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''two%0Alines.txt"
    assert streamed(response) == b"y"


def test_listing_stops_at_the_limit(operator, make_container, settings):
    settings.CONSOLE_LIST_LIMIT = 3
    make_container("files-many")
    page = operator.get(files_url("files-many"), {"path": "/bin"})
    listing = page.context["listing"]
    assert len(listing.entries) == 3 and listing.truncated
    assert "Only the first 3 entries are listed" in page.content.decode()


def test_missing_path_says_so(operator, make_container):
    make_container("files-missing")
    page = operator.get(files_url("files-missing"), {"path": "/no/such/dir"})
    assert page.status_code == 404
    assert "Nothing at /no/such/dir" in page.content.decode()
    response = operator.get(files_url("files-missing", "download/"), {"path": "/nope"}, follow=True)
    assert "Nothing at /nope" in response.content.decode()
    entry = AuditEntry.objects.get(action="container.cp_download")
    assert not entry.ok and "/nope" in entry.error


def test_upload_into_a_missing_directory_says_so(operator, make_container):
    make_container("files-nodir")
    page = upload(operator, "files-nodir", "/nowhere", SimpleUploadedFile("a.txt", b"a"))
    assert "Nothing at /nowhere" in page.content.decode()


@pytest.mark.parametrize("suffix", ["", "download/?path=/etc/passwd"])
def test_a_removed_container_is_404_not_500(operator, make_container, engine_api, suffix):
    cid = make_container("files-gone")
    engine_api.remove_container(cid, force=True)
    response = operator.get(files_url("files-gone", suffix))
    assert response.status_code == 404
    assert "files-gone no longer exists" in response.content.decode()


def test_upload_into_a_removed_container_is_404(operator, make_container, engine_api):
    cid = make_container("files-gone-up")
    engine_api.remove_container(cid, force=True)
    response = upload(operator, "files-gone-up", "/tmp", SimpleUploadedFile("a.txt", b"a"))
    assert response.status_code == 404
    assert "files-gone-up no longer exists" in response.content.decode()
    assert not AuditEntry.objects.get(action="container.cp_upload").ok


PAGES = ["files/", "files/download/?path=/etc/passwd", "files/upload/"]


@pytest.mark.parametrize("page", PAGES)
def test_viewer_is_refused(logged_in, make_user, unix_host, make_container, engine_api, page):
    cid = make_container("files-viewer")
    viewer = logged_in(make_user("v", Role.VIEWER, unix_host))
    url = f"/hosts/unix/containers/files-viewer/{page}"
    response = viewer.post(url, {"path": "/tmp"}) if "upload" in page else viewer.get(url)
    assert response.status_code == 403
    assert engine_names(engine_api, cid, "/tmp") == {"."}
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("page", PAGES)
def test_other_team_gets_404(logged_in, make_user, unix_host, tls_host, page):
    outsider = logged_in(make_user("out", Role.ADMIN, tls_host))
    url = f"/hosts/unix/containers/anything/{page}"
    response = outsider.post(url) if "upload" in page else outsider.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, unix_host, page):
    url = f"/hosts/unix/containers/anything/{page}"
    response = client.post(url) if "upload" in page else client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
