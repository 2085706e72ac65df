import time

import pytest
from django.urls import reverse

from console.access.models import Role
from console.hosts.models import Host
from tests.engines import raw_client


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_superuser_sees_every_kind_of_host_up(admin_client, unix_host, tls_host, ssh_host, fleet):
    engine_version = raw_client(fleet).version()["Version"]
    response = admin_client.get("/")
    assert response.status_code == 200
    rows = {r.host.slug: r for r in response.context["results"]}
    for slug in ("unix", "tls", "ssh"):
        assert rows[slug].ok, rows[slug].error
        assert rows[slug].value.engine_version == engine_version
        assert rows[slug].value.platform == "linux"
    html = response.content.decode()
    assert html.count('class="badge ok">up<') == 3
    assert engine_version in html
    # The platform learned from /info is remembered for the host.
    assert Host.objects.get(slug="tls").platform_detected == "linux"


def test_json_format_has_the_same_rows(admin_client, unix_host, fleet):
    info = raw_client(fleet).info()
    data = admin_client.get("/?format=json").json()
    (row,) = data["hosts"]
    assert row["slug"] == "unix"
    assert row["status"] == "up"
    assert row["cpus"] == info["NCPU"]
    assert row["images"] == info["Images"]


def test_silent_hosts_cost_one_deadline_and_others_still_show(
    admin_client, unix_host, silent_server, settings
):
    settings.CONSOLE_HOST_DEADLINE = 1.0
    for n in range(3):
        Host.objects.create(name=f"silent {n}", slug=f"silent-{n}", url=silent_server)
    started = time.monotonic()
    response = admin_client.get("/")
    elapsed = time.monotonic() - started
    rows = {r.host.slug: r for r in response.context["results"]}
    assert rows["unix"].ok
    for n in range(3):
        assert rows[f"silent-{n}"].error.title == "Timed out"
    html = response.content.decode()
    assert html.count("Timed out") == 3
    # Three silent hosts asked one after another would take three deadlines.
    assert elapsed < 2.5


def test_unreachable_host_says_why(admin_client, db, tmp_path):
    Host.objects.create(name="gone", slug="gone", url=f"unix://{tmp_path}/nothing.sock")
    Host.objects.create(name="refused", slug="refused", url="tcp://127.0.0.1:9")
    response = admin_client.get("/")
    html = response.content.decode()
    assert "Unreachable" in html
    assert "no such socket" in html
    assert "connection refused" in html


def test_user_sees_only_hosts_of_their_teams(logged_in, make_user, unix_host, tls_host):
    viewer = make_user("vera", Role.VIEWER, unix_host)
    response = logged_in(viewer).get("/")
    slugs = [r.host.slug for r in response.context["results"]]
    assert slugs == ["unix"]
    assert "tls engine" not in response.content.decode()
    assert "Add host" not in response.content.decode()


def test_user_without_team_sees_no_host(logged_in, make_user, unix_host):
    response = logged_in(make_user("nobody")).get(reverse("dashboard"))
    assert response.context["results"] == []
    assert "unix engine" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ADMIN])
def test_role_on_every_host_sees_them_all(logged_in, make_user, unix_host, tls_host, role):
    user = make_user("all", role, all_hosts=True)
    response = logged_in(user).get("/")
    assert sorted(r.host.slug for r in response.context["results"]) == ["tls", "unix"]
