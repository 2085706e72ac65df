"""/teams/<pk>/roles/grant/: a team's role on one host, or on every host."""

from console.access.models import HostRole, Role, role_on
from tests.access.conftest import audited


def test_anonymous_is_sent_to_login(client, team, unix_host):
    data = {"host": unix_host.slug, "role": Role.ADMIN}
    assert client.post(f"/teams/{team.pk}/roles/grant/", data).status_code == 302
    assert not HostRole.objects.filter(team=team).exists()


def test_non_manager_is_refused(as_non_manager, team, unix_host):
    data = {"host": unix_host.slug, "role": Role.ADMIN}
    assert as_non_manager.post(f"/teams/{team.pk}/roles/grant/", data).status_code == 403
    assert not HostRole.objects.filter(team=team).exists()


def test_grant_on_one_host_then_change_it(as_manager, team, make_user, unix_host, gone_host):
    ivy = make_user("ivy")
    team.members.add(ivy)
    url = f"/teams/{team.pk}/roles/grant/"
    assert as_manager.post(url, {"host": unix_host.slug, "role": Role.VIEWER}).status_code == 302
    assert role_on(ivy, unix_host) == Role.VIEWER and role_on(ivy, gone_host) is None
    as_manager.post(url, {"host": unix_host.slug, "role": Role.OPERATOR})
    assert HostRole.objects.filter(team=team).count() == 1  # replaced, not added
    assert role_on(ivy, unix_host) == Role.OPERATOR
    first, second = reversed(audited("team.grant"))
    assert first.host == unix_host and first.params["role"] == "viewer"
    assert second.params == {"team": "blue", "role": "operator", "host": "unix"}


def test_grant_on_every_host(as_manager, team, make_user, unix_host, gone_host):
    ivy = make_user("ivy")
    team.members.add(ivy)
    url = f"/teams/{team.pk}/roles/grant/"
    for _ in range(2):
        assert as_manager.post(url, {"host": "", "role": Role.ADMIN}).status_code == 302
    assert HostRole.objects.filter(team=team, host__isnull=True).count() == 1
    assert role_on(ivy, unix_host) == role_on(ivy, gone_host) == Role.ADMIN
    assert audited("team.grant")[0].params["host"] == "*"


def test_bad_role_or_host_is_a_field_error(as_manager, team, unix_host):
    url = f"/teams/{team.pk}/roles/grant/"
    assert as_manager.post(url, {"host": unix_host.slug, "role": 99}).status_code == 400
    assert as_manager.post(url, {"host": "nope", "role": Role.VIEWER}).status_code == 400
    assert not HostRole.objects.filter(team=team).exists() and not audited("team.grant")
