"""`docker search`: Docker Hub through the engine (unreachable from this machine, and
said so) and configured registries through their v2 catalog, with pagination and
Basic/Bearer authentication."""

import pytest

from console.access.models import Role
from console.engine import errors
from console.engine.registry import Credentials, RegistryClient, search_catalog
from console.images.models import Registry


@pytest.fixture
def fleet_registry(db, fleet):
    return Registry.objects.create(name="fleet", url=f"http://{fleet.registry}")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR], ids=lambda r: r.label)
def test_offline_docker_hub_is_said_and_the_private_registry_still_answers(
    role, make_user, logged_in, unix_host, fleet_registry, registry_image
):
    client = logged_in(make_user("v", role, unix_host))
    repository, _, tag = registry_image.rpartition(":")
    name = repository.split("/", 1)[1]  # console-test/pushed-<unique>
    response = client.get("/hosts/unix/images/search/", {"term": name.split("/")[1]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot reach Docker Hub" in page
    assert f"<code>{repository}</code>" in page
    assert f'<span class="tag">{tag}</span>' in page or role >= Role.OPERATOR
    # Pull links only for those who may pull.
    pull_link = f"/hosts/unix/images/pull/?ref={repository.replace(':', '%3A')}"
    assert (f'{pull_link}%3A{tag}"' in page) == (role >= Role.OPERATOR)
    assert (f"{pull_link}&amp;all_tags=1" in page) == (role >= Role.OPERATOR)


def test_search_answers_json_too(admin_client, unix_host, fleet_registry, registry_image):
    repository = registry_image.rpartition(":")[0]
    name = repository.split("/", 1)[1]
    body = admin_client.get("/hosts/unix/images/search/", {"term": name, "format": "json"}).json()
    assert "cannot reach Docker Hub" in body["hub"]["error"]
    [fleet] = body["registries"]
    assert fleet["repositories"] == [
        {"name": name, "tags": ["v1"], "more_tags": False, "error": ""}
    ]


def test_without_a_term_docker_hub_is_not_asked_and_the_catalog_is_listed(
    admin_client, unix_host, stub_registry
):
    stub = stub_registry(repositories=["team/a", "team/b"], tags={"team/a": ["1"], "team/b": []})
    Registry.objects.create(name="stub", url=stub.url)
    page = admin_client.get("/hosts/unix/images/search/", {"term": ""}).content.decode()
    assert "Give a search term to search Docker Hub." in page
    assert f"<code>{stub.host}/team/a</code>" in page and f"<code>{stub.host}/team/b</code>" in page


def test_catalog_pages_are_followed_through_the_link_header(stub_registry):
    names = [f"team/app{i:03}" for i in range(250)]
    stub = stub_registry(repositories=names, tags={"team/app007": [f"v{i}" for i in range(130)]})
    with RegistryClient(stub.url) as client:
        assert client.catalog() == (names, False)
        tags, more = client.tags("team/app007")
    assert len(tags) == 130 and not more
    catalog_requests = [path for path, _ in stub.seen if path.startswith("/v2/_catalog")]
    assert catalog_requests == [
        "/v2/_catalog?n=100",
        "/v2/_catalog?last=team/app099&n=100",
        "/v2/_catalog?last=team/app199&n=100",
    ]


def test_without_a_link_header_a_full_page_asks_past_its_last_item(stub_registry):
    names = [f"r{i:03}" for i in range(200)]
    stub = stub_registry(repositories=names, link=False)
    with RegistryClient(stub.url) as client:
        assert client.catalog() == (names, False)
        assert client.catalog(limit=150) == (names[:150], True)
    assert ("/v2/_catalog?n=100&last=r099", "") in stub.seen


def test_basic_auth_is_answered_with_the_stored_credentials(stub_registry):
    stub = stub_registry(auth="basic", repositories=["team/app"], tags={"team/app": ["1", "2"]})
    result = search_catalog(stub.url, Credentials(stub.username, stub.password), "app")
    assert [(r.name, r.tags) for r in result.repositories] == [("team/app", ["1", "2"])]
    first, retried = stub.seen[:2]
    assert first == ("/v2/_catalog?n=100", "") and retried == ("/v2/_catalog?n=100", stub.basic())
    # Once challenged, later requests carry the credentials at once.
    assert stub.seen[2] == ("/v2/team/app/tags/list?n=100", stub.basic())


def test_bearer_auth_gets_a_token_from_the_token_service(stub_registry):
    stub = stub_registry(auth="bearer", repositories=["team/app"], tags={"team/app": ["v1"]})
    result = search_catalog(stub.url, Credentials(stub.username, stub.password), "")
    assert [(r.name, r.tags) for r in result.repositories] == [("team/app", ["v1"])]
    token_requests = [(p, a) for p, a in stub.seen if p.startswith("/token")]
    assert token_requests == [("/token?service=stub&scope=registry%3Acatalog%3A%2A", stub.basic())]
    assert ("/v2/_catalog?n=100", f"Bearer {stub.token}") in stub.seen


@pytest.mark.parametrize("auth", ["basic", "bearer"])
def test_wrong_or_missing_credentials_are_a_clear_refusal(stub_registry, auth):
    stub = stub_registry(auth=auth, repositories=["team/app"])
    with pytest.raises(errors.AuthFailure, match="refused the credentials"):
        search_catalog(stub.url, Credentials(stub.username, "wrong"), "")
    if auth == "basic":
        with pytest.raises(errors.AuthFailure, match="needs a username and password"):
            search_catalog(stub.url, None, "")


def test_a_failing_registry_is_said_on_the_page_and_the_others_still_answer(
    admin_client, unix_host, stub_registry
):
    good = stub_registry(repositories=["team/ok"], tags={"team/ok": ["1"]})
    locked = stub_registry(auth="basic", repositories=["team/secret"])
    Registry.objects.create(name="good", url=good.url)
    Registry.objects.create(name="locked", url=locked.url, username="robot", password="nope")
    Registry.objects.create(name="gone", url="http://127.0.0.1:9")
    page = admin_client.get("/hosts/unix/images/search/", {"term": "team"}).content.decode()
    assert f"<code>{good.host}/team/ok</code>" in page
    assert f"The registry at {locked.url} refused the credentials." in page
    assert "Cannot reach the registry at http://127.0.0.1:9" in page
    assert "team/secret" not in page


def test_hub_filters_and_limit_reach_the_engine(unix_host, monkeypatch):
    from console.engine import registry

    seen = {}

    class FakeApi:
        def _url(self, path):
            return path

        def _get(self, url, params):
            seen.update(params)
            return [
                {
                    "name": "busybox",
                    "description": "<b>tiny</b>",
                    "star_count": 3000,
                    "is_official": True,
                    "is_automated": False,
                }
            ]

        def _result(self, response, json):
            return response

    monkeypatch.setattr(registry, "client_for", lambda host: FakeApi())
    [row] = registry.search_hub(unix_host, "busy", limit=5, official=True, min_stars=10)
    assert seen == {
        "term": "busy",
        "limit": 5,
        "filters": '{"is-official": ["true"], "stars": ["10"]}',
    }
    assert (row.name, row.stars, row.official, row.automated) == ("busybox", 3000, True, False)


def test_bad_search_input_is_a_field_error(admin_client, unix_host):
    page = admin_client.get("/hosts/unix/images/search/", {"term": "x", "limit": "0"})
    assert "Ensure this value is greater than or equal to 1." in page.content.decode()
