"""The volume browser reads a volume through a helper container; a symbolic link in the
volume must never lead it into that helper's own files (its /etc/passwd), whether the
link is the path itself or a folder on the way."""

from __future__ import annotations

import pytest

from console.access.models import AuditEntry
from tests.volumes.written import volume_written_by

# Every browse uses the fleet's image for its helpers and leaves none behind.
pytestmark = pytest.mark.usefixtures("helper_image_and_no_leftovers")


@pytest.fixture(scope="module")
def linked(fleet):
    """A volume with links out of it (absolute, relative, to its root's parent) and links
    that stay inside."""
    script = (
        "cd /data && printf 'inside\\n' > hello.txt && mkdir -p sub/deep && "
        "printf 'deep down' > sub/deep/x.txt && "
        "ln -s /etc/passwd passwd && ln -s ../etc/passwd rel-passwd && ln -s / root && "
        "ln -s /etc etc && ln -s hello.txt inner && ln -s sub to-sub && "
        "ln -s /data/sub abs-sub && ln -s to-sub via-link"
    )
    with volume_written_by(fleet, "links", script) as (_, volume, _writer):
        yield volume


def _download(client, volume: str, path: str):
    return client.get(f"/hosts/unix/volumes/{volume}/download/", {"path": path}, follow=True)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_links_are_listed_as_links_with_their_target(admin_client, unix_host, linked):
    response = admin_client.get(f"/hosts/unix/volumes/{linked}/files/")
    assert response.status_code == 200
    entries = {e.name: e for e in response.context["folder"].entries}
    assert (entries["passwd"].type, entries["passwd"].link_target) == ("symlink", "/etc/passwd")
    assert entries["rel-passwd"].link_target == "../etc/passwd"
    assert "→ <code>/etc/passwd</code>" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["passwd", "rel-passwd", "root/etc/passwd", "etc/passwd", "root/etc/../etc/passwd"]
)
def test_no_download_through_a_link_out_of_the_volume(admin_client, unix_host, linked, path):
    response = _download(admin_client, linked, path)
    body = _body(response)  # read whole, so that a helper still sending ends
    assert not response.streaming, "nothing may be sent"
    assert b"root:" not in body
    assert "outside the volume" in response.content.decode()
    assert not AuditEntry.objects.get(action="volume.download").ok


@pytest.mark.parametrize("path", ["root/etc", "etc", "root", "root/bin"])
def test_no_listing_through_a_link_out_of_the_volume(admin_client, unix_host, linked, path):
    response = admin_client.get(f"/hosts/unix/volumes/{linked}/files/", {"path": path})
    assert "folder" not in response.context
    assert "outside the volume" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("inner", b"inside\n"),
        ("to-sub/deep/x.txt", b"deep down"),
        ("via-link/deep/x.txt", b"deep down"),
    ],
)
def test_links_that_stay_inside_still_lead_there(admin_client, unix_host, linked, path, expected):
    response = _download(admin_client, linked, path)
    assert response.status_code == 200 and response.streaming
    assert _body(response) == expected


def test_a_folder_reached_through_inside_links_lists_by_its_real_path(
    admin_client, unix_host, linked
):
    folder = admin_client.get(
        f"/hosts/unix/volumes/{linked}/files/", {"path": "via-link/deep"}
    ).context["folder"]
    assert folder.path == "sub/deep"
    assert [(e.name, e.path) for e in folder.entries] == [("x.txt", "sub/deep/x.txt")]
