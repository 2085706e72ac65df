"""`docker run` through the form, checked on what the engine holds afterwards."""

from __future__ import annotations

import contextlib
import json
import random
import socket
import time
import uuid
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from console.access.models import AuditEntry, Role
from console.engine.errors import HostUnreachable
from console.engine.runspec import format_command
from console.hosts.models import Host
from tests.conftest import STOPPABLE
from tests.engines import only_in_registry, raw_client

STOPPABLE_TEXT = format_command(STOPPABLE)


@dataclass(frozen=True)
class Tagged:
    """Names and the label of one test's containers and volumes."""

    tag: str

    @property
    def label(self) -> str:
        return f"run-test={self.tag}"

    def name(self, what: str) -> str:
        return f"run-{what}-{self.tag}"


@pytest.fixture
def run(fleet, engine_api):
    """Everything this test makes carries its tag: removed at the end, on both engines."""
    made = Tagged(uuid.uuid4().hex[:12])
    yield made
    tls_api = raw_client(fleet, "tls")
    for api in (engine_api, tls_api):
        for container in api.containers(all=True, filters={"label": made.label}):
            with contextlib.suppress(Exception):
                api.remove_container(container["Id"], force=True, v=True)
        for volume in api.volumes(filters={"name": made.tag}).get("Volumes") or []:
            with contextlib.suppress(Exception):
                api.remove_volume(volume["Name"], force=True)
    tls_api.close()


def _form(run: Tagged, fleet, **fields) -> dict:
    """The form's fields for a quiet container: no network, a stoppable command."""
    labels = fields.pop("labels", "")
    data = {
        "image": fleet.base_image,
        "mode": "detach",
        "command": STOPPABLE_TEXT,
        "network": "none",
        "restart": "no",
        "labels": f"{run.label}\n{labels}",
    }
    return data | fields


def _made(api, run: Tagged) -> list[dict]:
    return [
        api.inspect_container(c["Id"])
        for c in api.containers(all=True, filters={"label": run.label})
    ]


def _free_ports(count: int) -> int:
    """The first of `count` consecutive ports free on 127.0.0.1 right now."""
    for _ in range(100):
        first = random.randint(20000, 60000 - count)
        held: list[socket.socket] = []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()
    raise RuntimeError("no free ports")


def test_run_with_many_flags(admin_client, unix_host, fleet, engine_api, run, tmp_path):
    (tmp_path / "app.conf").write_text("x")
    env_file = SimpleUploadedFile(
        "app.env", b"# from a file\nFROM_FILE=1\nOVERRIDDEN=file\n\nPASS_THROUGH\n"
    )
    data = _form(
        run,
        fleet,
        name=run.name("web"),
        entrypoint="/bin/sh -c",
        command="'echo started; trap \"exit 0\" TERM; sleep 600 & wait'",
        env="DB_PASSWORD=hunter2 two\nOVERRIDDEN=typed",
        env_file=env_file,
        volumes=f"data-{run.tag}:/data\n{tmp_path}:/etc/app:ro\n/cache",
        working_dir="/data",
        user="1000:1000",
        hostname="web-host",
        restart="on-failure",
        max_retries="3",
        labels="tier=front\nflag",
        cpus="0.5",
        memory="64m",
    )
    response = admin_client.post("/hosts/unix/containers/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert response.url == f"/hosts/unix/containers/{run.name('web')}/"

    (c,) = _made(engine_api, run)
    config, host_config = c["Config"], c["HostConfig"]
    assert c["Name"] == f"/{run.name('web')}" and c["State"]["Running"]
    assert config["Entrypoint"] == ["/bin/sh", "-c"]
    assert config["Cmd"] == ['echo started; trap "exit 0" TERM; sleep 600 & wait']
    env = config["Env"]
    assert "FROM_FILE=1" in env and "DB_PASSWORD=hunter2 two" in env
    assert env.index("OVERRIDDEN=file") < env.index("OVERRIDDEN=typed")
    assert not any(e.startswith("PASS_THROUGH") for e in env)
    assert sorted(host_config["Binds"]) == sorted(
        [f"data-{run.tag}:/data", f"{tmp_path}:/etc/app:ro"]
    )
    mounts = {m["Destination"]: m for m in c["Mounts"]}
    assert mounts["/data"]["Name"] == f"data-{run.tag}" and mounts["/data"]["RW"]
    assert mounts["/etc/app"]["Type"] == "bind" and not mounts["/etc/app"]["RW"]
    assert mounts["/cache"]["Type"] == "volume"
    assert config["WorkingDir"] == "/data" and config["User"] == "1000:1000"
    assert config["Hostname"] == "web-host"
    assert host_config["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}
    assert config["Labels"] == {"run-test": run.tag, "tier": "front", "flag": ""}
    assert host_config["NanoCpus"] == 500_000_000
    assert host_config["Memory"] == 64 * 1024 * 1024
    assert host_config["NetworkMode"] == "none"
    assert host_config["AutoRemove"] is False
    assert config["Tty"] is False and config["OpenStdin"] is False
    for _ in range(100):  # the entrypoint's first line may take a moment
        if b"started" in engine_api.logs(c["Id"]):
            break
        time.sleep(0.05)
    assert b"started" in engine_api.logs(c["Id"])

    (entry,) = AuditEntry.objects.filter(action="container.run")
    assert entry.ok and entry.target == run.name("web")
    assert entry.params["env_keys"] == ["FROM_FILE", "OVERRIDDEN", "DB_PASSWORD", "OVERRIDDEN"]
    assert entry.params["id"] == c["Id"] and entry.params["restart"] == "on-failure:3"
    assert "hunter2" not in json.dumps(entry.params) and "typed" not in json.dumps(entry.params)


def test_published_ports_ranges_and_container_only(admin_client, unix_host, fleet, engine_api, run):
    first = _free_ports(3)
    ports = f"127.0.0.1:{first}:80/tcp\n127.0.0.1:{first + 1}-{first + 2}:81-82 127.0.0.1::83/udp"
    data = _form(run, fleet, network="bridge", ports=ports, expose="9000")
    response = admin_client.post("/hosts/unix/containers/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    (c,) = _made(engine_api, run)
    published = c["NetworkSettings"]["Ports"]
    assert published["80/tcp"] == [{"HostIp": "127.0.0.1", "HostPort": str(first)}]
    assert published["81/tcp"] == [{"HostIp": "127.0.0.1", "HostPort": str(first + 1)}]
    assert published["82/tcp"] == [{"HostIp": "127.0.0.1", "HostPort": str(first + 2)}]
    (udp,) = published["83/udp"]
    assert udp["HostIp"] == "127.0.0.1" and int(udp["HostPort"]) > 0
    assert published["9000/tcp"] is None
    assert set(c["Config"]["ExposedPorts"]) == {"80/tcp", "81/tcp", "82/tcp", "83/udp", "9000/tcp"}
    with socket.create_connection(("127.0.0.1", first), timeout=5):
        pass


def test_publish_all_publishes_the_exposed_ports(admin_client, unix_host, fleet, engine_api, run):
    data = _form(run, fleet, network="bridge", expose="7001 7002/udp", publish_all="on")
    response = admin_client.post("/hosts/unix/containers/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    (c,) = _made(engine_api, run)
    assert c["HostConfig"]["PublishAllPorts"] is True
    published = c["NetworkSettings"]["Ports"]
    for port in ("7001/tcp", "7002/udp"):
        assert published[port] and int(published[port][0]["HostPort"]) > 0


def test_interactive_gets_tty_and_open_stdin(admin_client, unix_host, fleet, engine_api, run):
    data = _form(run, fleet, mode="interactive", command="", auto_remove="on")
    response = admin_client.post("/hosts/unix/containers/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    (c,) = _made(engine_api, run)
    # Like `docker run -it`, the person lands in the main process.
    assert response.url == f"/hosts/unix/containers/{c['Name'].lstrip('/')}/attach/"
    assert c["Config"]["Tty"] and c["Config"]["OpenStdin"] and not c["Config"]["StdinOnce"]
    assert c["Config"]["Cmd"] == ["/bin/sh"]
    assert c["State"]["Running"], "sh with an open stdin keeps running"
    assert c["HostConfig"]["AutoRemove"] is True


def test_the_engine_names_an_unnamed_container(admin_client, unix_host, fleet, engine_api, run):
    response = admin_client.post("/hosts/unix/containers/new/", _form(run, fleet), follow=True)
    (c,) = _made(engine_api, run)
    name = c["Name"].lstrip("/")
    assert response.redirect_chain == [(f"/hosts/unix/containers/{name}/", 302)]
    assert f"Started {name} ({c['Id'][:12]})" in response.content.decode()
    assert AuditEntry.objects.get(action="container.run").target == name


def test_runs_on_a_tls_engine(admin_client, tls_host, fleet, run):
    response = admin_client.post(
        "/hosts/tls/containers/new/", _form(run, fleet, name=run.name("t"))
    )
    assert response.status_code == 302, response.context["form"].errors
    api = raw_client(fleet, "tls")
    try:
        (c,) = _made(api, run)
    finally:
        api.close()
    assert c["Name"] == f"/{run.name('t')}" and c["State"]["Running"]


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({"ports": "8080:http"}, "ports", "container port “http” is not a port number"),
        ({"ports": "1-3:1-2"}, "ports", "give ranges of the same size"),
        ({"image": "Busybox:latest"}, "image", "must be lowercase"),
        ({"image": "busybox::1"}, "image", "is not a valid image reference"),
        ({"memory": "lots"}, "memory", "“lots” is not a memory size"),
        ({"memory": "1m"}, "memory", "minimum memory limit of 6m"),
        ({"cpus": "many"}, "cpus", "“many” is not a number of CPUs"),
        ({"env": "GOOD=1\nMY VAR=2"}, "env", "line 2: the variable name “MY VAR” contains"),
        ({"volumes": "data:relative"}, "volumes", "the container path “relative” must be"),
        ({"volumes": "/a:/b:rx"}, "volumes", "unknown option “rx”"),
        ({"name": "a b"}, "name", "is not a valid container name"),
        ({"network": "bridge", "restart": "always", "auto_remove": "on"}, "auto_remove", "--rm"),
        ({"restart": "always", "max_retries": "2"}, "max_retries", "only with on-failure"),
        ({"ports": "8080:80"}, "ports", "cannot be published on network “none”"),
        ({"publish_all": "on"}, "publish_all", "-P does nothing on network “none”"),
        ({"network": "host", "hostname": "h1"}, "hostname", "the hostname is not the container"),
        ({"working_dir": "data"}, "working_dir", "must be an absolute path"),
        ({"command": "sh -c 'x"}, "command", "Unbalanced quotes"),
        (
            {"env_file": SimpleUploadedFile("e", b"OK=1\n=x\n")},
            "env_file",
            "env file line 2: “=x” has no variable name",
        ),
        ({"env_file": SimpleUploadedFile("e", b"\xff\xfe")}, "env_file", "not UTF-8 text"),
    ],
)
def test_invalid_input_is_a_field_error_and_nothing_is_made(
    admin_client, unix_host, fleet, engine_api, run, fields, field, problem
):
    response = admin_client.post("/hosts/unix/containers/new/", _form(run, fleet, **fields))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(problem in e for e in errors.get(field, [])), errors
    assert problem in response.content.decode()
    assert _made(engine_api, run) == []
    assert not AuditEntry.objects.exists()


def test_duplicate_name_is_a_field_error(
    admin_client, unix_host, fleet, engine_api, run, make_container
):
    name = run.name("taken")
    make_container(name, start=False)
    response = admin_client.post("/hosts/unix/containers/new/", _form(run, fleet, name=name))
    assert response.status_code == 200
    assert any("already in use" in e for e in response.context["form"].errors["name"])
    assert _made(engine_api, run) == []
    entry = AuditEntry.objects.get(action="container.run")
    assert not entry.ok and "already in use" in entry.error


def test_start_failure_removes_the_created_container(
    admin_client, unix_host, fleet, engine_api, run
):
    data = _form(run, fleet, name=run.name("broken"), command="/no/such/program", env="K=v")
    response = admin_client.post("/hosts/unix/containers/new/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The container was not run" in page
    assert "/no/such/program" in page
    assert _made(engine_api, run) == []
    assert not engine_api.containers(all=True, filters={"name": run.name("broken")})
    entry = AuditEntry.objects.get(action="container.run")
    assert not entry.ok and "/no/such/program" in entry.error
    assert entry.params["env_keys"] == ["K"] and "=v" not in json.dumps(entry.params)


@pytest.fixture
def pushed_image(fleet, engine_api, run):
    """The base image in the private registry under a new name, absent from engine A."""
    repository = f"{fleet.registry}/console-test/run-{run.tag}"
    engine_api.tag(fleet.base_image, repository, "v1")
    yield from only_in_registry(engine_api, repository)


def test_missing_image_is_offered_then_pulled_and_run(
    admin_client, unix_host, fleet, engine_api, run, pushed_image
):
    env_file = SimpleUploadedFile("e.env", b"FROM_FILE=yes\n")
    data = _form(run, fleet, image=pushed_image, env="TYPED=1", env_file=env_file)
    offer = admin_client.post("/hosts/unix/containers/new/", data)
    assert offer.status_code == 200
    page = offer.content.decode()
    assert "Pull and run" in page and f"<code>{pushed_image}</code> is not on this host" in page
    assert _made(engine_api, run) == []
    assert not AuditEntry.objects.exists()
    carried = offer.context["form"]
    assert carried["env"].value() == "FROM_FILE=yes\nTYPED=1"

    response = admin_client.post(
        "/hosts/unix/containers/new/", {**carried.data.dict(), "pull": "1"}, follow=True
    )
    assert response.redirect_chain, response.content.decode()
    assert f"Pulled {pushed_image}" in response.content.decode()
    (c,) = _made(engine_api, run)
    assert c["Config"]["Image"] == pushed_image and c["State"]["Running"]
    assert {"FROM_FILE=yes", "TYPED=1"} <= set(c["Config"]["Env"])
    assert engine_api.inspect_image(pushed_image)["Id"] == c["Image"]
    entry = AuditEntry.objects.get(action="container.run")
    assert entry.ok and entry.params["pulled"] is True


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        ("{registry}/console-test/never-pushed-{tag}:v1", "not found"),
        ("127.0.0.1:1/console-test/nowhere:v1", "connection refused"),
    ],
)
def test_a_failed_pull_shows_the_engines_error(
    admin_client, unix_host, fleet, engine_api, run, image, reason
):
    image = image.format(registry=fleet.registry, tag=run.tag)
    data = _form(run, fleet, image=image, pull="1")
    response = admin_client.post("/hosts/unix/containers/new/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Pulling the image failed" in page
    assert reason in response.context["error"].message.lower()
    assert _made(engine_api, run) == []
    entry = AuditEntry.objects.get(action="container.run")
    assert not entry.ok and entry.error == response.context["error"].message


def test_viewer_is_refused(logged_in, make_user, unix_host, fleet, engine_api, run):
    client = logged_in(make_user("v", Role.VIEWER, unix_host))
    assert client.get("/hosts/unix/containers/new/").status_code == 403
    assert client.post("/hosts/unix/containers/new/", _form(run, fleet)).status_code == 403
    assert _made(engine_api, run) == []
    assert "Run a container" not in client.get("/hosts/unix/containers/").content.decode()


def test_operator_may_run(logged_in, make_user, unix_host, fleet, engine_api, run):
    client = logged_in(make_user("op", Role.OPERATOR, unix_host))
    assert "Run a container" in client.get("/hosts/unix/containers/").content.decode()
    response = client.post("/hosts/unix/containers/new/", _form(run, fleet))
    assert response.status_code == 302
    assert len(_made(engine_api, run)) == 1
    assert AuditEntry.objects.get(action="container.run").username == "op"


def test_other_team_gets_404(logged_in, make_user, unix_host, tls_host, fleet, engine_api, run):
    client = logged_in(make_user("o", Role.ADMIN, tls_host))
    assert client.get("/hosts/unix/containers/new/").status_code == 404
    assert client.post("/hosts/unix/containers/new/", _form(run, fleet)).status_code == 404
    assert _made(engine_api, run) == []


def test_anonymous_is_sent_to_login(client, unix_host):
    response = client.get("/hosts/unix/containers/new/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_hostile_values_are_escaped(admin_client, unix_host, fleet, engine_api, run):
    hostile = "<script>alert(1)</script>"
    refused = admin_client.post("/hosts/unix/containers/new/", _form(run, fleet, name=hostile))
    assert hostile not in refused.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in refused.content.decode()

    data = _form(run, fleet, labels=f"note={hostile}")
    response = admin_client.post("/hosts/unix/containers/new/", data, follow=True)
    page = response.content.decode()
    assert response.redirect_chain and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert hostile not in page
    (c,) = _made(engine_api, run)
    assert c["Config"]["Labels"]["note"] == hostile


@pytest.fixture
def source(fleet, engine_api, run, tmp_path):
    """A container made straight on engine A with many settings, never started."""
    port = _free_ports(1)
    host_config = engine_api.create_host_config(
        network_mode="bridge",
        port_bindings={80: ("127.0.0.1", port)},
        binds=[f"data-{run.tag}:/data:ro", f"{tmp_path}:/etc/app"],
        restart_policy={"Name": "on-failure", "MaximumRetryCount": 2},
        mem_limit=64 * 1024 * 1024,
        nano_cpus=1_500_000_000,
    )
    created = engine_api.create_container(
        fleet.base_image,
        name=run.name("source"),
        entrypoint=["/bin/sh", "-c"],
        command=["trap 'exit 0' TERM; sleep 600 & wait"],
        environment=["A=1", "B=two words"],
        labels={"run-test": run.tag, "tier": "back"},
        ports=[80, (53, "udp")],
        volumes=["/cache"],
        working_dir="/data",
        user="1000",
        hostname="copyme",
        tty=True,
        stdin_open=True,
        detach=True,
        host_config=host_config,
    )
    return {"id": created["Id"], "port": port, "tmp": tmp_path}


def test_duplicate_prefills_from_an_existing_container(
    admin_client, unix_host, fleet, engine_api, run, source
):
    response = admin_client.get(f"/hosts/unix/containers/new/?from={run.name('source')}")
    assert response.status_code == 200
    assert run.name("source") in response.content.decode()
    initial = response.context["form"].initial
    assert initial == {
        "image": fleet.base_image,
        "name": "",
        "command": format_command(["trap 'exit 0' TERM; sleep 600 & wait"]),
        "entrypoint": "/bin/sh -c",
        "mode": "interactive",
        "ports": f"127.0.0.1:{source['port']}:80",
        "expose": "53/udp",
        "publish_all": False,
        "env": "A=1\nB=two words",
        "volumes": f"data-{run.tag}:/data:ro\n{source['tmp']}:/etc/app\n/cache",
        "working_dir": "/data",
        "user": "1000",
        "restart": "on-failure",
        "max_retries": 2,
        "network": "bridge",
        "labels": f"run-test={run.tag}\ntier=back",
        "hostname": "copyme",
        "cpus": "1.5",
        "memory": "64m",
        "auto_remove": False,
    }

    data = {k: v for k, v in initial.items() if v not in (False, None)}
    data["name"] = run.name("copy")
    response = admin_client.post("/hosts/unix/containers/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    original = engine_api.inspect_container(source["id"])
    copy = engine_api.inspect_container(run.name("copy"))
    for key in ("Image", "Cmd", "Entrypoint", "Env", "Labels", "WorkingDir", "User", "Hostname"):
        assert copy["Config"][key] == original["Config"][key], key
    for key in ("Tty", "OpenStdin", "ExposedPorts", "Volumes"):
        assert copy["Config"][key] == original["Config"][key], key
    for key in ("PortBindings", "RestartPolicy", "Memory", "NanoCpus", "NetworkMode"):
        assert copy["HostConfig"][key] == original["HostConfig"][key], key
    assert sorted(copy["HostConfig"]["Binds"]) == sorted(original["HostConfig"]["Binds"])
    assert copy["State"]["Running"]


def test_duplicate_keeps_auto_remove_and_leaves_out_what_is_inherited(
    admin_client, unix_host, fleet, engine_api, make_container, run
):
    name = run.name("rm")
    host_config = engine_api.create_host_config(network_mode="none", auto_remove=True)
    make_container(name, start=False, labels={"run-test": run.tag}, host_config=host_config)
    response = admin_client.get(f"/hosts/unix/containers/new/?from={name}")
    initial = response.context["form"].initial
    assert initial["auto_remove"] is True and initial["network"] == "none"
    assert initial["command"] == STOPPABLE_TEXT
    # The image's PATH, and the hostname the engine made from the id, are not the container's.
    assert initial["env"] == "" and initial["hostname"] == ""


def test_duplicate_of_an_unknown_container_is_404(admin_client, unix_host):
    assert admin_client.get("/hosts/unix/containers/new/?from=no-such-thing").status_code == 404


def test_an_unreachable_host_still_gives_the_form_with_the_reason(admin_client, db):
    Host.objects.create(name="gone", slug="gone", url="unix:///nonexistent/docker.sock")
    response = admin_client.get("/hosts/gone/containers/new/?from=web")
    assert response.status_code == 200
    assert response.context["error"].title == "Unreachable"
    assert "no such socket" in response.content.decode()
    assert "The container was not run" not in response.content.decode()


@pytest.fixture
def volume(engine_api, run):
    """A named volume made straight on engine A; the `run` fixture removes it."""
    name = run.name("vol")
    engine_api.create_volume(name=name, labels={"run-test": run.tag})
    yield name
    with contextlib.suppress(Exception):
        engine_api.remove_volume(name, force=True)


def test_the_form_offers_the_existing_volumes(admin_client, unix_host, volume):
    response = admin_client.get("/hosts/unix/containers/new/")
    assert response.status_code == 200
    assert volume in response.context["volume_names"]
    page = response.content.decode()
    # The picker, shown by its script, and the help text for those without it.
    assert 'id="volume-picker"' in page and f'<option value="{volume}">{volume}</option>' in page
    assert "js/run.js" in page
    assert volume in response.context["form"]["volumes"].help_text
    assert "<script>" not in page.split('id="run-form"')[1]


def test_a_run_mounts_an_existing_volume_by_name(
    admin_client, unix_host, fleet, engine_api, run, volume
):
    data = _form(run, fleet, name=run.name("user"), volumes=f"{volume}:/data")
    response = admin_client.post("/hosts/unix/containers/new/", data)
    assert response.status_code == 302, response.context["form"].errors

    c = engine_api.inspect_container(run.name("user"))
    (mount,) = c["Mounts"]
    assert mount["Type"] == "volume" and mount["Name"] == volume
    assert mount["Destination"] == "/data" and mount["RW"]
    # No second volume was made for it.
    assert [v["Name"] for v in engine_api.volumes(filters={"name": run.tag})["Volumes"]] == [volume]


def test_a_new_volume_name_is_created_by_the_engine(
    admin_client, unix_host, fleet, engine_api, run
):
    name = run.name("fresh")
    data = _form(run, fleet, name=run.name("user"), volumes=f"{name}:/data")
    response = admin_client.post("/hosts/unix/containers/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    (mount,) = engine_api.inspect_container(run.name("user"))["Mounts"]
    assert mount["Type"] == "volume" and mount["Name"] == name
    assert engine_api.inspect_volume(name)["Name"] == name


def test_the_form_renders_without_the_picker_when_volumes_cannot_be_listed(
    admin_client, unix_host, monkeypatch
):
    def down(host, filters=None):
        raise HostUnreachable("The engine does not answer.")

    monkeypatch.setattr("console.engine.volumes.list_volumes", down)
    response = admin_client.get("/hosts/unix/containers/new/")
    assert response.status_code == 200
    assert response.context["volume_names"] == []
    page = response.content.decode()
    assert 'id="volume-picker"' not in page and 'id="id_volumes"' in page
    assert "Volumes on this host" not in page
