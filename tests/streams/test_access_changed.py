"""Open sockets follow access changes: when an admin deactivates a user, resets their
password, or takes a role away (revoke, removal from the team, team deleted), the
user's open sockets close with the code that says why; other users' sockets stay."""

import asyncio
import json
import uuid

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.test import Client

from console.access.models import HostRole, Role, Team
from tests.containers.test_terminal import _processes, _read_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def as_manager(make_user):
    """post(path, data) as a team manager, through the real views (a sync call, as
    Django runs views under ASGI)."""
    manager = make_user("ac-manager", Role.ADMIN, all_hosts=True)
    client = Client()
    client.force_login(manager)

    async def post(path: str, data=None):
        response = await sync_to_async(client.post)(path, data or {})
        assert response.status_code in (200, 302), response.status_code
        return response

    return post


@pytest_asyncio.fixture
async def two_viewers(ws, make_user, unix_host):
    """(viewer, socket, bystander socket): two viewers of unix, each with an events
    socket filtered on a container name of its own (silent until the test makes it)."""
    names = {}
    sockets = []
    users = []
    for who in ("ac-viewer", "ac-other"):
        user = await database_sync_to_async(make_user)(who, Role.VIEWER, unix_host)
        names[who] = f"{who}-{uuid.uuid4().hex[:8]}"
        socket = await ws(f"/ws/hosts/unix/events/?type=container&container={names[who]}", user)
        assert await socket.communicator.receive_nothing(timeout=0.3)  # open, streaming
        users.append(user)
        sockets.append(socket)
    yield users[0], sockets[0], sockets[1], names["ac-other"]
    for socket in sockets:
        await socket.close()


async def _closed_with(socket) -> tuple[int, str]:
    frames = await socket.until_closed()
    errors = [f["text"] for f in frames if f.get("t") == "error"]
    return socket.close_code, errors[-1] if errors else ""


async def _still_streams(socket, make_container, name: str) -> None:
    """The bystander's socket is open and still gets the engine's events."""
    await asyncio.to_thread(make_container, name, start=False)
    frame = await socket.receive()
    assert frame["t"] == "event" and frame["event"]["action"] == "create"


# change -> (path, data) of the manager's POST, given the viewer, their team and grant.
CHANGES = {
    "deactivate": lambda user, team, grant: (f"/teams/users/{user.pk}/deactivate/", {}),
    "password reset": lambda user, team, grant: (f"/teams/users/{user.pk}/password/", {}),
    "role revoked": lambda user, team, grant: (
        f"/teams/{team.pk}/roles/revoke/",
        {"grant": grant.pk},
    ),
    "removed from team": lambda user, team, grant: (
        f"/teams/{team.pk}/members/remove/",
        {"user": user.pk},
    ),
    "team deleted": lambda user, team, grant: (f"/teams/{team.pk}/delete/", {}),
}


@pytest.mark.parametrize(
    ("change", "code", "says"),
    [
        ("deactivate", 4401, "deactivated"),
        ("password reset", 4401, "password"),
        ("role revoked", 4404, "no longer"),
        ("removed from team", 4404, "no longer"),
        ("team deleted", 4404, "no longer"),
    ],
)
async def test_a_change_closes_only_that_users_sockets(
    as_manager, two_viewers, make_container, change, code, says
):
    viewer, socket, bystander, other_name = two_viewers

    def team_and_grant():
        team = Team.objects.get(name="team-ac-viewer")
        return team, HostRole.objects.get(team=team)

    team, grant = await database_sync_to_async(team_and_grant)()
    await as_manager(*CHANGES[change](viewer, team, grant))
    closed_code, text = await _closed_with(socket)
    assert closed_code == code and says in text
    await _still_streams(bystander, make_container, other_name)


async def test_a_change_that_leaves_enough_keeps_the_socket(as_manager, two_viewers):
    viewer, socket, _, _ = two_viewers

    def second_team():
        team = Team.objects.create(name="ac-extra")
        team.members.add(viewer)
        return HostRole.objects.create(team=team, host=None, role=Role.OPERATOR)

    grant = await database_sync_to_async(second_team)()
    await as_manager(f"/teams/{grant.team_id}/roles/revoke/", {"grant": grant.pk})
    assert await socket.communicator.receive_nothing(timeout=0.5)  # still viewer of unix


async def test_operator_lowered_to_viewer_loses_the_terminal(
    ws, as_manager, make_user, unix_host, make_container, engine_api
):
    cid = await asyncio.to_thread(make_container, f"ac-term-{uuid.uuid4().hex[:8]}")

    def operator():
        user = make_user("ac-op", Role.VIEWER, unix_host)
        team = Team.objects.create(name="ac-ops")
        team.members.add(user)
        HostRole.objects.create(team=team, host=unix_host, role=Role.OPERATOR)
        return user, team

    user, team = await database_sync_to_async(operator)()
    socket = await ws(f"/ws/hosts/unix/containers/{cid}/terminal/?cmd=sh", user)
    await socket.communicator.send_to(bytes_data=b"echo $((6*7))\n")
    assert b"42\r\n" in await _read_until(socket, b"42\r\n")
    # The grant form lowers the team's role on the host (update in place).
    await as_manager(
        f"/teams/{team.pk}/roles/grant/", {"host": unix_host.slug, "role": int(Role.VIEWER)}
    )
    texts = []
    while (output := await socket.communicator.receive_output(10))["type"] != "websocket.close":
        if output.get("text"):
            texts.append(json.loads(output["text"]))
    assert output["code"] == 4403
    assert texts[-1]["t"] == "error" and "operator" in texts[-1]["text"]
    for _ in range(50):  # the exec session ended on the engine
        remaining = await _processes(engine_api, cid)
        if "sh" not in remaining:
            break
        await asyncio.sleep(0.1)
    assert "sh" not in remaining
    await socket.close()
