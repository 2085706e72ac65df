"""The host's stream pages render for viewers and point at their sockets."""

import pytest

from console.access.models import Role


@pytest.mark.parametrize(
    ("path", "socket"),
    [
        ("/hosts/unix/stats/", "/ws/hosts/unix/stats/"),
        ("/hosts/unix/events/", "/ws/hosts/unix/events/"),
    ],
)
def test_viewer_pages(logged_in, make_user, unix_host, path, socket):
    viewer = make_user("v", Role.VIEWER, unix_host)
    html = logged_in(viewer).get(path).content.decode()
    assert socket in html
