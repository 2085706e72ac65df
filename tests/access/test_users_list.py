"""/teams/users/: every user with their teams, active flag and last login."""

from django.utils import timezone

from console.access.models import Team


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/teams/users/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_non_manager_is_refused(as_non_manager):
    assert as_non_manager.get("/teams/users/").status_code == 403


def test_manager_sees_users_teams_status_and_last_login(as_manager, manager, make_user):
    hostile = make_user("<b>ivy</b>")
    hostile.last_login = timezone.make_aware(timezone.datetime(2024, 5, 6, 7, 8))
    hostile.save()
    Team.objects.create(name="<i>green</i>").members.add(hostile)
    gone = make_user("jack")
    gone.is_active = False
    gone.save()
    html = as_manager.get("/teams/users/").content.decode()
    assert "&lt;b&gt;ivy&lt;/b&gt;" in html and "<b>ivy</b>" not in html
    assert "&lt;i&gt;green&lt;/i&gt;" in html and "<i>green</i>" not in html
    assert "2024-05-06 07:08" in html
    assert "team-manager" in html  # the manager's own team
    row = html.split(f'id="user-{gone.pk}"')[1].split("</tr>")[0]
    assert "inactive" in row and "Reactivate" in row and "never" in row
    row = html.split(f'id="user-{hostile.pk}"')[1].split("</tr>")[0]
    assert "active" in row and "Deactivate" in row and "Reset password" in row
    # No buttons on the manager's own row.
    row = html.split(f'id="user-{manager.pk}"')[1].split("</tr>")[0]
    assert "Deactivate" not in row and "Reset password" not in row
    # The teams page links here.
    assert 'href="/teams/users/"' in as_manager.get("/teams/").content.decode()


def test_superuser_rows_have_no_buttons_for_a_non_superuser(as_manager, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="pw-root")
    html = as_manager.get("/teams/users/").content.decode()
    row = html.split(f'id="user-{root.pk}"')[1].split("</tr>")[0]
    assert "superuser" in row and "Deactivate" not in row and "Reset password" not in row
