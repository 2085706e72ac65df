"""/teams/<pk>/members/new/: a console user, created in the team, its password shown once."""

from django.contrib.auth import get_user_model
from django.test import Client

from console.access.models import AuditEntry, HostRole, Role, role_on
from tests.access.conftest import audited

User = get_user_model()


def test_anonymous_is_sent_to_login(client, team):
    response = client.post(f"/teams/{team.pk}/members/new/", {"username": "gina"})
    assert response.status_code == 302
    assert not User.objects.filter(username="gina").exists()


def test_non_manager_is_refused(as_non_manager, team):
    response = as_non_manager.post(f"/teams/{team.pk}/members/new/", {"username": "gina"})
    assert response.status_code == 403
    assert not User.objects.filter(username="gina").exists()


def test_manager_creates_a_user_who_can_log_in(as_manager, team, unix_host):
    HostRole.objects.create(team=team, host=unix_host, role=Role.VIEWER)
    response = as_manager.post(
        f"/teams/{team.pk}/members/new/", {"username": "gina", "email": "g@example.test"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert len(password) >= 16 and password in response.content.decode()
    gina = User.objects.get(username="gina")
    assert not gina.is_superuser and not gina.is_staff
    assert gina.check_password(password) and password not in gina.password
    assert list(team.members.all()) == [gina]
    assert role_on(gina, unix_host) == Role.VIEWER
    # The password is in no audit entry, and the team page does not show it again.
    [entry] = audited("user.create")
    assert entry.target == "gina" and entry.params == {"team": "blue"}
    assert not any(password in str(vars(e)) for e in AuditEntry.objects.all())
    assert password not in as_manager.get(f"/teams/{team.pk}/").content.decode()
    # ...and it works on the login page.
    browser = Client()
    login = browser.post("/accounts/login/", {"username": "gina", "password": password})
    assert login.status_code == 302 and login.url == "/"


def test_taken_or_invalid_username_is_a_field_error(as_manager, team, make_user):
    make_user("hank")
    for bad in ("hank", "", "white space"):
        response = as_manager.post(f"/teams/{team.pk}/members/new/", {"username": bad})
        assert response.status_code == 400, bad
    assert User.objects.filter(username="hank").count() == 1
    assert not team.members.exists() and not audited("user.create")
