"""/teams/<pk>/rename/."""

from console.access.models import Team
from tests.access.conftest import audited


def test_anonymous_is_sent_to_login(client, team):
    assert client.post(f"/teams/{team.pk}/rename/", {"name": "x"}).status_code == 302
    assert Team.objects.get(pk=team.pk).name == "blue"


def test_non_manager_is_refused(as_non_manager, team):
    assert as_non_manager.post(f"/teams/{team.pk}/rename/", {"name": "x"}).status_code == 403
    assert Team.objects.get(pk=team.pk).name == "blue"


def test_unknown_team_is_404(as_manager, db):
    assert as_manager.post("/teams/999999/rename/", {"name": "x"}).status_code == 404


def test_manager_renames(as_manager, team):
    assert as_manager.get(f"/teams/{team.pk}/rename/").status_code == 200
    response = as_manager.post(f"/teams/{team.pk}/rename/", {"name": "green"})
    assert response.status_code == 302
    assert Team.objects.get(pk=team.pk).name == "green"
    [entry] = audited("team.rename")
    assert entry.target == "green" and entry.params == {"from": "blue"}


def test_taken_name_is_refused(as_manager, team):
    Team.objects.create(name="red")
    response = as_manager.post(f"/teams/{team.pk}/rename/", {"name": "red"})
    assert response.status_code == 400
    assert "Rename team blue" in response.content.decode()
    assert Team.objects.get(pk=team.pk).name == "blue" and not audited("team.rename")
