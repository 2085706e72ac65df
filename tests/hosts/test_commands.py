"""addhost, hosts and bootstrap from the command line."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from console.hosts.models import Host


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_addhost_of_each_kind_then_hosts_lists_them_up(db, fleet):
    run("addhost", "unix", fleet.unix_url)
    run(
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
    out = run("addhost", "ssh", fleet.ssh_url, "--ssh-key", fleet.ssh_key, "--trust-host-key")
    assert "pinned host key SHA256:" in out
    assert Host.objects.get(slug="tls").kind == "tls"
    listing = run("hosts")
    lines = {line.split()[0]: line for line in listing.splitlines()}
    for slug in ("unix", "tls", "ssh"):
        assert " up " in lines[slug], listing


def test_addhost_ssh_without_trust_leaves_the_key_unpinned(db, fleet):
    out = run("addhost", "ssh", fleet.ssh_url, "--ssh-key", fleet.ssh_key)
    assert "not pinned yet" in out
    assert "Host key not yet trusted" in run("hosts")


def test_addhost_rejects_bad_input(db):
    with pytest.raises(CommandError, match="must start with"):
        run("addhost", "x", "http://nope")


def test_hosts_reports_a_dead_host(db, tmp_path):
    Host.objects.create(name="gone", slug="gone", url=f"unix://{tmp_path}/none.sock")
    assert "down    Unreachable" in run("hosts")


def test_bootstrap_creates_the_admin_once_and_registers_docker_host(db, fleet, monkeypatch):
    monkeypatch.setenv("CONSOLE_ADMIN_USERNAME", "root-admin")
    monkeypatch.delenv("CONSOLE_ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("DOCKER_HOST", fleet.unix_url)
    out = run("bootstrap")
    password = out.split("Password:")[1].split()[0]
    user = get_user_model().objects.get(username="root-admin")
    assert user.is_superuser and user.check_password(password)
    assert Host.objects.get(slug="local").url == fleet.unix_url
    again = run("bootstrap")
    assert "Password" not in again
    assert Host.objects.count() == 1


def test_bootstrap_skips_an_engine_that_does_not_answer(db, monkeypatch, tmp_path):
    monkeypatch.setenv("CONSOLE_ADMIN_PASSWORD", "given-password")
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    out = run("bootstrap")
    assert "not registered" in out
    assert not Host.objects.exists()
