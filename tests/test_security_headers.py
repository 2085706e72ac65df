"""Security headers on every page: CSP without inline scripts, no framing, no sniffing,
a strict referrer; secure cookies when served over HTTPS."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/teams/", "/hosts/"])
def test_headers_on_pages(admin_client, client, unix_host, path):
    response = (client if path == "/accounts/login/" else admin_client).get(path)
    assert response.status_code == 200
    csp = _csp(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_htmx_is_told_not_to_inject_styles(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in html


def _setting(env: dict, *names: str) -> list[str]:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='console.settings'; "
        "django.setup(); from django.conf import settings; "
        f"print(*[getattr(settings, n, None) for n in {list(names)!r}])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


@pytest.mark.parametrize(("https", "secure"), [("1", "True"), ("", "False")])
def test_cookies_are_secure_when_https(tmp_path, https, secure):
    import os

    env = os.environ | {"CONSOLE_HTTPS": https, "CONSOLE_DATA_DIR": str(tmp_path)}
    assert _setting(env, "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE") == [secure, secure]


def test_only_xterm_pages_allow_inline_styles(admin_client, unix_host):
    """xterm.js needs inline styles; its pages allow them, and still no inline script."""
    for page in ("terminal", "attach"):
        csp = _csp(admin_client.get(f"/hosts/unix/containers/nothing-here/{page}/"))
        assert csp["style-src"] == ["'self'", "'unsafe-inline'"], page
        assert csp["script-src"] == ["'self'"], page
