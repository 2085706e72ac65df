"""An uploaded tar cannot reach outside the chosen directory through symbolic links it
brings itself: a link made earlier in the same archive is never walked through."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from console.access.models import AuditEntry, Role
from console.engine import tar_safety
from tests.containers.test_files import engine_names, member, tar_bytes, upload

# Each builds a path out of /tmp/work from links that each look harmless on their own.
CHAINS = {
    "link to a dot-dot through a link": (
        ("c", "symlink", "."),
        ("a", "symlink", "c/.."),
        ("a/x", "file", b"outside"),
    ),
    "file through a link to a link": (
        ("c", "symlink", "."),
        ("c/c2", "symlink", ".."),
        ("c/c2/x", "file", b"outside"),
    ),
    "hard link copying a link elsewhere": (
        ("d", "dir", b""),
        ("d/l", "symlink", ".."),
        ("l", "hardlink", "d/l"),
        ("l/x", "file", b"outside"),
    ),
    "nested link names": (
        ("d", "dir", b""),
        ("d/l", "symlink", ".."),
        ("d/l/x", "file", b"outside"),
    ),
}


@pytest.fixture
def operator(make_user, unix_host, logged_in):
    return logged_in(make_user("op", Role.OPERATOR, unix_host))


@pytest.mark.parametrize("chain", CHAINS)
def test_a_chain_of_links_in_one_archive_is_refused_whole(
    operator, make_container, engine_api, chain
):
    cid = make_container("files-chain")
    engine_api.put_archive(cid, "/tmp", tar_bytes(("work", "dir", b"")))
    data = tar_bytes(*CHAINS[chain])
    page = upload(
        operator, "files-chain", "/tmp/work", SimpleUploadedFile("x.tar", data), extract=True
    )
    assert "Nothing was written" in page.content.decode()
    assert engine_names(engine_api, cid, "/tmp") == {".", "./work"}
    assert engine_names(engine_api, cid, "/tmp/work") == {"."}
    assert not AuditEntry.objects.get(action="container.cp_upload").ok


def test_links_across_the_archives_of_one_upload_are_refused(operator, make_container, engine_api):
    """The archives of one upload reach the engine as one stream: a link from the first
    is there when the second is unpacked."""
    cid = make_container("files-chain-two")
    engine_api.put_archive(cid, "/tmp", tar_bytes(("work", "dir", b"")))
    first = SimpleUploadedFile("1.tar", tar_bytes(("up", "symlink", ".")))
    second = SimpleUploadedFile(
        "2.tar", tar_bytes(("out", "symlink", "up/.."), ("out/x", "file", b"outside"))
    )
    page = upload(operator, "files-chain-two", "/tmp/work", first, second, extract=True)
    assert "Nothing was written" in page.content.decode()
    assert engine_names(engine_api, cid, "/tmp/work") == {"."}


def test_links_that_stay_inside_and_are_not_walked_through_still_unpack(
    operator, make_container, engine_api
):
    cid = make_container("files-chain-ok")
    engine_api.put_archive(cid, "/tmp", tar_bytes(("work", "dir", b"")))
    data = tar_bytes(
        ("sub", "dir", b""),
        ("sub/f", "file", b"f"),
        ("here", "symlink", "sub"),
        ("there", "symlink", "sub/f"),
        ("sub/up", "symlink", "../sub"),
        ("hard", "hardlink", "sub/f"),
    )
    page = upload(
        operator, "files-chain-ok", "/tmp/work", SimpleUploadedFile("ok.tar", data), extract=True
    )
    assert "6 entries unpacked into /tmp/work" in page.content.decode()
    assert engine_names(engine_api, cid, "/tmp/work") == {
        ".",
        "./sub",
        "./sub/f",
        "./sub/up",
        "./here",
        "./there",
        "./hard",
    }


def test_the_check_names_the_link_walked_through():
    check = tar_safety.EscapeCheck("/work")
    assert check.reason(member("./c", "symlink", ".")) is None
    assert check.reason(member("to-c", "symlink", "c/.")) is None  # ends at the link
    reason = check.reason(member("a", "symlink", "c/.."))
    assert reason and "'c'" in reason
    reason = check.reason(member("c/x"))
    assert reason and "'c'" in reason
    reason = check.reason(member("copy", "hardlink", "c"))
    assert reason and "copies the symbolic link 'c'" in reason
    absolute = tar_safety.EscapeCheck("/")
    assert absolute.reason(member("etc-link", "symlink", "/etc")) is None
    reason = absolute.reason(member("up", "symlink", "/etc-link/../tmp"))
    assert reason and "'etc-link'" in reason
