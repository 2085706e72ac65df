"""Operators are not root on the engine's machine: host paths, the engine socket and host
namespaces are for the host's admins unless its security settings say otherwise. Checked
in the engine layer on the create payload, so the run form and duplicate both meet it."""

from __future__ import annotations

import pytest
from django.test import Client

from console.access.models import AuditEntry, Role
from console.engine import run as engine_run
from console.engine import security
from console.hosts.models import Host
from tests.containers.test_run import _form, _made


@pytest.fixture
def operator(logged_in, make_user, unix_host):
    return logged_in(make_user("op", Role.OPERATOR, unix_host))


def _client_of(user) -> Client:
    """A second logged-in client, beside the operator's."""
    client = Client()
    client.force_login(user)
    return client


def _refused(client, run, fleet, engine_api, says: str, **fields) -> None:
    response = client.post("/hosts/unix/containers/new/", _form(run, fleet, **fields))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not allowed on this host" in page and says in page
    assert _made(engine_api, run) == []


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"volumes": "/:/host"}, "the host path /"),
        ({"volumes": "/etc/../:/host:ro"}, "the host path /etc/../"),
        ({"volumes": "/var/run/docker.sock:/var/run/docker.sock"}, "the engine&#x27;s socket"),
        ({"volumes": "/run:/r"}, "which holds the engine&#x27;s socket"),
        ({"network": "host"}, "namespace (--network=host)"),
    ],
)
def test_operator_is_refused_what_makes_them_root(operator, run, fleet, engine_api, fields, says):
    _refused(operator, run, fleet, engine_api, says, **fields)
    entry = AuditEntry.objects.get(action="container.run")
    assert entry.error.startswith("Only this host's admins may use")


def test_the_engine_socket_of_this_very_host_is_refused(operator, run, fleet, engine_api):
    path = fleet.unix_url.removeprefix("unix://")
    _refused(operator, run, fleet, engine_api, "socket", volumes=f"{path}:/docker.sock")


def test_operator_may_use_named_volumes(operator, run, fleet, engine_api):
    data = _form(run, fleet, volumes=f"data-{run.tag}:/data\n/cache")
    assert operator.post("/hosts/unix/containers/new/", data).status_code == 302
    assert len(_made(engine_api, run)) == 1


def test_admin_of_the_host_may_bind_host_paths(
    logged_in, make_user, unix_host, run, fleet, engine_api, tmp_path
):
    admin = logged_in(make_user("adm", Role.ADMIN, unix_host))
    data = _form(run, fleet, volumes=f"{tmp_path}:/host:ro")
    assert admin.post("/hosts/unix/containers/new/", data).status_code == 302
    [made] = _made(engine_api, run)
    assert made["HostConfig"]["Binds"] == [f"{tmp_path}:/host:ro"]


def test_security_settings_open_binds_to_operators(
    logged_in, make_user, unix_host, operator, run, fleet, engine_api, tmp_path
):
    allowed, other = tmp_path / "allowed", tmp_path / "other"
    allowed.mkdir()
    other.mkdir()
    response = _client_of(make_user("adm", Role.ADMIN, unix_host)).post(
        "/hosts/unix/edit/",
        {"name": unix_host.name, "slug": "unix", "bind_paths": f"{allowed}/\n"},
    )
    assert response.status_code == 302
    assert Host.objects.get(slug="unix").bind_paths == str(allowed)
    # Exactly the listed path; neither a path below it nor beside it.
    _refused(operator, run, fleet, engine_api, "host path", volumes=f"{allowed}/sub:/d")
    _refused(operator, run, fleet, engine_api, "host path", volumes=f"{other}:/d")
    data = _form(run, fleet, volumes=f"{allowed}:/d")
    assert operator.post("/hosts/unix/containers/new/", data).status_code == 302
    assert len(_made(engine_api, run)) == 1


def test_duplicate_of_an_admins_container_is_checked_too(
    logged_in, make_user, unix_host, operator, run, fleet, engine_api, tmp_path
):
    admin = _client_of(make_user("adm", Role.ADMIN, unix_host))
    data = _form(run, fleet, name=run.name("src"), volumes=f"{tmp_path}:/host")
    assert admin.post("/hosts/unix/containers/new/", data).status_code == 302
    prefill = operator.get(f"/hosts/unix/containers/new/?from={run.name('src')}")
    copy = dict(prefill.context["form"].initial) | {"name": run.name("copy")}
    copy = {k: v for k, v in copy.items() if v not in (None, False)}
    response = operator.post("/hosts/unix/containers/new/", copy)
    assert "Not allowed on this host" in response.content.decode()
    assert [c["Name"] for c in _made(engine_api, run)] == [f"/{run.name('src')}"]


def test_the_engine_layer_refuses_without_a_page(unix_host, run, fleet, engine_api):
    spec = engine_run.RunSpec(
        image=fleet.base_image,
        command=["true"],
        network="none",
        labels={"run-test": run.tag},
        volumes=[engine_run.parse_volume("/:/host")],
    )
    restricted = unix_host.container_policy()
    with pytest.raises(security.PolicyRefused):
        engine_run.run_container(unix_host, spec, restricted)
    assert _made(engine_api, run) == []


@pytest.mark.parametrize(
    ("host_config", "says"),
    [
        ({"Privileged": True}, "privileged"),
        ({"SecurityOpt": ["seccomp=unconfined"]}, "confinement"),
        ({"SecurityOpt": ["label:disable"]}, "confinement"),
        ({"PidMode": "host"}, "--pid=host"),
        ({"IpcMode": "host"}, "--ipc=host"),
        ({"UTSMode": "host"}, "--uts=host"),
        ({"UsernsMode": "host"}, "--userns=host"),
        ({"CgroupnsMode": "host"}, "--cgroupns=host"),
        ({"Devices": [{"PathOnHost": "/dev/sda"}]}, "devices"),
        ({"DeviceRequests": [{"Count": -1}]}, "devices"),
        ({"CapAdd": ["SYS_ADMIN"]}, "SYS_ADMIN"),
        ({"Sysctls": {"net.ipv4.ip_forward": "1"}}, "--sysctl"),
        ({"VolumesFrom": ["other"]}, "--volumes-from"),
        ({"Mounts": [{"Type": "bind", "Source": "/etc", "Target": "/e"}]}, "/etc"),
        (
            {
                "Mounts": [
                    {
                        "Type": "volume",
                        "Source": "v",
                        "Target": "/v",
                        "VolumeOptions": {
                            "DriverConfig": {
                                "Name": "local",
                                "Options": {"type": "none", "o": "bind", "device": "/"},
                            }
                        },
                    }
                ]
            },
            "volume device",
        ),
        ({"Binds": ["C:\\Windows:C:\\w"]}, "C:\\Windows"),
        ({"Binds": ["\\\\.\\pipe\\docker_engine:\\\\.\\pipe\\docker_engine"]}, "socket"),
        ({"Mounts": [{"Type": "npipe", "Source": "\\\\.\\pipe\\docker_engine"}]}, "socket"),
    ],
)
def test_every_machine_wide_power_is_refused_by_default(host_config, says):
    problems = security.refusals(security.ContainerPolicy(), host_config)
    assert len(problems) == 1 and says in problems[0]
    assert security.refusals(security.UNRESTRICTED, host_config) == []


def test_what_stays_inside_the_container_is_allowed():
    ordinary = {
        "Binds": ["data:/data", "other:/o:ro"],
        "Mounts": [{"Type": "volume", "Source": "v", "Target": "/v"}, {"Type": "tmpfs"}],
        "NetworkMode": "bridge",
        "PidMode": "container:abc",
        "CapDrop": ["ALL"],
        "SecurityOpt": ["no-new-privileges"],
    }
    assert security.refusals(security.ContainerPolicy(), ordinary) == []
