"""The container's stream pages render for the right roles and point at their sockets."""

import pytest

from console.access.models import Role


def test_the_stats_page_is_for_viewers(logged_in, make_user, unix_host):
    viewer = make_user("v", Role.VIEWER, unix_host)
    html = logged_in(viewer).get("/hosts/unix/containers/c1/stats/").content.decode()
    assert "/ws/hosts/unix/containers/c1/stats/" in html


@pytest.mark.parametrize(
    "path", ["/hosts/unix/containers/c1/terminal/", "/hosts/unix/containers/c1/attach/"]
)
def test_terminal_pages_need_operator(logged_in, make_user, unix_host, path):
    viewer = make_user("v", Role.VIEWER, unix_host)
    assert logged_in(viewer).get(path).status_code == 403
    operator = make_user("o", Role.OPERATOR, unix_host)
    html = logged_in(operator).get(path).content.decode()
    assert "xterm.js" in html


def test_attach_page_explains_the_difference_from_exec(admin_client, unix_host):
    html = admin_client.get("/hosts/unix/containers/c1/attach/").content.decode()
    assert "stops the container" in html and "Ctrl-p" in html


def test_windows_hosts_offer_cmd_and_powershell(admin_client, db):
    from console.hosts.models import Host

    Host.objects.create(name="win", slug="win", url="tcp://127.0.0.1:9", platform_preset="windows")
    html = admin_client.get("/hosts/win/containers/c1/terminal/").content.decode()
    assert "<option selected>cmd</option>" in html and "<option>powershell</option>" in html
    assert "<option>sh</option>" not in html
