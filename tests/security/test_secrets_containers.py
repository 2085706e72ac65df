"""Container environment values (and volume options given with --mount) are secrets: every
role sees them masked, with the keys; operators and admins can show them with a POST to
the page, and each such showing is in the audit log. Viewers cannot."""

import contextlib
import html
import uuid

import pytest
from docker.types import DriverConfig, Mount

from console.access.models import AuditEntry, Role
from console.engine.masking import MASK

SECRET = "env-Secret-Value-42"
OPTION_SECRET = "cifs-Secret-Pw-7"


@pytest.fixture
def secret_container(make_container, engine_api):
    """A created container with a secret in its environment and a volume mounted with a
    secret driver option; its volume is removed afterwards."""
    volume = f"secrets-{uuid.uuid4().hex[:8]}"
    mount = Mount(
        target="/data",
        source=volume,
        type="volume",
        driver_config=DriverConfig(
            "local",
            {"type": "cifs", "device": "//127.0.0.1/share", "o": f"password={OPTION_SECRET}"},
        ),
    )
    host_config = engine_api.create_host_config(network_mode="none", mounts=[mount])
    cid = make_container(
        "secrets-env",
        start=False,
        environment={"DB_PASSWORD": SECRET, "MODE": "prod"},
        host_config=host_config,
    )
    yield cid
    with contextlib.suppress(Exception):
        engine_api.remove_container(cid, force=True)
        engine_api.remove_volume(volume)


def _client(make_user, logged_in, unix_host, role):
    return logged_in(make_user(f"secrets-{role.label}", role, unix_host))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.ADMIN])
def test_every_role_sees_env_keys_with_values_masked(
    make_user, logged_in, unix_host, secret_container, engine_api, role
):
    client = _client(make_user, logged_in, unix_host, role)
    base = f"/hosts/unix/containers/{secret_container}/"
    for path in (base, base + "inspect/", base + "inspect/?format=json"):
        response = client.get(path)
        assert response.status_code == 200, path
        text = html.unescape(response.content.decode())
        assert SECRET not in text and OPTION_SECRET not in text, path
        assert "DB_PASSWORD" in text and MASK in text, path

    data = client.get(base + "inspect/?format=json").json()
    assert f"DB_PASSWORD={MASK}" in data["Config"]["Env"]
    assert f"MODE={MASK}" in data["Config"]["Env"]
    [mount] = data["HostConfig"]["Mounts"]
    assert mount["VolumeOptions"]["DriverConfig"]["Options"] == dict.fromkeys(
        ("type", "device", "o"), MASK
    )
    # Nothing else differs from the engine's answer.
    raw = engine_api.inspect_container(secret_container)
    for key in ("Config", "HostConfig"):
        raw.pop(key), data.pop(key)
    assert data == raw

    page = client.get(base).content.decode()
    can_reveal = role >= Role.OPERATOR
    assert ("Show values" in page) is can_reveal
    assert ("showing them needs the operator role" in page) is not can_reveal
    assert not AuditEntry.objects.exists()


def test_a_viewer_cannot_reveal(make_user, logged_in, unix_host, secret_container):
    client = _client(make_user, logged_in, unix_host, Role.VIEWER)
    base = f"/hosts/unix/containers/{secret_container}/"
    for path in (base, base + "inspect/", base + "inspect/?format=json"):
        response = client.post(path)
        assert response.status_code == 403, path
        assert SECRET not in response.content.decode()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ADMIN])
def test_operators_and_admins_reveal_and_it_is_audited(
    make_user, logged_in, unix_host, secret_container, engine_api, role
):
    client = _client(make_user, logged_in, unix_host, role)
    base = f"/hosts/unix/containers/{secret_container}/"

    page = html.unescape(client.post(base).content.decode())
    assert SECRET in page and "recorded in the audit log" in page
    assert client.post(base + "inspect/?format=json").json() == engine_api.inspect_container(
        secret_container
    )
    inspect_page = html.unescape(client.post(base + "inspect/").content.decode())
    assert SECRET in inspect_page and OPTION_SECRET in inspect_page

    entries = AuditEntry.objects.filter(action="container.reveal")
    assert entries.count() == 3
    for entry in entries:
        assert entry.target == "secrets-env" and entry.username == f"secrets-{role.label}"
        assert {"DB_PASSWORD", "MODE"} <= set(entry.params["keys"])
        assert SECRET not in str(entry.params)
    # A reveal lasts one answer: the next GET masks again.
    assert SECRET not in html.unescape(client.get(base).content.decode())


def test_duplicating_a_container_shows_its_env_and_is_audited(
    make_user, logged_in, unix_host, secret_container
):
    """The run form filled from a container holds its env values: a reveal too."""
    client = _client(make_user, logged_in, unix_host, Role.OPERATOR)
    page = client.get("/hosts/unix/containers/new/", {"from": "secrets-env"})
    assert SECRET in html.unescape(page.content.decode())
    entry = AuditEntry.objects.get(action="container.reveal")
    assert entry.target == "secrets-env" and {"DB_PASSWORD", "MODE"} <= set(entry.params["keys"])
