"""Websockets check the Origin (AllowedHostsOriginValidator): a page on another site
cannot open a socket with the user's session cookie."""

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


async def _connect(client, user, origin: bytes | None) -> bool:
    await database_sync_to_async(client.force_login)(user)
    headers = [
        (b"host", b"127.0.0.1"),
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
    ]
    if origin is not None:
        headers.append((b"origin", origin))
    communicator = WebsocketCommunicator(application, PATH, headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    await communicator.disconnect()
    return connected


@pytest.mark.parametrize(
    "origin", [b"http://evil.example", b"http://127.0.0.1.evil.example", b"null", None]
)
async def test_foreign_or_missing_origin_is_refused(client, make_user, dead_host, origin):
    user = await database_sync_to_async(make_user)("op", Role.ADMIN, dead_host)
    assert not await _connect(client, user, origin)


async def test_same_origin_is_accepted(client, make_user, dead_host):
    user = await database_sync_to_async(make_user)("op", Role.ADMIN, dead_host)
    assert await _connect(client, user, b"http://127.0.0.1:8000")
