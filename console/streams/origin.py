"""Websockets are accepted only from the console's own pages.

Browsers send cookies with a websocket handshake from any page of the same site, and
ports do not make another site: a page on http://127.0.0.1:18999 would open the
console's terminal on :8000 with the user's session. Channels' AllowedHostsOriginValidator
compares host names only, so this checks what Django's CSRF check checks for a POST: the
Origin is exactly this console's scheme, host and port, or one of CSRF_TRUSTED_ORIGINS.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

DEFAULT_PORTS = {"http": 80, "https": 443}


def _secure(scope: dict, headers: dict[bytes, bytes]) -> bool:
    if scope.get("scheme") == "wss":
        return True
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name, value = proxy_header
        header = name.removeprefix("HTTP_").replace("_", "-").lower().encode("latin-1")
        sent = headers.get(header, b"").decode("latin-1").split(",")[0].strip()
        return sent == value
    return False


def _normal(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin, the port filled in; None if it is not one."""
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    if not parts.hostname or port is None:
        return None
    return scheme, parts.hostname.lower(), port


def _trusted(origin: str) -> bool:
    """As Django's CSRF check: exact entries, and `https://*.example.org` wildcards."""
    parts = urlsplit(origin)
    for entry in settings.CSRF_TRUSTED_ORIGINS:
        if "*" in entry:
            trusted = urlsplit(entry)
            if trusted.scheme == parts.scheme and is_same_domain(
                parts.netloc.lower(), trusted.netloc.lower().replace("*", "", 1)
            ):
                return True
        elif (mine := _normal(parts.scheme, parts.netloc)) and mine == _normal(
            *urlsplit(entry)[:2]
        ):
            return True
    return False


def same_origin(scope: dict) -> bool:
    headers = dict(scope.get("headers") or [])
    origin = headers.get(b"origin", b"").decode("latin-1").strip()
    host = headers.get(b"host", b"").decode("latin-1").strip()
    if not origin or not host or origin == "null":
        return False
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    if _trusted(origin):
        return True
    own = _normal("https" if _secure(scope, headers) else "http", host)
    sent = urlsplit(origin)
    return own is not None and own == _normal(sent.scheme, sent.netloc)


class SameOriginValidator:
    """Refuses the handshake (HTTP 403) of a websocket opened by another origin."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not same_origin(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
