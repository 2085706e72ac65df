"""/teams/users/<pk>/password/: a generated password, shown once, never audited."""

from django.contrib.auth import get_user_model
from django.test import Client

from console.access.models import AuditEntry
from tests.access.conftest import audited

User = get_user_model()


def _password_is(user, password: str) -> bool:
    return User.objects.get(pk=user.pk).check_password(password)


def test_anonymous_is_sent_to_login(client, make_user):
    max_ = make_user("max")
    response = client.post(f"/teams/users/{max_.pk}/password/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert _password_is(max_, "pw-max")


def test_non_manager_is_refused(as_non_manager, make_user):
    max_ = make_user("max")
    assert as_non_manager.post(f"/teams/users/{max_.pk}/password/").status_code == 403
    assert _password_is(max_, "pw-max") and not audited("user.password_reset")


def test_manager_resets_a_password_shown_once(as_manager, make_user):
    max_ = make_user("max")
    browser = Client()
    browser.post("/accounts/login/", {"username": "max", "password": "pw-max"})
    assert browser.get("/").status_code == 200

    response = as_manager.post(f"/teams/users/{max_.pk}/password/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert len(password) >= 16 and password in response.content.decode()
    assert _password_is(max_, password) and not _password_is(max_, "pw-max")
    [entry] = audited("user.password_reset")
    assert entry.target == "max" and entry.params == {}
    assert not any(password in str(vars(e)) for e in AuditEntry.objects.all())
    assert password not in as_manager.get("/teams/users/").content.decode()
    # The session logged in with the old password is over; the new one logs in.
    assert browser.get("/").url.startswith("/accounts/login/")
    login = browser.post("/accounts/login/", {"username": "max", "password": password})
    assert login.status_code == 302 and login.url == "/"


def test_manager_is_sent_to_change_their_own(as_manager, manager):
    response = as_manager.post(f"/teams/users/{manager.pk}/password/")
    assert response.status_code == 302 and response.url == "/accounts/password/"
    assert _password_is(manager, "pw-manager") and not audited("user.password_reset")


def test_only_a_superuser_resets_a_superuser(as_manager):
    root = User.objects.create_superuser("root", password="pw-root")
    assert as_manager.post(f"/teams/users/{root.pk}/password/").status_code == 403
    assert _password_is(root, "pw-root") and not audited("user.password_reset")
