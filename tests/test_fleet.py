"""Smoke test of the test fleet itself: every engine, the SSH path and the registry answer.

Runs against the session-wide ``fleet`` fixture of tests/conftest.py.
"""

from __future__ import annotations

import base64
import http.client
from urllib.parse import urlsplit

import docker
import paramiko
import pytest
import requests

from tests.fleet import Fleet

API_VERSION = "1.41"  # dockerd 20.10; docker-py 7.2 would otherwise ask for a newer one


def _client(base_url: str, tls: docker.tls.TLSConfig | None = None) -> docker.APIClient:
    client = docker.APIClient(base_url=base_url, version=API_VERSION, tls=tls or False, timeout=30)
    # APIClient is a requests.Session: without this, REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE from
    # the environment replace the CA given in TLSConfig and verification fails.
    client.trust_env = False
    return client


def _tls_client(fleet: Fleet, ca: str, cert: str, key: str) -> docker.APIClient:
    tls = docker.tls.TLSConfig(client_cert=(cert, key), ca_cert=ca, verify=True)
    return _client(fleet.tls_url.replace("tcp://", "https://"), tls)


def _ssh_client(fleet: Fleet, key_path: str, host_key_pub: str) -> paramiko.SSHClient:
    url = urlsplit(fleet.ssh_url)
    key_type, key_b64 = host_key_pub.split()[:2]
    client = paramiko.SSHClient()
    client.get_host_keys().add(
        f"[{url.hostname}]:{url.port}",
        key_type,
        paramiko.Ed25519Key(data=base64.b64decode(key_b64)),
    )
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(
        url.hostname or "127.0.0.1",
        port=url.port or 22,
        username=url.username,
        pkey=paramiko.Ed25519Key.from_private_key_file(key_path),
        allow_agent=False,
        look_for_keys=False,
        timeout=10,
    )
    return client


def test_unix_engine_pings(fleet: Fleet) -> None:
    client = _client(fleet.unix_url)
    assert client.ping() is True
    assert client.version()["ApiVersion"] == API_VERSION


def test_tls_engine_pings_with_the_right_certificates(fleet: Fleet) -> None:
    f = fleet
    client = _tls_client(f, f.tls_ca, f.tls_cert, f.tls_key)
    assert client.ping() is True
    assert client.inspect_image(f.base_image)["Config"]["Cmd"] == ["/bin/sh"]


def test_tls_engine_refuses_a_client_certificate_of_another_ca(fleet: Fleet) -> None:
    f = fleet
    client = _tls_client(f, f.tls_ca, f.tls_wrong_cert, f.tls_wrong_key)
    with pytest.raises(requests.exceptions.ConnectionError):  # SSLError is one
        client.ping()


def test_tls_engine_is_not_trusted_through_the_wrong_ca(fleet: Fleet) -> None:
    f = fleet
    client = _tls_client(f, f.tls_wrong_ca, f.tls_cert, f.tls_key)
    with pytest.raises(requests.exceptions.SSLError):
        client.ping()


def test_engines_are_distinct(fleet: Fleet) -> None:
    f = fleet
    unix_info = _client(f.unix_url).info()
    tls_info = _tls_client(f, f.tls_ca, f.tls_cert, f.tls_key).info()
    assert unix_info["ID"] != tls_info["ID"]
    assert unix_info["DockerRootDir"] != tls_info["DockerRootDir"]


def test_base_image_runs_on_engine_a(fleet: Fleet) -> None:
    client = _client(fleet.unix_url)
    container = client.create_container(
        fleet.base_image,
        command=["echo", "hello"],
        host_config=client.create_host_config(network_mode="none"),
    )
    try:
        client.start(container)
        assert client.wait(container, timeout=30)["StatusCode"] == 0
        assert client.logs(container) == b"hello\n"
    finally:
        client.remove_container(container, force=True)


def test_ssh_path_reaches_engine_a(fleet: Fleet) -> None:
    f = fleet
    client = _ssh_client(f, f.ssh_key, f.ssh_host_key_pub)
    try:
        transport = client.get_transport()
        assert transport is not None
        channel = transport.open_session(timeout=10)
        channel.settimeout(10)
        # sshd's forced command replaces whatever is asked for with a pipe to engine A.
        channel.exec_command("docker system dial-stdio")
        channel.sendall(b"GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := channel.recv(65536):
            reply += chunk
    finally:
        client.close()
    assert reply.startswith(b"HTTP/1.1 200 ")
    assert reply.endswith(b"\r\n\r\nOK")


def test_ssh_refuses_the_wrong_key(fleet: Fleet) -> None:
    f = fleet
    with pytest.raises(paramiko.AuthenticationException):
        _ssh_client(f, f.ssh_wrong_key, f.ssh_host_key_pub)


def test_ssh_host_key_differs_from_the_other_one(fleet: Fleet) -> None:
    f = fleet
    with pytest.raises(paramiko.BadHostKeyException):
        _ssh_client(f, f.ssh_key, f.ssh_other_host_key_pub)


def test_registry_answers_v2(fleet: Fleet) -> None:
    host, port = fleet.registry.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", "/v2/")
        assert conn.getresponse().status == 200
    finally:
        conn.close()


def test_fleet_survives_a_json_round_trip(fleet: Fleet) -> None:
    again = Fleet.from_json(fleet.to_json())
    assert again == fleet
