"""/teams/users/<pk>/reactivate/: a deactivated user may log in again."""

from django.contrib.auth import get_user_model
from django.test import Client

from tests.access.conftest import audited

User = get_user_model()


def _inactive_user(make_user, name: str = "lea"):
    user = make_user(name)
    user.is_active = False
    user.save()
    return user


def _active(user) -> bool:
    return User.objects.get(pk=user.pk).is_active


def test_anonymous_is_sent_to_login(client, make_user):
    lea = _inactive_user(make_user)
    response = client.post(f"/teams/users/{lea.pk}/reactivate/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not _active(lea)


def test_non_manager_is_refused(as_non_manager, make_user):
    lea = _inactive_user(make_user)
    assert as_non_manager.post(f"/teams/users/{lea.pk}/reactivate/").status_code == 403
    assert not _active(lea) and not audited("user.activate")


def test_manager_reactivates_and_the_user_logs_in(as_manager, make_user):
    lea = _inactive_user(make_user)
    response = as_manager.post(f"/teams/users/{lea.pk}/reactivate/", follow=True)
    assert response.redirect_chain == [("/teams/users/", 302)]
    assert "lea can log in again." in response.content.decode()
    assert _active(lea)
    [entry] = audited("user.activate")
    assert entry.target == "lea" and entry.params == {}
    login = Client().post("/accounts/login/", {"username": "lea", "password": "pw-lea"})
    assert login.status_code == 302 and login.url == "/"


def test_only_a_superuser_reactivates_a_superuser(as_manager):
    root = User.objects.create_superuser("root", password="pw-root", is_active=False)
    assert as_manager.post(f"/teams/users/{root.pk}/reactivate/").status_code == 403
    assert not _active(root) and not audited("user.activate")
