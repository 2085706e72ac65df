"""Volume driver options can hold credentials (a CIFS volume's `o=…,password=…`): every
role sees their keys with the values masked, on the page, in its JSON and in the lists;
operators and admins show them with a POST to the page, audited. Viewers cannot."""

import contextlib
import html
import uuid

import pytest

from console.access.models import AuditEntry, Role
from console.engine.masking import MASK

SECRET = "cifs-Volume-Pw-9"
OPTIONS = {"type": "cifs", "device": "//127.0.0.1/share", "o": f"username=u,password={SECRET}"}


@pytest.fixture
def secret_volume(engine_api):
    """A local volume with CIFS options (never mounted, so never asked to connect)."""
    name = f"secrets-vol-{uuid.uuid4().hex[:8]}"
    engine_api.create_volume(name, driver="local", driver_opts=OPTIONS)
    yield name
    with contextlib.suppress(Exception):
        engine_api.remove_volume(name)


def _client(make_user, logged_in, unix_host, role):
    return logged_in(make_user(f"vol-{role.label}", role, unix_host))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.ADMIN])
def test_every_role_sees_option_keys_with_values_masked(
    make_user, logged_in, unix_host, secret_volume, engine_api, role
):
    client = _client(make_user, logged_in, unix_host, role)
    page = html.unescape(client.get(f"/hosts/unix/volumes/{secret_volume}/").content.decode())
    assert SECRET not in page and "//127.0.0.1/share" not in page
    assert "device" in page and MASK in page
    assert ("Show values" in page) is (role >= Role.OPERATOR)

    data = client.get(f"/hosts/unix/volumes/{secret_volume}/?format=json").json()
    assert data["Options"] == dict.fromkeys(OPTIONS, MASK)
    raw = engine_api.inspect_volume(secret_volume)
    assert {k: v for k, v in data.items() if k != "Options"} == {
        k: v for k, v in raw.items() if k != "Options"
    }
    for listing in ("/hosts/unix/volumes/?format=json", "/volumes/?format=json"):
        response = client.get(listing)
        assert SECRET not in response.content.decode(), listing
        [row] = [r for r in response.json()["volumes"] if r["name"] == secret_volume]
        assert row["options"] == dict.fromkeys(OPTIONS, MASK), listing
    assert not AuditEntry.objects.exists()


def test_a_viewer_cannot_reveal(make_user, logged_in, unix_host, secret_volume):
    client = _client(make_user, logged_in, unix_host, Role.VIEWER)
    for path in (
        f"/hosts/unix/volumes/{secret_volume}/",
        f"/hosts/unix/volumes/{secret_volume}/?format=json",
    ):
        response = client.post(path)
        assert response.status_code == 403, path
        assert SECRET not in response.content.decode()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ADMIN])
def test_operators_and_admins_reveal_and_it_is_audited(
    make_user, logged_in, unix_host, secret_volume, engine_api, role
):
    client = _client(make_user, logged_in, unix_host, role)
    url = f"/hosts/unix/volumes/{secret_volume}/"
    page = html.unescape(client.post(url).content.decode())
    assert SECRET in page and "recorded in the audit log" in page
    assert client.post(url + "?format=json").json() == engine_api.inspect_volume(secret_volume)
    entries = AuditEntry.objects.filter(action="volume.reveal")
    assert [(e.target, e.username, e.params) for e in entries] == [
        (secret_volume, f"vol-{role.label}", {"keys": sorted(OPTIONS)})
    ] * 2
    assert SECRET not in html.unescape(client.get(url).content.decode())
