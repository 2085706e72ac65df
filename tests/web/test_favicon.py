"""The console has an icon: pages link it, and /favicon.ico (which browsers ask for by
themselves, logged in or not) leads to it rather than to a 404 or the login page."""

import re

from django.contrib.staticfiles import finders


def _icon_href(html: str) -> str:
    [href] = re.findall(r'<link rel="icon"[^>]* href="([^"]+)"', html)
    return href


def test_favicon_ico_leads_to_the_icon_without_login(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code in (301, 302)
    assert not response.url.startswith("/accounts/login/")
    assert response.url.endswith(".svg")
    path = finders.find(response.url.removeprefix("/static/"))
    assert path is not None
    with open(path, encoding="utf-8") as icon:
        assert icon.read().lstrip().startswith("<svg")


def test_pages_link_the_icon(client, db):
    # The login page is the page everyone sees; every page extends the same base.html.
    html = client.get("/accounts/login/").content.decode()
    assert _icon_href(html) == client.get("/favicon.ico").url
