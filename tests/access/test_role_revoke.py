"""/teams/<pk>/roles/revoke/: the team loses one of its roles."""

from console.access.models import HostRole, Role, Team, role_on
from tests.access.conftest import audited


def _grant(team, host, make_user):
    jo = make_user("jo")
    team.members.add(jo)
    return jo, HostRole.objects.create(team=team, host=host, role=Role.OPERATOR)


def test_anonymous_is_sent_to_login(client, team, make_user, unix_host):
    _, grant = _grant(team, unix_host, make_user)
    assert client.post(f"/teams/{team.pk}/roles/revoke/", {"grant": grant.pk}).status_code == 302
    assert HostRole.objects.filter(pk=grant.pk).exists()


def test_non_manager_is_refused(as_non_manager, team, make_user, unix_host):
    _, grant = _grant(team, unix_host, make_user)
    response = as_non_manager.post(f"/teams/{team.pk}/roles/revoke/", {"grant": grant.pk})
    assert response.status_code == 403
    assert HostRole.objects.filter(pk=grant.pk).exists()


def test_manager_revokes(as_manager, team, make_user, unix_host):
    jo, grant = _grant(team, unix_host, make_user)
    response = as_manager.post(f"/teams/{team.pk}/roles/revoke/", {"grant": grant.pk})
    assert response.status_code == 302
    assert not HostRole.objects.filter(pk=grant.pk).exists()
    assert role_on(jo, unix_host) is None
    [entry] = audited("team.revoke")
    assert entry.host == unix_host
    assert entry.params == {"team": "blue", "role": "operator", "host": "unix"}


def test_another_teams_grant_is_not_revoked(as_manager, team, make_user, unix_host):
    other = Team.objects.create(name="other")
    _, grant = _grant(other, unix_host, make_user)
    as_manager.post(f"/teams/{team.pk}/roles/revoke/", {"grant": grant.pk})
    assert HostRole.objects.filter(pk=grant.pk).exists() and not audited("team.revoke")
