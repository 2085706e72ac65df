"""Direct access to the fleet's engines, for tests to check what an engine holds
independently of the console."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator

import docker
import docker.tls

# docker.io's client; /usr/local/bin/docker on these machines is a newer one.
DOCKER_CLI = "/usr/bin/docker"


def raw_client(fleet, which: str = "unix") -> docker.APIClient:
    if which == "unix":
        api = docker.APIClient(base_url=fleet.unix_url, version="auto")
    else:
        tls = docker.tls.TLSConfig(
            client_cert=(fleet.tls_cert, fleet.tls_key), ca_cert=fleet.tls_ca, verify=True
        )
        api = docker.APIClient(
            base_url=fleet.tls_url.replace("tcp://", "https://"), tls=tls, version="1.41"
        )
    api.trust_env = False
    return api


def cli(fleet, *args: str) -> subprocess.CompletedProcess:
    """The docker CLI against engine A, for comparing the console with what a shell shows."""
    return subprocess.run(
        [DOCKER_CLI, "-H", fleet.unix_url, *args], capture_output=True, check=True, timeout=60
    )


def only_in_registry(engine_api, repository: str) -> Iterator[str]:
    """For a fixture to `yield from`: `repository:v1` (tagged on the engine) pushed to the
    private registry and removed from the engine; removed again at the end in case a test
    pulled it."""
    for event in engine_api.push(repository, tag="v1", stream=True, decode=True):
        assert "error" not in event, event
    engine_api.remove_image(f"{repository}:v1")
    yield f"{repository}:v1"
    with contextlib.suppress(Exception):
        engine_api.remove_image(f"{repository}:v1")
