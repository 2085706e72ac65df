"""/teams/users/<pk>/deactivate/: the user cannot log in any more, and their open
sessions stop working."""

from django.contrib.auth import get_user_model
from django.test import Client

from console.access.models import Role
from tests.access.conftest import audited

User = get_user_model()


def _active(user) -> bool:
    return User.objects.get(pk=user.pk).is_active


def test_anonymous_is_sent_to_login(client, make_user):
    kim = make_user("kim")
    response = client.post(f"/teams/users/{kim.pk}/deactivate/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert _active(kim)


def test_non_manager_is_refused(as_non_manager, make_user):
    kim = make_user("kim")
    assert as_non_manager.post(f"/teams/users/{kim.pk}/deactivate/").status_code == 403
    assert _active(kim) and not audited("user.deactivate")


def test_manager_deactivates_and_the_user_is_locked_out(as_manager, make_user, unix_host):
    kim = make_user("kim", Role.VIEWER, unix_host)
    browser = Client()
    assert browser.post("/accounts/login/", {"username": "kim", "password": "pw-kim"}).url == "/"
    assert browser.get("/").status_code == 200

    response = as_manager.post(f"/teams/users/{kim.pk}/deactivate/", follow=True)
    assert response.redirect_chain == [("/teams/users/", 302)]
    assert "kim can no longer log in." in response.content.decode()
    assert not _active(kim)
    [entry] = audited("user.deactivate")
    assert entry.target == "kim" and entry.username == "manager" and entry.params == {}

    # The open session no longer works, and a new login is refused.
    assert browser.get("/").url.startswith("/accounts/login/")
    login = browser.post("/accounts/login/", {"username": "kim", "password": "pw-kim"})
    assert login.status_code == 200 and "didn't match" in login.content.decode()
    # Deactivating twice changes nothing and audits nothing more.
    as_manager.post(f"/teams/users/{kim.pk}/deactivate/")
    assert len(audited("user.deactivate")) == 1


def test_manager_cannot_deactivate_themself(as_manager, manager):
    response = as_manager.post(f"/teams/users/{manager.pk}/deactivate/", follow=True)
    assert "You cannot deactivate or reactivate yourself." in response.content.decode()
    assert _active(manager) and not audited("user.deactivate")


def test_only_a_superuser_deactivates_a_superuser(as_manager, admin_client, admin_user):
    root = User.objects.create_superuser("root", password="pw-root")
    assert as_manager.post(f"/teams/users/{root.pk}/deactivate/").status_code == 403
    assert _active(root) and not audited("user.deactivate")
    assert admin_client.post(f"/teams/users/{root.pk}/deactivate/").status_code == 302
    assert not _active(root) and audited("user.deactivate")[0].username == admin_user.username


def test_unknown_user_is_404(as_manager):
    assert as_manager.post("/teams/users/999999/deactivate/").status_code == 404
