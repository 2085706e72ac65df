"""Direct access to the fleet's engines, for tests to check what an engine holds
independently of the console."""

from __future__ import annotations

import docker
import docker.tls


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
