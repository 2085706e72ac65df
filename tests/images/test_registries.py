"""Registries as objects: who may manage them, secrets stored as ciphertext and never
shown back or audited, and their credentials lent to the engine for a pull."""

import pytest
from django.db import connection

from console.access.models import AuditEntry, Role
from console.images.models import Registry, credentials_for, registry_of

SECRET = "pw-Very-Secret-9"


def _raw_password(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM images_registry WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _add(client, **fields):
    data = {"name": "private", "url": "http://127.0.0.1:5999", "username": "robot"} | fields
    return client.post("/registries/new/", data)


def test_a_registry_is_added_with_its_password_encrypted(admin_client):
    response = _add(admin_client, new_password=SECRET)
    assert response.status_code == 302 and response.url == "/registries/"
    registry = Registry.objects.get(name="private")
    raw = _raw_password(registry.pk)
    assert raw.startswith("fernet:") and SECRET not in raw
    assert registry.password.reveal() == SECRET
    assert registry.host == "127.0.0.1:5999"
    page = admin_client.get("/registries/").content.decode()
    assert "127.0.0.1:5999" in page and "stored" in page and SECRET not in page
    form = admin_client.get(f"/registries/{registry.pk}/edit/").content.decode()
    assert "A password is stored." in form and SECRET not in form and raw not in form
    entry = AuditEntry.objects.get(action="registry.add")
    assert entry.target == "private" and entry.params["password_stored"] is True
    assert SECRET not in str(entry.params) and raw not in str(entry.params)


def test_editing_keeps_the_password_unless_a_new_one_is_given(admin_client):
    _add(admin_client, new_password=SECRET)
    registry = Registry.objects.get()
    url = f"/registries/{registry.pk}/edit/"
    data = {"name": "renamed", "url": "http://127.0.0.1:5999", "username": "robot"}
    assert admin_client.post(url, data).status_code == 302
    registry.refresh_from_db()
    assert registry.name == "renamed" and registry.password.reveal() == SECRET
    admin_client.post(url, data | {"new_password": "other-Token"})
    registry.refresh_from_db()
    assert registry.password.reveal() == "other-Token"
    admin_client.post(url, data | {"forget_password": "on"})
    registry.refresh_from_db()
    assert not registry.password and _raw_password(registry.pk) == ""
    changes = [
        e.params["changed"]
        for e in AuditEntry.objects.filter(action="registry.edit").order_by("pk")
    ]
    assert changes == [["name"], ["password"], ["password"]]
    assert not any("other-Token" in str(e.params) for e in AuditEntry.objects.all())


def test_bad_addresses_and_a_second_registry_at_the_same_address_are_refused(admin_client):
    response = _add(admin_client, url="ftp://example.com")
    assert "A registry address looks like" in response.content.decode()
    response = _add(admin_client, url="https://user:pw@example.com/path")
    assert "Give only the scheme, host and port" in response.content.decode()
    assert _add(admin_client, url="registry.example.com").status_code == 302
    assert Registry.objects.get().url == "https://registry.example.com"
    response = _add(admin_client, name="again", url="https://REGISTRY.example.com/")
    assert "has the address registry.example.com already" in response.content.decode()
    assert Registry.objects.count() == 1


def test_removing_a_registry_is_audited(admin_client):
    _add(admin_client, new_password=SECRET)
    registry = Registry.objects.get()
    page = admin_client.get(f"/registries/{registry.pk}/delete/")
    assert "Remove the registry private?" in page.content.decode()
    assert admin_client.post(f"/registries/{registry.pk}/delete/").status_code == 302
    assert not Registry.objects.exists()
    assert AuditEntry.objects.get(action="registry.remove").target == "private"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.ADMIN])
def test_only_who_may_register_hosts_manages_registries(make_user, logged_in, unix_host, role):
    registry = Registry.objects.create(name="r", url="https://r.example.com", password=SECRET)
    client = logged_in(make_user("one-host", role, unix_host))
    listing = client.get("/registries/")
    assert listing.status_code == 200 and "Add registry" not in listing.content.decode()
    assert _add(client).status_code == 403
    assert client.get(f"/registries/{registry.pk}/edit/").status_code == 403
    assert client.post(f"/registries/{registry.pk}/delete/").status_code == 403
    assert Registry.objects.count() == 1 and not AuditEntry.objects.exists()


def test_an_admin_of_every_host_manages_registries(make_user, logged_in, db):
    client = logged_in(make_user("fleet-admin", Role.ADMIN, all_hosts=True))
    assert "Add registry" in client.get("/registries/").content.decode()
    assert _add(client).status_code == 302


def test_json_listing_has_no_secret(admin_client):
    _add(admin_client, new_password=SECRET)
    rows = admin_client.get("/registries/?format=json").json()["registries"]
    assert rows == [
        {
            "name": "private",
            "url": "http://127.0.0.1:5999",
            "host": "127.0.0.1:5999",
            "username": "robot",
            "password_stored": True,
        }
    ]


def test_credentials_belong_to_the_registry_a_reference_names(db):
    Registry.objects.create(name="p", url="http://127.0.0.1:5999", username="u", password="x")
    Registry.objects.create(name="hub", url="https://index.docker.io", username="h", password="y")
    assert registry_of("127.0.0.1:5999/team/app:1") == "127.0.0.1:5999"
    assert registry_of("team/app") == "docker.io"
    mine = credentials_for("127.0.0.1:5999/team/app@sha256:" + "a" * 64)
    assert (mine.username, mine.password, mine.server) == ("u", "x", "127.0.0.1:5999")
    assert "x" not in repr(mine).replace("server", "")
    assert credentials_for("busybox:latest").username == "h"
    assert credentials_for("127.0.0.1:6000/team/app") is None


def test_a_pull_lends_the_registry_credentials_to_the_engine(
    admin_client, unix_host, stub_registry
):
    """The engine itself asks the registry, with the credentials the console lent it."""
    stub = stub_registry(auth="basic")
    ref = f"{stub.host}/team/app:v1"
    response = admin_client.post("/hosts/unix/images/pull/", {"ref": ref})
    assert not any(given == stub.basic() for _, given in stub.seen)
    assert "Pull failed" in response.content.decode()
    Registry.objects.create(
        name="stub", url=stub.url, username=stub.username, password=stub.password
    )
    response = admin_client.post("/hosts/unix/images/pull/", {"ref": ref})
    assert any(
        path.startswith("/v2/team/app/manifests/v1") and given == stub.basic()
        for path, given in stub.seen
    ), stub.seen
    assert "manifest unknown" in response.content.decode()
    entries = AuditEntry.objects.filter(action="image.pull").order_by("pk")
    assert [e.ok for e in entries] == [False, False]
    assert all(stub.password not in str(e.params) for e in entries)
