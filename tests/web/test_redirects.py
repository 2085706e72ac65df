"""Redirects after a form stay on this site."""

from django.test import RequestFactory

from console.web.redirects import redirect_back


def test_redirect_back_only_to_this_site():
    factory = RequestFactory()
    request = factory.post("/x/", {"next": "https://evil.example/"}, HTTP_HOST="127.0.0.1")
    assert redirect_back(request, "/home/").url == "/home/"
    request = factory.post("/x/", {"next": "/hosts/a/"}, HTTP_HOST="127.0.0.1")
    assert redirect_back(request, "/home/").url == "/hosts/a/"
