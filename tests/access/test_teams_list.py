"""/teams/: the list of teams, for superusers and admins of every host only."""

from console.access.models import HostRole, Role, Team


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/teams/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_non_manager_is_refused_and_has_no_nav_link(as_non_manager):
    assert as_non_manager.get("/teams/").status_code == 403
    assert 'href="/teams/"' not in as_non_manager.get("/").content.decode()


def test_manager_sees_teams_members_roles_and_nav_link(as_manager, manager, unix_host):
    team = Team.objects.create(name="<b>red</b>")
    team.members.add(manager)
    HostRole.objects.create(team=team, host=unix_host, role=Role.OPERATOR)
    html = as_manager.get("/teams/").content.decode()
    assert 'href="/teams/"' in html
    assert "&lt;b&gt;red&lt;/b&gt;" in html and "<b>red</b>" not in html
    assert "operator on unix engine" in html
    assert "admin on every host" in html  # the manager's own team
    assert f'href="/hosts/{unix_host.slug}/access/"' in html


def test_superuser_may_manage(admin_client, db):
    assert admin_client.get("/teams/").status_code == 200
