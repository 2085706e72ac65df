"""A host's address and credentials are changed only by those who may register hosts:
a per-host admin re-pointing their host at another engine would read that engine."""

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from console.access.models import Role
from console.hosts.models import Host


def test_host_admin_cannot_repoint_their_host_at_another_engine(
    logged_in, make_user, tls_host, fleet
):
    admin = make_user("b-admin", Role.ADMIN, tls_host)
    c = logged_in(admin)
    before = Host.objects.get(slug="tls")
    response = c.post(
        "/hosts/tls/edit/",
        {"name": "tls engine", "slug": "tls", "url": fleet.unix_url, "tls": ""},
    )
    assert response.status_code == 302
    after = Host.objects.get(slug="tls")
    assert after.url == before.url == fleet.tls_url
    assert after.tls and after.tls_client_key.reveal() == before.tls_client_key.reveal()
    for url in ("unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"):
        c.post("/hosts/tls/edit/", {"name": "tls engine", "slug": "tls", "url": url})
        assert Host.objects.get(slug="tls").url == fleet.tls_url


def test_host_admin_cannot_swap_credentials(logged_in, make_user, ssh_host, fleet):
    admin = make_user("b-admin", Role.ADMIN, ssh_host)
    stored = Host.objects.get(slug="ssh").ssh_private_key.reveal()
    other_key = (
        ed25519.Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
        .decode()
    )
    logged_in(admin).post(
        "/hosts/ssh/edit/",
        {
            "name": "ssh engine",
            "slug": "ssh",
            "url": ssh_host.url,
            "new_ssh_private_key": other_key,
        },
    )
    assert Host.objects.get(slug="ssh").ssh_private_key.reveal() == stored


def test_host_admin_sees_the_address_but_no_connection_fields(logged_in, make_user, tls_host):
    html = logged_in(make_user("b-admin", Role.ADMIN, tls_host)).get("/hosts/tls/edit/")
    html = html.content.decode()
    assert tls_host.url in html
    assert 'name="url"' not in html and 'name="new_tls_client_key"' not in html
    assert "registering another engine" in html


def test_admin_of_every_host_still_repoints(logged_in, make_user, tls_host, fleet):
    admin = make_user("all-admin", Role.ADMIN, all_hosts=True)
    response = logged_in(admin).post(
        "/hosts/tls/edit/", {"name": "now unix", "slug": "tls", "url": fleet.unix_url}
    )
    assert response.status_code == 302
    host = Host.objects.get(slug="tls")
    assert host.url == fleet.unix_url and not host.tls and not host.tls_client_key


def test_an_invalid_form_does_not_echo_a_pasted_private_key(admin_client, db, fleet):
    key = Path(fleet.ssh_key).read_text()
    body = key.splitlines()[1]
    response = admin_client.post(
        "/hosts/new/",
        # No name: the form is invalid and comes back.
        {"name": "", "slug": "", "url": "ssh://root@127.0.0.1:1", "new_ssh_private_key": key},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert body not in response.content.decode()


def test_an_invalid_form_does_not_echo_a_pasted_tls_key(admin_client, db, fleet):
    key = Path(fleet.tls_key).read_text()
    response = admin_client.post(
        "/hosts/new/",
        {"name": "x", "url": "tcp://127.0.0.1:1", "tls": "on", "new_tls_client_key": key},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert key.splitlines()[1] not in response.content.decode()
