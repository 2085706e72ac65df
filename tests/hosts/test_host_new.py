"""Registering hosts of every kind through the form, against the real engines."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from console.access.models import AuditEntry, Role
from console.hosts.models import Host
from tests.engines import raw_client


def _read(path: str) -> str:
    return Path(path).read_text()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/hosts/new/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_only_admins_of_every_host_may_register(logged_in, make_user, unix_host):
    operator = make_user("op", Role.OPERATOR, unix_host)
    response = logged_in(operator).post("/hosts/new/", {"name": "x", "url": "unix:///x"})
    assert response.status_code == 403
    assert not Host.objects.filter(name="x").exists()


def test_admin_of_every_host_may_register(logged_in, make_user, fleet):
    admin = make_user("boss", Role.ADMIN, all_hosts=True)
    response = logged_in(admin).post("/hosts/new/", {"name": "Unix", "url": fleet.unix_url})
    assert response.status_code == 302
    assert Host.objects.get(slug="unix").url == fleet.unix_url


def test_register_unix_host_and_see_its_engine(admin_client, fleet):
    response = admin_client.post("/hosts/new/", {"name": "Build box", "url": fleet.unix_url})
    assert response.status_code == 302
    host = Host.objects.get(slug="build-box")
    assert response.url == f"/hosts/{host.slug}/"
    page = admin_client.get(response.url).content.decode()
    version = raw_client(fleet).version()
    assert version["Version"] in page
    assert "docker info" in page
    entry = AuditEntry.objects.get(action="host.add")
    assert entry.target == "build-box" and entry.ok


def test_register_tls_host_with_pasted_certificates(admin_client, fleet):
    data = {
        "name": "TLS",
        "url": fleet.tls_url,
        "tls": "on",
        "tls_ca_cert": _read(fleet.tls_ca),
        "tls_client_cert": _read(fleet.tls_cert),
        "new_tls_client_key": _read(fleet.tls_key),
    }
    response = admin_client.post("/hosts/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    dashboard = admin_client.get("/")
    (row,) = dashboard.context["results"]
    assert row.ok, row.error


def _upload(path) -> SimpleUploadedFile:
    """A certificate or key file as the form's file fields receive it."""
    return SimpleUploadedFile(Path(path).name, Path(path).read_bytes())


def test_register_tls_host_with_uploaded_certificates(admin_client, fleet):
    data = {
        "name": "TLS up",
        "url": fleet.tls_url,
        "tls": "on",
        "tls_ca_file": _upload(fleet.tls_ca),
        "tls_client_cert_file": _upload(fleet.tls_cert),
        "tls_client_key_file": _upload(fleet.tls_key),
    }
    response = admin_client.post("/hosts/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    host = Host.objects.get(slug="tls-up")
    assert host.tls_client_key.reveal() == _read(fleet.tls_key).strip()
    assert admin_client.get("/").context["results"][0].ok


def test_tls_with_the_wrong_ca_says_the_engine_certificate_is_untrusted(admin_client, fleet):
    Host.objects.create(
        name="w",
        slug="w",
        url=fleet.tls_url,
        tls=True,
        tls_ca_cert=_read(fleet.tls_wrong_ca),
        tls_client_cert=_read(fleet.tls_cert),
        tls_client_key=_read(fleet.tls_key),
    )
    page = admin_client.get("/hosts/w/").content.decode()
    assert "TLS failure" in page
    assert "certificate is not signed by the CA certificate given" in page


def test_tls_with_a_client_cert_the_engine_does_not_trust(admin_client, fleet):
    Host.objects.create(
        name="w",
        slug="w",
        url=fleet.tls_url,
        tls=True,
        tls_ca_cert=_read(fleet.tls_ca),
        tls_client_cert=_read(fleet.tls_wrong_cert),
        tls_client_key=_read(fleet.tls_wrong_key),
    )
    page = admin_client.get("/hosts/w/").content.decode()
    assert "TLS failure" in page
    assert "refused the client certificate" in page


def test_tls_key_that_does_not_match_the_certificate_is_a_field_error(admin_client, fleet):
    data = {
        "name": "mismatch",
        "url": fleet.tls_url,
        "tls": "on",
        "tls_ca_cert": _read(fleet.tls_ca),
        "tls_client_cert": _read(fleet.tls_cert),
        "new_tls_client_key": _read(fleet.tls_wrong_key),
    }
    response = admin_client.post("/hosts/new/", data)
    assert response.status_code == 200
    assert "does not belong to the client certificate" in response.content.decode()
    assert not Host.objects.exists()


def test_ssh_host_key_is_confirmed_then_pinned(admin_client, fleet):
    key = Path(fleet.ssh_key)
    data = {
        "name": "SSH",
        "url": fleet.ssh_url,
        "ssh_private_key_file": SimpleUploadedFile("id_ed25519", key.read_bytes()),
    }
    response = admin_client.post("/hosts/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    page = admin_client.get("/hosts/ssh/")
    offer = page.context["key_offer"]
    assert offer.key_line.split()[:2] == fleet.ssh_host_key_pub.split()[:2]
    assert offer.fingerprint in page.content.decode()
    assert "Trust and pin this key" in page.content.decode()

    response = admin_client.post("/hosts/ssh/trust-key/", {"fingerprint": offer.fingerprint})
    assert response.status_code == 302
    host = Host.objects.get(slug="ssh")
    assert host.ssh_host_key.split()[:2] == fleet.ssh_host_key_pub.split()[:2]
    page = admin_client.get("/hosts/ssh/")
    assert page.context.get("overview") is not None, page.context.get("error")
    assert AuditEntry.objects.filter(action="host.pin_key", ok=True).count() == 1


def test_trusting_a_fingerprint_the_server_does_not_present_pins_nothing(admin_client, ssh_host):
    ssh_host.ssh_host_key = ""
    ssh_host.save()
    response = admin_client.post(
        "/hosts/ssh/trust-key/", {"fingerprint": "SHA256:not-the-key"}, follow=True
    )
    assert "Nothing was pinned" in response.content.decode()
    assert Host.objects.get(slug="ssh").ssh_host_key == ""


def test_ssh_with_a_changed_host_key_refuses_to_connect(admin_client, ssh_host, fleet):
    ssh_host.ssh_host_key = fleet.ssh_other_host_key_pub
    ssh_host.save()
    page = admin_client.get("/hosts/ssh/").content.decode()
    assert "SSH host key changed" in page
    assert "Connection refused: confirm the change" in page


def test_ssh_with_a_key_the_server_refuses(admin_client, ssh_host, fleet):
    ssh_host.ssh_private_key = _read(fleet.ssh_wrong_key)
    ssh_host.save()
    page = admin_client.get("/hosts/ssh/").content.decode()
    assert "Authentication failed" in page
    assert "refused the private key" in page


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://example", "must start with unix://"),
        ("tcp://127.0.0.1", "needs a host and a port"),
        ("unix://relative.sock", "absolute path"),
        ("ssh://127.0.0.1:22", "needs a user and a host"),
    ],
)
def test_bad_addresses_are_field_errors(admin_client, db, url, message):
    response = admin_client.post("/hosts/new/", {"name": "bad", "url": url})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Host.objects.exists()


def test_ssh_without_a_key_is_a_field_error(admin_client, db):
    response = admin_client.post("/hosts/new/", {"name": "s", "url": "ssh://me@127.0.0.1:22"})
    assert "SSH needs a private key" in response.content.decode()
    assert not Host.objects.exists()


def test_npipe_is_stored_and_explains_it_needs_windows(admin_client, db):
    response = admin_client.post(
        "/hosts/new/",
        {"name": "Desktop", "url": "npipe:////./pipe/docker_engine", "platform_preset": "windows"},
    )
    assert response.status_code == 302
    page = admin_client.get("/hosts/desktop/").content.decode()
    assert "Not usable here" in page
    assert "only when the console itself runs on that Windows machine" in page
    assert "Windows" in page


def test_duplicate_slug_is_a_field_error(admin_client, unix_host, fleet):
    response = admin_client.post(
        "/hosts/new/", {"name": "x", "slug": "unix", "url": fleet.unix_url}
    )
    assert "exists already" in response.content.decode()
    assert Host.objects.count() == 1


def test_uploaded_certificates_with_tls_unticked_mean_tls(admin_client, fleet):
    data = {
        "name": "TLS unticked",
        "url": fleet.tls_url,
        "tls_ca_file": _upload(fleet.tls_ca),
        "tls_client_cert_file": _upload(fleet.tls_cert),
        "tls_client_key_file": _upload(fleet.tls_key),
    }
    response = admin_client.post("/hosts/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    host = Host.objects.get(slug="tls-unticked")
    assert host.tls and host.kind == "tls"
    assert host.tls_client_key.reveal() == _read(fleet.tls_key).strip()
    assert admin_client.get("/").context["results"][0].ok


def test_tls_material_on_an_address_that_is_not_tcp_is_a_field_error(admin_client, fleet):
    data = {"name": "odd", "url": fleet.unix_url, "tls_ca_cert": _read(fleet.tls_ca)}
    response = admin_client.post("/hosts/new/", data)
    assert response.status_code == 200
    assert "TLS applies to tcp:// addresses only." in response.content.decode()
    assert not Host.objects.filter(name="odd").exists()
