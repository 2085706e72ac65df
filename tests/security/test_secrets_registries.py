"""Registries: their list, as a page or JSON, only for people with a role on some host;
and a search uses a registry's stored credentials only for operators and up (who pull
with them anyway): viewers search anonymously."""

import pytest

from console.access.models import Role, Team
from console.images.models import Registry
from tests.images.stub_registry import stub_registry  # noqa: F401  (a fixture)


@pytest.fixture
def registry(db):
    return Registry.objects.create(
        name="private", url="http://127.0.0.1:5999", username="robot", password="pw-Reg-1"
    )


def test_no_role_at_all_sees_no_registries(make_user, logged_in, registry):
    nobody = make_user("no-role")
    Team.objects.create(name="empty-team").members.add(nobody)  # a team, but no role
    client = logged_in(nobody)
    for path in ("/registries/", "/registries/?format=json"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "robot" not in response.content.decode() and "5999" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.ADMIN])
def test_a_role_on_some_host_sees_them(make_user, logged_in, unix_host, registry, role):
    client = logged_in(make_user(f"reg-{role.label}", role, unix_host))
    assert client.get("/registries/").status_code == 200
    [row] = client.get("/registries/?format=json").json()["registries"]
    assert row["name"] == "private" and row["password_stored"] is True


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.ADMIN])
def test_only_operators_and_admins_search_with_stored_credentials(
    make_user,
    logged_in,
    unix_host,
    stub_registry,  # noqa: F811  (the imported fixture)
    role,
):
    stub = stub_registry(auth="basic", repositories=["team/app"], tags={"team/app": ["v1"]})
    Registry.objects.create(
        name="stub", url=stub.url, username=stub.username, password=stub.password
    )
    client = logged_in(make_user(f"search-{role.label}", role, unix_host))
    body = client.get("/hosts/unix/images/search/", {"term": "", "format": "json"}).json()
    page = client.get("/hosts/unix/images/search/", {"term": ""}).content.decode()
    [result] = body["registries"]
    sent = {given for _, given in stub.seen}
    if role >= Role.OPERATOR:
        assert stub.basic() in sent
        assert result["repositories"][0]["name"] == "team/app"
        assert body["anonymous"] is False and "searched anonymously" not in page
    else:
        assert sent == {""}, "a viewer's search sent credentials"
        assert "needs a username and password" in result["error"]
        assert body["anonymous"] is True and "searched anonymously" in page
