"""/teams/<pk>/: a team's members and roles, with the forms that change them."""

from console.access.models import HostRole, Role


def test_anonymous_is_sent_to_login(client, team):
    assert client.get(f"/teams/{team.pk}/").status_code == 302


def test_non_manager_is_refused(as_non_manager, team):
    assert as_non_manager.get(f"/teams/{team.pk}/").status_code == 403


def test_unknown_team_is_404(as_manager, db):
    assert as_manager.get("/teams/999999/").status_code == 404


def test_manager_sees_members_roles_and_forms(as_manager, team, make_user, unix_host):
    member = make_user("<i>alice</i>")
    team.members.add(member)
    make_user("bob")
    HostRole.objects.create(team=team, host=unix_host, role=Role.VIEWER)
    HostRole.objects.create(team=team, host=None, role=Role.OPERATOR)
    response = as_manager.get(f"/teams/{team.pk}/")
    html = response.content.decode()
    assert "&lt;i&gt;alice&lt;/i&gt;" in html and "<i>alice</i>" not in html
    assert "every host" in html and "unix engine" in html
    # bob may be added; alice, already a member, is not offered again.
    add_form = response.context["add_form"]
    offered = {u.username for u in add_form.fields["user"].queryset}
    assert "bob" in offered and "<i>alice</i>" not in offered
    assert 'name="csrfmiddlewaretoken"' in html
