"""/teams/<pk>/delete/: the team and its roles go, its users stay."""

from django.contrib.auth import get_user_model

from console.access.models import HostRole, Role, Team, role_on
from tests.access.conftest import audited


def test_anonymous_is_sent_to_login(client, team):
    assert client.post(f"/teams/{team.pk}/delete/").status_code == 302
    assert Team.objects.filter(pk=team.pk).exists()


def test_non_manager_is_refused(as_non_manager, team):
    assert as_non_manager.post(f"/teams/{team.pk}/delete/").status_code == 403
    assert Team.objects.filter(pk=team.pk).exists()


def test_unknown_team_is_404(as_manager, db):
    assert as_manager.post("/teams/999999/delete/").status_code == 404


def test_manager_deletes_team_members_lose_its_roles(as_manager, team, make_user, unix_host):
    member = make_user("carol")
    team.members.add(member)
    HostRole.objects.create(team=team, host=unix_host, role=Role.OPERATOR)
    assert role_on(member, unix_host) == Role.OPERATOR
    page = as_manager.get(f"/teams/{team.pk}/delete/")
    assert "Delete team blue?" in page.content.decode()
    response = as_manager.post(f"/teams/{team.pk}/delete/")
    assert response.status_code == 302 and response.url == "/teams/"
    assert not Team.objects.filter(pk=team.pk).exists()
    assert not HostRole.objects.filter(team_id=team.pk).exists()
    assert get_user_model().objects.filter(username="carol").exists()
    assert role_on(member, unix_host) is None
    [entry] = audited("team.delete")
    assert entry.target == "blue"
