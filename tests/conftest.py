"""Shared fixtures: the fleet of real engines (started once per run), hosts
registered against it, users with roles, and a server that never answers."""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import fleet as fleet_module
from tests.engines import only_in_registry

# The browser journeys' console and Chromium, one of each for the whole run; the
# websocket test client (`ws`).
pytest_plugins = ["tests.browser", "tests.sockets", "tests.volumes.written"]


@pytest.fixture(scope="session")
def fleet() -> Iterator[fleet_module.Fleet]:
    """The engines, sshd and registry of this test run.

    CONSOLE_FLEET_STATE=path/fleet.json reuses a fleet from `make fleet-up`;
    CONSOLE_TEST_ENGINES=skip skips every test that needs one.
    """
    if os.environ.get("CONSOLE_TEST_ENGINES") == "skip":
        pytest.skip("CONSOLE_TEST_ENGINES=skip: no real engines in this run")
    if state := os.environ.get("CONSOLE_FLEET_STATE"):
        yield fleet_module.Fleet.from_json(Path(state).read_text())
        return
    fleet_module.ensure_requirements()
    started = fleet_module.start(tempfile.mkdtemp(prefix="console-fleet-"))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(autouse=True)
def _engine_settings(settings):
    # Test users need no strong hashing; PBKDF2 would cost every make_user 0.3 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CONSOLE_HOST_DEADLINE = 1.5
    settings.CONSOLE_ENGINE_TIMEOUT = 5
    yield
    from console import engine

    engine.forget_all()


def _read(path: str) -> str:
    """PEM text as the host form stores it (stripped)."""
    return Path(path).read_text().strip()


@pytest.fixture
def unix_host(db, fleet):
    from console.hosts.models import Host

    return Host.objects.create(name="unix engine", slug="unix", url=fleet.unix_url)


@pytest.fixture
def tls_host(db, fleet):
    from console.hosts.models import Host

    return Host.objects.create(
        name="tls engine",
        slug="tls",
        url=fleet.tls_url,
        tls=True,
        tls_ca_cert=_read(fleet.tls_ca),
        tls_client_cert=_read(fleet.tls_cert),
        tls_client_key=_read(fleet.tls_key),
    )


@pytest.fixture
def ssh_host(db, fleet):
    from console.hosts.models import Host

    return Host.objects.create(
        name="ssh engine",
        slug="ssh",
        url=fleet.ssh_url,
        ssh_private_key=_read(fleet.ssh_key),
        ssh_host_key=fleet.ssh_host_key_pub,
    )


@pytest.fixture
def silent_server() -> Iterator[str]:
    """tcp://127.0.0.1:PORT that accepts connections and never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


@pytest.fixture
def silent_host(db, silent_server):
    """Host "silent": an engine address that never answers (each page times out)."""
    from console.hosts.models import Host

    return Host.objects.create(name="silent", slug="silent", url=silent_server)


@pytest.fixture
def gone_host(db, tmp_path):
    """Host "gone": a socket that is not there (the engine is unreachable)."""
    from console.hosts.models import Host

    return Host.objects.create(name="gone", slug="gone", url=f"unix://{tmp_path}/none.sock")


@pytest.fixture
def make_user(db, django_user_model):
    """make_user(name, role=None, host=None): a user, in a team with `role` on `host`
    (or on every host when host is None and a role is given)."""
    from console.access.models import HostRole, Team

    def make(name: str, role=None, host=None, *, all_hosts: bool = False):
        user = django_user_model.objects.create_user(username=name, password="pw-" + name)
        if role is not None:
            team = Team.objects.create(name=f"team-{name}")
            team.members.add(user)
            HostRole.objects.create(team=team, host=None if all_hosts else host, role=role)
        return user

    return make


@pytest.fixture
def logged_in(client):
    """logged_in(user): the test client logged in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login


# A main process that ends at once on SIGTERM (a bare `sleep` as PID 1 ignores it, so
# every stop would wait the full timeout).
STOPPABLE = ["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"]


@pytest.fixture
def engine_api(fleet):
    """docker-py straight to engine A (the one behind unix_host and ssh_host)."""
    from tests.engines import raw_client

    api = raw_client(fleet)
    yield api
    api.close()


@pytest.fixture
def make_container(engine_api, fleet):
    """make_container(name, command=STOPPABLE, start=True, **create_kwargs) on engine A,
    with no network; everything made is removed after the test."""
    made: list[str] = []

    def make(name: str, command=STOPPABLE, *, start: bool = True, **kwargs):
        kwargs.setdefault("host_config", engine_api.create_host_config(network_mode="none"))
        container = engine_api.create_container(
            fleet.base_image, command=command, name=name, **kwargs
        )
        made.append(container["Id"])
        if start:
            engine_api.start(container["Id"])
        return container["Id"]

    yield make
    for container_id in made:
        with contextlib.suppress(Exception):
            engine_api.remove_container(container_id, force=True, v=True)


@pytest.fixture
def registry_image(fleet, engine_api):
    """An image with a layer of its own, in the private registry and absent from engine A
    (so pulling it downloads that layer)."""
    import uuid

    unique = uuid.uuid4().hex[:8]
    repository = f"{fleet.registry}/console-test/pushed-{unique}"
    none = engine_api.create_host_config(network_mode="none")
    writer = engine_api.create_container(
        fleet.base_image, ["sh", "-c", f"echo {unique} > /layer"], host_config=none
    )["Id"]
    engine_api.start(writer)
    engine_api.wait(writer, timeout=30)
    engine_api.commit(writer, repository=repository, tag="v1")
    engine_api.remove_container(writer)
    yield from only_in_registry(engine_api, repository)
