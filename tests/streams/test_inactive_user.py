"""A deactivated user's session no longer opens websockets (channels' AuthMiddlewareStack
resolves the session through ModelBackend.get_user, which refuses inactive users)."""

import uuid

import pytest
from channels.db import database_sync_to_async

from console.access.models import Role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_deactivated_user_gets_4401_on_the_events_socket(ws, make_user, unix_host):
    viewer = await database_sync_to_async(make_user)("ws-viewer", Role.VIEWER, unix_host)
    # Events of a container nobody makes: the socket stays silent whatever else runs.
    quiet = f"/ws/hosts/unix/events/?type=container&container=inactive-{uuid.uuid4().hex}"
    socket = await ws(quiet, viewer)
    assert await socket.communicator.receive_nothing(timeout=0.5)  # open, streaming
    await socket.close()

    viewer.is_active = False
    await database_sync_to_async(viewer.save)()
    refused = await ws(quiet, viewer)
    await refused.until_closed()
    assert refused.close_code == 4401
