"""Credentials are ciphertext on disk and readable only with the console secret."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from console.hosts import vault
from console.hosts.models import Host


def _key_material(path: str) -> list[bytes]:
    lines = Path(path).read_text().splitlines()
    body = [line for line in lines if not line.startswith("-----")]
    return [line.encode() for line in body if len(line) > 20]


@pytest.mark.django_db(transaction=True)
def test_database_file_holds_no_key_material(fleet, tmp_path):
    passphrase_file = tmp_path / "pass"
    passphrase_file.write_text("correct horse battery staple")
    call_command(
        "addhost",
        "tls",
        fleet.tls_url,
        "--tls-ca",
        fleet.tls_ca,
        "--tls-cert",
        fleet.tls_cert,
        "--tls-key",
        fleet.tls_key,
    )
    call_command("addhost", "ssh", fleet.ssh_url, "--ssh-key", fleet.ssh_key, "--trust-host-key")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(FULL)")
    db_file = Path(connection.settings_dict["NAME"])
    raw = b"".join(p.read_bytes() for p in (db_file, Path(f"{db_file}-wal")) if p.exists())
    for secret in _key_material(fleet.tls_key) + _key_material(fleet.ssh_key):
        assert secret not in raw
    assert b"fernet:" in raw
    # ...and the console can still read them back.
    assert (
        Host.objects.get(slug="tls").tls_client_key.reveal()
        == Path(fleet.tls_key).read_text().strip()
    )


def test_sealed_values_never_print_their_secret(db):
    host = Host.objects.create(name="s", slug="s", url="ssh://u@h:22", ssh_private_key="SECRET")
    host = Host.objects.get(pk=host.pk)
    assert "SECRET" not in repr(host.ssh_private_key)
    assert "SECRET" not in str(host.ssh_private_key)
    assert host.ssh_private_key.reveal() == "SECRET"


def test_a_changed_console_secret_is_a_clear_error(db, settings):
    host = Host.objects.create(name="s", slug="s", url="ssh://u@h:22", ssh_private_key="SECRET")
    settings.CONSOLE_SECRET = "another secret"
    with pytest.raises(vault.VaultError, match="CONSOLE_SECRET_KEY"):
        Host.objects.get(pk=host.pk).ssh_private_key.reveal()
