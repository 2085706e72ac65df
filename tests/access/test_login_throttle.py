"""Login throttling (django-axes): the configured number of failures for one user name
from one address locks it out for the cool-off, with a message; meanwhile even the right
password is refused."""

from datetime import timedelta

import pytest
from django.test import Client

from console.access.models import Role


def _fail(client, username, times):
    for _ in range(times):
        response = client.post("/accounts/login/", {"username": username, "password": "wrong"})
    return response


def test_defaults_are_five_failures_and_fifteen_minutes():
    from django.conf import settings

    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)


@pytest.mark.parametrize("limit", [3, 5])
def test_locks_after_the_configured_failures(settings, make_user, limit):
    settings.AXES_FAILURE_LIMIT = limit
    make_user("kim", Role.VIEWER, all_hosts=True)
    client = Client()
    response = _fail(client, "kim", limit - 1)
    assert response.status_code == 200
    assert "didn't match" in response.content.decode()
    assert 'id="locked"' not in response.content.decode()

    response = _fail(client, "kim", 1)
    assert response.status_code == 429
    html = response.content.decode()
    assert 'id="locked"' in html and "locked from your address for 15 minutes" in html
    assert 'name="password"' in html  # still the login page

    # The right password is refused while locked; no session is made.
    response = client.post("/accounts/login/", {"username": "kim", "password": "pw-kim"})
    assert response.status_code == 429 and 'id="locked"' in response.content.decode()
    assert client.get("/").status_code == 302


def test_other_users_are_not_locked_and_success_resets(settings, make_user):
    settings.AXES_FAILURE_LIMIT = 3
    make_user("lee")
    make_user("max")
    client = Client()
    _fail(client, "lee", 3)
    ok = client.post("/accounts/login/", {"username": "max", "password": "pw-max"})
    assert ok.status_code == 302
    # max failing twice, then succeeding, starts max's count again.
    other = Client()
    _fail(other, "max", 2)
    assert other.post("/accounts/login/", {"username": "max", "password": "pw-max"}).url == "/"
    other = Client()
    assert _fail(other, "max", 2).status_code == 200


def test_the_lock_ends_after_the_cool_off(settings, make_user):
    from axes.models import AccessAttempt
    from django.utils import timezone

    settings.AXES_FAILURE_LIMIT = 2
    make_user("ned")
    client = Client()
    assert _fail(client, "ned", 2).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = client.post("/accounts/login/", {"username": "ned", "password": "pw-ned"})
    assert response.status_code == 302
