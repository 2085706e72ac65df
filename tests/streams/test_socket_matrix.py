"""Every websocket route, for every role, on a host whose engine is down: another team
is told the host does not exist, a role too low is refused, a dead engine is a close
code, never a crash. A new route without an entry here fails the first test."""

import pytest
from channels.db import database_sync_to_async

from console.access.models import Role
from console.access.policy import needs
from console.routing import websocket_urlpatterns

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

# route -> its policy action; the role it needs is the policy table's.
ACTIONS = {
    "ws/hosts/<slug:slug>/containers/<str:ref>/logs/": "container.view",
    "ws/hosts/<slug:slug>/containers/<str:ref>/terminal/": "container.exec",
    "ws/hosts/<slug:slug>/containers/<str:ref>/attach/": "container.attach",
    "ws/hosts/<slug:slug>/containers/<str:ref>/stats/": "container.view",
    "ws/hosts/<slug:slug>/stats/": "host.view",
    "ws/hosts/<slug:slug>/events/": "host.view",
    "ws/hosts/<slug:slug>/logs/": "container.view",
    "ws/hosts/<slug:slug>/images/pull/": "image.pull",
    "ws/hosts/<slug:slug>/images/build/": "image.build",
    "ws/hosts/<slug:slug>/images/push/": "image.push",
}
NEEDS = {route: needs(action) for route, action in ACTIONS.items()}


def _path(route: str) -> str:
    return "/" + route.replace("<slug:slug>", "dead").replace("<str:ref>", "c1") + "?ref=x"


async def test_every_route_is_in_the_table():
    assert {str(p.pattern) for p in websocket_urlpatterns} == set(NEEDS)


@pytest.fixture
def dead_host(db, tmp_path):
    from console.hosts.models import Host

    return Host.objects.create(name="dead", slug="dead", url=f"unix://{tmp_path}/none.sock")


@pytest.mark.parametrize(("route", "need"), NEEDS.items())
@pytest.mark.parametrize("role", [None, Role.VIEWER, Role.OPERATOR, Role.ADMIN])
async def test_socket_roles(ws, make_user, dead_host, route, need, role):
    from console.hosts.models import Host

    if role is None:  # another team's admin
        other = await database_sync_to_async(Host.objects.create)(
            name="other", slug="other", url="unix:///nowhere.sock"
        )
        user = await database_sync_to_async(make_user)("outsider", Role.ADMIN, other)
    else:
        user = await database_sync_to_async(make_user)(f"u{role}", role, dead_host)
    socket = await ws(_path(route), user)
    await socket.until_closed(timeout=15)
    if role is None:
        assert socket.close_code == 4404
    elif role < need:
        assert socket.close_code == 4403
    else:
        assert socket.close_code == 4502, (route, role, socket.close_code)
