"""Key material entered through the console: the database columns hold only ciphertext,
and no page, JSON answer or audit entry shows it (tests/hosts/test_vault.py checks the
database file as a whole)."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from console.access.models import AuditEntry
from console.hosts.models import Host


def _key_lines(path: str) -> list[str]:
    """The base64 body lines of a PEM / OpenSSH private key."""
    lines = Path(path).read_text().splitlines()
    return [line for line in lines if not line.startswith("-----") and len(line) > 20]


def _register(admin_client, fleet) -> None:
    tls = {
        "name": "TLS",
        "slug": "tls",
        "url": fleet.tls_url,
        "tls": "on",
        "tls_ca_cert": Path(fleet.tls_ca).read_text().strip(),
        "tls_client_cert": Path(fleet.tls_cert).read_text().strip(),
        "new_tls_client_key": Path(fleet.tls_key).read_text().strip(),
    }
    response = admin_client.post("/hosts/new/", tls)
    assert response.status_code == 302, response.context["form"].errors
    key = SimpleUploadedFile("id_ed25519", Path(fleet.ssh_key).read_bytes())
    ssh = {"name": "SSH", "slug": "ssh", "url": fleet.ssh_url, "ssh_private_key_file": key}
    admin_client.post("/hosts/new/", ssh)
    offer = admin_client.get("/hosts/ssh/")  # the key offer or the host page
    assert offer.status_code == 200


def test_keys_are_ciphertext_in_their_columns_and_on_no_page(admin_client, fleet):
    _register(admin_client, fleet)
    secrets = _key_lines(fleet.tls_key) + _key_lines(fleet.ssh_key)
    assert len(secrets) > 4

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM " + connection.ops.quote_name(Host._meta.db_table))  # noqa: S608
        rows = cursor.fetchall()
    assert {r for row in rows for r in row if isinstance(r, str) and r.startswith("fernet:")}
    raw = repr(rows)
    for line in secrets:
        assert line not in raw

    pages = ["/", "/?format=json", "/hosts/", "/hosts/?format=json", "/audit/"]
    for slug in ("tls", "ssh"):
        pages += [f"/hosts/{slug}/", f"/hosts/{slug}/edit/", f"/hosts/{slug}/delete/"]
    for path in pages:
        html = admin_client.get(path).content.decode()
        for line in secrets:
            assert line not in html, path
    audit = repr(list(AuditEntry.objects.values()))
    assert "host.add" in audit
    for line in secrets:
        assert line not in audit
    # ...and the console itself can still use them.
    assert Host.objects.get(slug="tls").tls_client_key.reveal().endswith("-----")
    assert "PRIVATE KEY" in Host.objects.get(slug="ssh").ssh_private_key.reveal()
