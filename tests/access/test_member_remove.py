"""/teams/<pk>/members/remove/: a member leaves the team (the user is kept)."""

from console.access.models import HostRole, Role, role_on
from tests.access.conftest import audited


def _team_with_member(team, make_user, host):
    erin = make_user("erin")
    team.members.add(erin)
    HostRole.objects.create(team=team, host=host, role=Role.OPERATOR)
    return erin


def test_anonymous_is_sent_to_login(client, team, make_user, unix_host):
    erin = _team_with_member(team, make_user, unix_host)
    assert client.post(f"/teams/{team.pk}/members/remove/", {"user": erin.pk}).status_code == 302
    assert team.members.filter(pk=erin.pk).exists()


def test_non_manager_is_refused(as_non_manager, team, make_user, unix_host):
    erin = _team_with_member(team, make_user, unix_host)
    response = as_non_manager.post(f"/teams/{team.pk}/members/remove/", {"user": erin.pk})
    assert response.status_code == 403
    assert team.members.filter(pk=erin.pk).exists()


def test_manager_removes_a_member(as_manager, team, make_user, unix_host):
    erin = _team_with_member(team, make_user, unix_host)
    response = as_manager.post(f"/teams/{team.pk}/members/remove/", {"user": erin.pk})
    assert response.status_code == 302
    assert not team.members.exists()
    assert role_on(erin, unix_host) is None
    erin.refresh_from_db()  # the user is kept
    [entry] = audited("team.remove_member")
    assert entry.params == {"user": "erin"}


def test_a_non_member_is_not_removed_nor_audited(as_manager, team, make_user):
    other = make_user("frank")
    response = as_manager.post(f"/teams/{team.pk}/members/remove/", {"user": other.pk}, follow=True)
    assert "not a member" in response.content.decode()
    assert not audited("team.remove_member")
