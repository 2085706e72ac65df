"""/teams/<pk>/members/add/: an existing user joins the team."""

from console.access.models import HostRole, Role, role_on
from tests.access.conftest import audited


def test_anonymous_is_sent_to_login(client, team, make_user):
    make_user("dave")
    assert client.post(f"/teams/{team.pk}/members/add/", {"user": "dave"}).status_code == 302
    assert not team.members.exists()


def test_non_manager_is_refused(as_non_manager, team, make_user):
    make_user("dave")
    response = as_non_manager.post(f"/teams/{team.pk}/members/add/", {"user": "dave"})
    assert response.status_code == 403
    assert not team.members.exists()


def test_get_is_not_allowed(as_manager, team):
    assert as_manager.get(f"/teams/{team.pk}/members/add/").status_code == 405


def test_manager_adds_a_member_who_gets_the_team_role(as_manager, team, make_user, unix_host):
    dave = make_user("dave")
    HostRole.objects.create(team=team, host=unix_host, role=Role.VIEWER)
    response = as_manager.post(f"/teams/{team.pk}/members/add/", {"user": "dave"})
    assert response.status_code == 302
    assert list(team.members.all()) == [dave]
    assert role_on(dave, unix_host) == Role.VIEWER
    [entry] = audited("team.add_member")
    assert entry.target == "blue" and entry.params == {"user": "dave"}


def test_unknown_user_is_a_field_error(as_manager, team):
    response = as_manager.post(f"/teams/{team.pk}/members/add/", {"user": "nobody"})
    assert response.status_code == 400
    assert not team.members.exists() and not audited("team.add_member")
