"""/hosts/<slug>/access/: who can do what on one host, for that host's admins."""

from console.access.models import HostRole, Role, Team


def test_anonymous_is_sent_to_login(client, unix_host):
    assert client.get("/hosts/unix/access/").status_code == 302


def test_other_team_gets_404_and_below_admin_403(logged_in, make_user, unix_host, gone_host):
    assert (
        logged_in(make_user("far", Role.ADMIN, gone_host)).get("/hosts/unix/access/").status_code
        == 404
    )
    assert (
        logged_in(make_user("op", Role.OPERATOR, unix_host)).get("/hosts/unix/access/").status_code
        == 403
    )


def test_lists_users_with_effective_role_and_source(
    logged_in, make_user, unix_host, gone_host, django_user_model
):
    django_user_model.objects.create_superuser("root", password="x")
    admin = make_user("hostadmin", Role.ADMIN, unix_host)
    both = make_user("both")
    Team.objects.get(name="team-hostadmin").members.add(both)
    everywhere = Team.objects.create(name="everywhere")
    everywhere.members.add(both)
    HostRole.objects.create(team=everywhere, host=None, role=Role.VIEWER)
    make_user("elsewhere", Role.ADMIN, gone_host)
    gone = make_user("gone", Role.ADMIN, unix_host)
    gone.is_active = False
    gone.save()

    response = logged_in(admin).get("/hosts/unix/access/")
    rows = {r.username: r for r in response.context["rows"]}
    assert set(rows) == {"root", "hostadmin", "both"}
    assert rows["root"].via == ["superuser"]
    assert rows["both"].role == Role.ADMIN
    assert rows["both"].via == [
        "everywhere (viewer on every host)",
        "team-hostadmin (admin on this host)",
    ]
    html = response.content.decode()
    assert "elsewhere" not in html and "everywhere (viewer on every host)" in html
