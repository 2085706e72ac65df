"""The host page links "who can do what on this host" for the host's admins only."""

import pytest

from console.access.models import HostRole, Role

ACCESS_LINK = 'href="/hosts/unix/access/"'


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR])
def test_below_admin_sees_no_access_link(logged_in, make_user, unix_host, role):
    client = logged_in(make_user("u", role, unix_host))
    html = client.get("/hosts/unix/").content.decode()
    assert ACCESS_LINK not in html and 'id="host-access"' not in html
    assert client.get("/hosts/unix/access/").status_code == 403


def test_admin_sees_and_follows_the_access_link(logged_in, make_user, unix_host):
    client = logged_in(make_user("host-admin", Role.ADMIN, unix_host))
    html = client.get("/hosts/unix/").content.decode()
    assert ACCESS_LINK in html
    page = client.get("/hosts/unix/access/")
    assert page.status_code == 200 and "<td>host-admin</td>" in page.content.decode()


def test_admin_of_another_host_only_sees_no_link_here(logged_in, make_user, unix_host, tls_host):
    user = make_user("mixed", Role.VIEWER, unix_host)
    HostRole.objects.create(team=user.teams.first(), host=tls_host, role=Role.ADMIN)
    client = logged_in(user)
    assert ACCESS_LINK not in client.get("/hosts/unix/").content.decode()
    assert 'href="/hosts/tls/access/"' in client.get("/hosts/tls/").content.decode()
