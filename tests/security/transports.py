"""Helpers shared by the transport tests: host rows as the console reads them back
(with their secrets decrypted on access), and direct access to engine B."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.engines import raw_client


def stored(host):
    """The row as views load it: a freshly created row still holds plain strings."""
    from console.hosts.models import Host

    return Host.objects.get(pk=host.pk)


@pytest.fixture
def tls_api(fleet):
    """docker-py straight to engine B (the one behind tls_host)."""
    api = raw_client(fleet, "tls")
    yield api
    api.close()


# For tests parametrized over `which` ("tls_host", "ssh_host"):


@pytest.fixture
def host(which, request):
    return stored(request.getfixturevalue(which))


@pytest.fixture
def raw_api(which, request):
    """docker-py straight to the engine behind `host`."""
    return request.getfixturevalue("tls_api" if which == "tls_host" else "engine_api")


@pytest.fixture
def run_on(fleet, raw_api):
    """run_on(command): a running container with no network on `host`'s engine."""
    made: list[str] = []

    def run(command: list[str]) -> str:
        none = raw_api.create_host_config(network_mode="none")
        cid = raw_api.create_container(fleet.base_image, command, host_config=none)["Id"]
        made.append(cid)
        raw_api.start(cid)
        return cid

    yield run
    for cid in made:
        with contextlib.suppress(Exception):
            raw_api.remove_container(cid, force=True)


class PrivateSSHD:
    """An sshd of this test alone, with the fleet's host key and authorized key (so it
    leads to engine A), that the test may restart; its row is `host`."""

    def __init__(self, fleet, directory: Path):
        from tests import fleet as fleet_module

        self._fleet_module = fleet_module
        ssh = Path(fleet.root, "ssh")
        self.port = fleet_module._free_ports(1)[0]
        config = (ssh / "sshd_config").read_text()
        config = re.sub(r"(?m)^Port .*$", f"Port {self.port}", config)
        config = re.sub(r"(?m)^PidFile .*$", f"PidFile {directory / 'sshd.pid'}", config)
        self._config = directory / "sshd_config"
        self._config.write_text(config)
        self._log = directory / "sshd.log"
        self._proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        with self._log.open("ab") as log:
            self._proc = subprocess.Popen(
                [self._fleet_module._need("sshd"), "-D", "-e", "-f", str(self._config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 10
        while not self._fleet_module._ssh_banner(self.port):
            assert self._proc.poll() is None, self._log.read_text()[-2000:]
            assert time.monotonic() < deadline, "private sshd did not start"
            time.sleep(0.05)

    def sessions(self) -> list[int]:
        """The per-connection sshd processes this sshd forked."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self._proc.pid:
                    children.append(int(stat.parent.name))
        return children

    def stop(self) -> None:
        """Stop the listener and every connection it serves, as a crash or reboot would."""
        sessions = self.sessions()
        self._proc.kill()
        self._proc.wait(10)
        for pid in sessions:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def private_sshd(fleet, tmp_path):
    sshd = PrivateSSHD(fleet, tmp_path)
    yield sshd
    sshd.stop()


@pytest.fixture
def private_ssh_host(db, fleet, private_sshd):
    from console.hosts.models import Host

    host = Host.objects.create(
        name="private ssh",
        slug="private-ssh",
        url=f"ssh://root@127.0.0.1:{private_sshd.port}",
        ssh_private_key=Path(fleet.ssh_key).read_text().strip(),
        ssh_host_key=fleet.ssh_host_key_pub,
    )
    return stored(host)
