"""Every URL of the console sends anonymous visitors to the login page."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {"/accounts/login/", "/favicon.ico"}


def _routes(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if pattern.startswith("admin/"):
                continue  # Django's admin guards itself (its own login page)
            yield from _routes(entry, pattern)
        elif isinstance(entry, URLPattern):
            yield pattern


def _concrete(pattern: str) -> str:
    path = pattern.replace("<int:pk>", "1")  # an int converter does not match "x"
    for token in (
        "<slug:slug>",
        "<str:ref>",
        "<path:ref>",
        "<int:pk>",
        "<str:action>",
        "<str:job>",
    ):
        path = path.replace(token, "x")
    assert "<" not in path, f"add a sample value for {pattern}"
    return "/" + path


ROUTES = sorted({_concrete(p) for p in _routes(get_resolver())} - PUBLIC)


def test_routes_are_enumerated():
    assert "/" in ROUTES and "/hosts/x/" in ROUTES


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_redirected_to_login(client, db, path, method):
    response = getattr(client, method)(path)
    assert response.status_code == 302, path
    assert response.url.startswith("/accounts/login/?next=")


def test_admin_needs_login_too(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "login" in response.url
