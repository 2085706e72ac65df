"""Websockets accept only the console's own origin (scheme, host and port), or one of
CONSOLE_CSRF_TRUSTED_ORIGINS: a page on another port or scheme of the same machine is
another origin, even though the browser sends it the user's session cookie."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from console.access.models import Role
from console.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

PATH = "/ws/hosts/dead/events/"


@pytest.fixture
def dead_host(db, tmp_path):
    from console.hosts.models import Host

    return Host.objects.create(name="dead", slug="dead", url=f"unix://{tmp_path}/none.sock")


async def _connect(client, user, origin: bytes | None, host=b"127.0.0.1:8000", extra=()) -> bool:
    await database_sync_to_async(client.force_login)(user)
    headers = [
        (b"host", host),
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
        *extra,
    ]
    if origin is not None:
        headers.append((b"origin", origin))
    communicator = WebsocketCommunicator(application, PATH, headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    await communicator.disconnect()
    return connected


@pytest.fixture
def admin(make_user, dead_host):
    return make_user("op", Role.ADMIN, dead_host)


@pytest.mark.parametrize(
    "origin",
    [
        b"http://evil.example",
        b"http://127.0.0.1.evil.example",
        b"null",
        None,
        # The same machine, another port or scheme: another origin.
        b"http://127.0.0.1:18999",
        b"http://127.0.0.1",
        b"https://127.0.0.1:8000",
        b"http://localhost:3000",
        b"https://localhost:8443",
        b"http://[::1]:1234",
    ],
)
async def test_foreign_or_missing_origin_is_refused(client, admin, origin):
    assert not await _connect(client, admin, origin)


async def test_own_origin_is_accepted(client, admin):
    assert await _connect(client, admin, b"http://127.0.0.1:8000")
    assert await _connect(client, admin, b"http://LOCALHOST:8000", host=b"localhost:8000")
    assert await _connect(client, admin, b"http://[::1]:8000", host=b"[::1]:8000")
    # Port 80 is implied on both sides or on one.
    assert await _connect(client, admin, b"http://localhost", host=b"localhost:80")


async def test_host_not_allowed_is_refused_even_with_a_matching_origin(client, admin):
    assert not await _connect(client, admin, b"http://evil.example:8000", host=b"evil.example:8000")


async def test_behind_an_https_proxy_the_origin_is_https(client, admin, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proto = [(b"x-forwarded-proto", b"https")]
    assert await _connect(client, admin, b"https://localhost", host=b"localhost", extra=proto)
    assert not await _connect(client, admin, b"http://localhost", host=b"localhost", extra=proto)
    # Without the proxy's header the connection is plain http.
    assert not await _connect(client, admin, b"https://localhost", host=b"localhost")


async def test_trusted_origins_are_accepted(client, admin, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://console.example.org", "https://*.example.net"]
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    assert await _connect(client, admin, b"https://console.example.org", host=b"127.0.0.1:8000")
    assert await _connect(client, admin, b"https://a.example.net", host=b"127.0.0.1:8000")
    assert not await _connect(client, admin, b"http://console.example.org", host=b"127.0.0.1:8000")
    assert not await _connect(
        client, admin, b"https://console.example.org:8443", host=b"127.0.0.1:8000"
    )
