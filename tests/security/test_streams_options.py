"""Log options out of range (`since=` of 400 nines, …): a 400 page, a 400 download and a
socket that closes with 4400 and says why, for one container's logs and merged logs."""

from __future__ import annotations

import pytest

from console.streams.consumers import Close

NINES = "9" * 400
BAD = [
    ("since", NINES),  # Unix seconds beyond any date
    ("since", NINES + "s"),  # a duration too long to subtract from now
    ("until", NINES + "h"),
    ("until", "99999999999999999999"),  # beyond the engine's 64-bit seconds
    ("tail", NINES),
]
IDS = [f"{name}={value[:4]}...{value[-2:]}" for name, value in BAD]


@pytest.fixture
def container(make_container):
    return make_container("security-options")


@pytest.mark.parametrize(("name", "value"), BAD, ids=IDS)
def test_the_logs_page_is_a_400(admin_client, unix_host, container, name, value):
    response = admin_client.get(f"/hosts/unix/containers/{container}/logs/", {name: value})
    assert response.status_code == 400
    assert "is out of range" in response.content.decode()


@pytest.mark.parametrize(("name", "value"), BAD, ids=IDS)
def test_the_download_is_a_400(admin_client, unix_host, container, name, value):
    url = f"/hosts/unix/containers/{container}/logs/download/"
    response = admin_client.get(url, {name: value})
    assert response.status_code == 400
    assert "is out of range" in response.content.decode()


@pytest.mark.parametrize(("name", "value"), BAD, ids=IDS)
def test_the_merged_page_is_a_400(admin_client, unix_host, container, name, value):
    response = admin_client.get("/hosts/unix/logs/", {"container": container, name: value})
    assert response.status_code == 400
    assert "is out of range" in response.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path",
    ["/ws/hosts/unix/containers/{cid}/logs/?", "/ws/hosts/unix/logs/?containers={cid}&"],
    ids=["single", "merged"],
)
@pytest.mark.parametrize(("name", "value"), BAD, ids=IDS)
async def test_the_socket_closes_with_4400(ws, admin_user, unix_host, container, path, name, value):
    socket = await ws(path.format(cid=container) + f"{name}={value}", admin_user)
    frames = await socket.until_closed()
    assert frames[-2]["t"] == "error" and "is out of range" in frames[-2]["text"]
    assert socket.close_code == Close.BAD_REQUEST
