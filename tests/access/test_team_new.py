"""/teams/new/: create a team."""

from console.access.models import Team
from tests.access.conftest import audited


def test_anonymous_is_sent_to_login(client, db):
    assert client.post("/teams/new/", {"name": "x"}).status_code == 302
    assert not Team.objects.filter(name="x").exists()


def test_non_manager_is_refused(as_non_manager):
    assert as_non_manager.post("/teams/new/", {"name": "x"}).status_code == 403
    assert not Team.objects.filter(name="x").exists()


def test_manager_creates_a_team(as_manager):
    assert as_manager.get("/teams/new/").status_code == 200
    response = as_manager.post("/teams/new/", {"name": "  ops  "})
    team = Team.objects.get(name="ops")
    assert response.status_code == 302 and response.url == f"/teams/{team.pk}/"
    [entry] = audited("team.create")
    assert entry.target == "ops" and entry.username == "manager" and entry.ok


def test_blank_and_duplicate_names_are_field_errors(as_manager, team):
    before = Team.objects.count()
    assert as_manager.post("/teams/new/", {"name": "   "}).status_code == 400
    response = as_manager.post("/teams/new/", {"name": "blue"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert Team.objects.count() == before and not audited("team.create")


def test_csrf_is_enforced(manager, team):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    assert client.post("/teams/new/", {"name": "nocsrf"}).status_code == 403
    assert not Team.objects.filter(name="nocsrf").exists()
