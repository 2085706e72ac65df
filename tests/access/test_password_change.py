"""/accounts/password/: every logged-in user changes their own password."""

from django.test import Client

from console.access.models import AuditEntry, Role
from tests.access.conftest import audited

NEW = "a-new-long-password"


def _change(client, old: str, new: str = NEW, again: str = NEW):
    data = {"old_password": old, "new_password1": new, "new_password2": again}
    return client.post("/accounts/password/", data)


def test_anonymous_is_sent_to_login(client, db):
    for path in ("/accounts/password/", "/accounts/password/done/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_any_user_changes_their_password_and_stays_logged_in(logged_in, make_user, unix_host):
    viewer = make_user("nia", Role.VIEWER, unix_host)
    client = logged_in(viewer)
    page = client.get("/").content.decode()
    assert 'href="/accounts/password/"' in page  # in the user menu
    form = client.get("/accounts/password/")
    assert form.status_code == 200 and 'name="old_password"' in form.content.decode()

    response = _change(client, "pw-nia")
    assert response.status_code == 302 and response.url == "/accounts/password/done/"
    assert "Password changed" in client.get(response.url).content.decode()
    viewer.refresh_from_db()
    assert viewer.check_password(NEW)
    assert client.get("/").status_code == 200  # this session goes on
    [entry] = audited("user.password_change")
    assert entry.target == "nia" and entry.username == "nia" and entry.params == {}
    assert not any(
        NEW in str(vars(e)) or "pw-nia" in str(vars(e)) for e in AuditEntry.objects.all()
    )
    login = Client().post("/accounts/login/", {"username": "nia", "password": NEW})
    assert login.status_code == 302


def test_wrong_old_password_or_mismatch_changes_nothing(logged_in, make_user):
    client = logged_in(make_user("oli"))
    for response in (_change(client, "wrong"), _change(client, "pw-oli", again="other-long-one")):
        assert response.status_code == 200
        assert 'class="error"' in response.content.decode()
    client.logout()
    login = Client().post("/accounts/login/", {"username": "oli", "password": "pw-oli"})
    assert login.status_code == 302 and not audited("user.password_change")
