"""Host overview, edit, remove and connection test: roles and effects."""

from pathlib import Path

import pytest

from console.access.models import AuditEntry, Role
from console.hosts.models import Host
from tests.engines import raw_client


@pytest.mark.parametrize("path", ["/hosts/unix/", "/hosts/unix/edit/", "/hosts/unix/delete/"])
def test_anonymous_is_sent_to_login(client, unix_host, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("path", ["/hosts/unix/", "/hosts/unix/edit/", "/hosts/unix/delete/"])
def test_other_team_gets_404(logged_in, make_user, unix_host, tls_host, path):
    outsider = make_user("out", Role.ADMIN, tls_host)
    assert logged_in(outsider).get(path).status_code == 404


def test_viewer_reads_version_and_info(logged_in, make_user, unix_host, fleet):
    viewer = make_user("v", Role.VIEWER, unix_host)
    response = logged_in(viewer).get("/hosts/unix/")
    info = raw_client(fleet).info()
    html = response.content.decode()
    assert info["ID"] in html
    assert info["Driver"] in html
    assert "Edit" not in html and "Remove" not in html


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR])
def test_below_admin_cannot_edit_or_remove(logged_in, make_user, unix_host, role):
    user = make_user("u", role, unix_host)
    c = logged_in(user)
    assert c.post("/hosts/unix/edit/", {"name": "renamed", "url": unix_host.url}).status_code == 403
    assert c.post("/hosts/unix/delete/").status_code == 403
    assert Host.objects.get(slug="unix").name == "unix engine"


def test_admin_edits_host_without_seeing_its_secrets(logged_in, make_user, tls_host, fleet):
    admin = make_user("a", Role.ADMIN, tls_host)
    c = logged_in(admin)
    form_html = c.get("/hosts/tls/edit/").content.decode()
    key_body = Path(fleet.tls_key).read_text().splitlines()[1]
    assert key_body not in form_html
    assert "A client key is stored" in form_html
    data = {
        "name": "TLS renamed",
        "slug": "tls",
        "url": tls_host.url,
        "tls": "on",
        "tls_ca_cert": tls_host.tls_ca_cert,
        "tls_client_cert": tls_host.tls_client_cert,
    }
    response = c.post("/hosts/tls/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    host = Host.objects.get(slug="tls")
    assert host.name == "TLS renamed"
    # The key left empty in the form is kept.
    assert host.tls_client_key.reveal() == Path(fleet.tls_key).read_text().strip()
    assert c.get("/").context["results"][0].ok
    assert AuditEntry.objects.get(action="host.edit").params == {"changed": ["name"]}


def test_changing_the_ssh_address_clears_the_pinned_key(admin_client, ssh_host):
    data = {"name": ssh_host.name, "slug": "ssh", "url": ssh_host.url.rsplit(":", 1)[0] + ":2222"}
    assert admin_client.post("/hosts/ssh/edit/", data).status_code == 302
    assert Host.objects.get(slug="ssh").ssh_host_key == ""


def test_admin_removes_host_and_engine_is_untouched(admin_client, unix_host, fleet):
    before = raw_client(fleet).info()["Containers"]
    assert admin_client.post("/hosts/unix/delete/").status_code == 302
    assert not Host.objects.filter(slug="unix").exists()
    assert raw_client(fleet).info()["Containers"] == before
    entry = AuditEntry.objects.get(action="host.remove")
    assert entry.host_name == "unix engine" and entry.host is None


def test_connection_test_returns_the_partial_for_htmx(admin_client, unix_host):
    response = admin_client.post("/hosts/unix/test/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="connection">')
    assert "docker version" in html
    assert "<html" not in html


def test_connection_test_without_htmx_flashes_the_result(admin_client, db, tmp_path):
    Host.objects.create(name="gone", slug="gone", url=f"unix://{tmp_path}/none.sock")
    response = admin_client.post("/hosts/gone/test/", follow=True)
    assert "Unreachable: Cannot connect: no such socket." in response.content.decode()


def test_hostile_engine_address_and_name_are_escaped(admin_client, db):
    Host.objects.create(name="<script>alert(1)</script>", slug="evil", url="unix:///<b>x</b>")
    html = admin_client.get("/hosts/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html
