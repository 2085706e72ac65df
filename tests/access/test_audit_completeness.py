"""Every kind of change the console makes writes exactly one audit entry with its outcome,
and a change the engine refuses is recorded as failed with the engine's reason.

Each case drives the console's own HTTP view against the real engines and then reads the
entries written since it began. Not repeated here, because their own tests already assert
exactly one entry (`.get`) and its outcome: terminal and attach sessions
(tests/containers/test_terminal.py), the pull and push websockets (tests/images/test_pull.py,
tests/images/test_push.py); the no-JavaScript pull and push views are covered below.
"""

from __future__ import annotations

import contextlib
import io
import json
import tarfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile

from console.access.models import AuditEntry, HostRole, Role, Team
from console.hosts.models import Host
from console.images.models import Registry

# Values that must never reach an entry's params.
SECRETS = ("hunter2-Audit", "Registry-Pw-Audit", "build-arg-Secret-Audit")


def _tar(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _drain(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@dataclass
class Ctx:
    """What a case needs, and what it leaves to clean up."""

    client: object
    api: object
    fleet: object
    host: Host
    make_container: Callable
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    images: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)

    def name(self, what: str) -> str:
        return f"aud-{self.tag}-{what}"

    @property
    def label(self) -> str:
        return f"console-audit-test={self.tag}"

    def container(self, what: str, **kwargs) -> str:
        self.make_container(self.name(what), **kwargs)
        return self.name(what)

    def own_image(self, what: str) -> str:
        """An image of this test's own (committed from a container): its id."""
        cid = self.make_container(self.name(f"src-{what}"), ["true"], start=False)
        repository = f"console-test/aud-{self.tag}-{what}"
        image_id = self.api.commit(cid, repository=repository, tag="v1")["Id"]
        self.api.remove_container(cid)
        self.images.append(image_id)
        return image_id

    def volume(self, what: str) -> str:
        name = self.name(what)
        self.api.create_volume(name, labels={"console-audit-test": self.tag})
        self.volumes.append(name)
        return name

    def network(self, what: str) -> str:
        name = self.name(what)
        self.api.create_network(name, internal=True, labels={"console-audit-test": self.tag})
        self.networks.append(name)
        return name

    def cleanup(self) -> None:
        for c in self.api.containers(all=True, filters={"name": f"aud-{self.tag}-"}):
            with contextlib.suppress(Exception):
                self.api.remove_container(c["Id"], force=True, v=True)
        for c in self.api.containers(all=True, filters={"label": self.label}):
            with contextlib.suppress(Exception):
                self.api.remove_container(c["Id"], force=True, v=True)
        for image in self.api.images(name=f"console-test/aud-{self.tag}*"):
            with contextlib.suppress(Exception):
                self.api.remove_image(image["Id"], force=True)
        for image in [*self.images, *self.api.images(filters={"label": self.label}, quiet=True)]:
            with contextlib.suppress(Exception):
                self.api.remove_image(image, force=True)
        for name in [*self.volumes, self.name("new-vol")]:
            with contextlib.suppress(Exception):
                self.api.remove_volume(name, force=True)
        for n in self.api.networks(names=[f"aud-{self.tag}-"]):
            with contextlib.suppress(Exception):
                self.api.remove_network(n["Id"])


@pytest.fixture
def ctx(admin_client, engine_api, fleet, unix_host, make_container):
    made = Ctx(admin_client, engine_api, fleet, unix_host, make_container)
    yield made
    made.cleanup()


C = "/hosts/unix/containers"
I = "/hosts/unix/images"  # noqa: E741


# ------------------------------------------------------------------ the cases
# Each performs one change through the console and returns (action, target) of the one
# entry it must write, or a list of them when one form makes several changes.


def container_action(action: str, start: bool = True, data: dict | None = None):
    def case(ctx: Ctx):
        ref = ctx.container(action, start=start)
        if action == "unpause":
            ctx.api.pause(ref)
        response = ctx.client.post(f"{C}/{ref}/{action}/", data or {})
        assert response.status_code == 302
        return f"container.{action}", ref

    case.__name__ = f"container_{action}"
    return case


def container_rename(ctx: Ctx):
    ref = ctx.container("ren")
    response = ctx.client.post(f"{C}/{ref}/rename/", {"name": ctx.name("ren2")})
    assert response.status_code == 302
    assert ctx.api.inspect_container(ctx.name("ren2"))["Name"] == "/" + ctx.name("ren2")
    return "container.rename", ref


def container_run(ctx: Ctx):
    data = {
        "image": ctx.fleet.base_image,
        "name": ctx.name("run"),
        "mode": "detach",
        "command": "sleep 600",
        "network": "none",
        "restart": "no",
        "labels": ctx.label,
        "env": f"DB_PASSWORD={SECRETS[0]}",
    }
    response = ctx.client.post(f"{C}/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert ctx.api.inspect_container(ctx.name("run"))["State"]["Running"]
    return "container.run", ctx.name("run")


def bulk_stop(ctx: Ctx):
    refs = [ctx.container("bulk-a"), ctx.container("bulk-b")]
    response = ctx.client.post(f"{C}/bulk/", {"action": "stop", "ids": refs})
    assert response.status_code == 302
    assert all(not ctx.api.inspect_container(r)["State"]["Running"] for r in refs)
    return [("container.stop", r) for r in refs]


def cp_upload(ctx: Ctx):
    ref = ctx.container("cp")
    files = [SimpleUploadedFile("a.txt", b"hello")]
    response = ctx.client.post(f"{C}/{ref}/files/upload/", {"path": "/tmp", "files": files})
    assert response.status_code in (200, 302)
    assert b"hello" in ctx.api.exec_start(ctx.api.exec_create(ref, ["cat", "/tmp/a.txt"]))
    return "container.cp_upload", ref


def container_export(ctx: Ctx):
    ref = ctx.container("exp", start=False)
    response = ctx.client.get(f"{C}/{ref}/export/")
    assert response.status_code == 200
    assert tarfile.open(fileobj=io.BytesIO(_drain(response))).getmember("bin/busybox")
    return "container.export", ref


def image_remove(ctx: Ctx):
    image = ctx.own_image("rmi")
    response = ctx.client.post(f"{I}/{image}/remove/")
    assert response.status_code == 200
    assert not ctx.api.images(filters={"reference": f"console-test/aud-{ctx.tag}-rmi"})
    return "image.remove", image


def image_tag(ctx: Ctx):
    image = ctx.own_image("tag")
    reference = f"console-test/aud-{ctx.tag}-tagged:t1"
    response = ctx.client.post(f"{I}/{image}/tag/", {"reference": reference})
    assert response.status_code == 302
    assert reference in ctx.api.inspect_image(image)["RepoTags"]
    return "image.tag", image


def image_prune(ctx: Ctx):
    response = ctx.client.post(f"{I}/prune/", {"label": ctx.label})
    assert response.status_code == 200 and response.context["pruned"]
    return "image.prune", ""


def image_save(ctx: Ctx):
    image = ctx.own_image("save")
    response = ctx.client.get(f"{I}/{image}/save/")
    assert response.status_code == 200 and tarfile.open(fileobj=io.BytesIO(_drain(response)))
    return "image.save", response["Content-Disposition"].split('"')[1]


def image_load(ctx: Ctx):
    image = ctx.own_image("load")
    archive = b"".join(ctx.api.get_image(f"console-test/aud-{ctx.tag}-load:v1"))
    ctx.api.remove_image(image)
    upload = SimpleUploadedFile("img.tar", archive)
    response = ctx.client.post(f"{I}/load/", {"archive": upload})
    assert response.status_code == 200, response.content[:2000]
    assert ctx.api.inspect_image(image)["Id"] == image
    return "image.load", f"console-test/aud-{ctx.tag}-load:v1"


def image_import(ctx: Ctx):
    reference = f"console-test/aud-{ctx.tag}-imp:1"
    upload = SimpleUploadedFile("fs.tar", _tar({"hello.txt": b"hi"}))
    response = ctx.client.post(f"{I}/import/", {"archive": upload, "reference": reference})
    assert response.status_code == 200, response.content[:2000]
    assert ctx.api.inspect_image(reference)
    return "image.import", reference


def image_pull(ctx: Ctx, ref: str):
    response = ctx.client.post(f"{I}/pull/", {"ref": ref})
    assert response.status_code == 200 and not response.context["result"]["error"]
    assert ctx.api.inspect_image(ref)
    return "image.pull", ref


def image_push(ctx: Ctx):
    image = ctx.own_image("push")
    repository = f"{ctx.fleet.registry}/console-test/aud-{ctx.tag}-push"
    data = {"registry": "", "repository": repository, "tag": "v1"}
    response = ctx.client.post(f"{I}/{image}/push/", data)
    assert response.status_code == 200 and not response.context["result"]["error"]
    # The page tags the image with the name first (a change of its own), then pushes.
    return [("image.tag", image), ("image.push", f"{repository}:v1")]


def volume_create(ctx: Ctx):
    name = ctx.name("new-vol")
    response = ctx.client.post("/hosts/unix/volumes/new/", {"name": name, "driver": "local"})
    assert response.status_code == 302
    assert ctx.api.inspect_volume(name)
    return "volume.create", name


def volume_remove(ctx: Ctx):
    name = ctx.volume("rm")
    assert ctx.client.post(f"/hosts/unix/volumes/{name}/remove/").status_code == 302
    assert name not in {v["Name"] for v in ctx.api.volumes()["Volumes"] or []}
    return "volume.remove", name


def volume_prune(ctx: Ctx):
    name = ctx.volume("prune")
    data = {"label": ctx.label, "include_named": "on"}
    response = ctx.client.post("/hosts/unix/volumes/prune/", data)
    assert response.status_code == 200
    assert name not in {v["Name"] for v in ctx.api.volumes()["Volumes"] or []}
    return "volume.prune", ""


def network_create(ctx: Ctx):
    name = ctx.name("net-new")
    data = {"name": name, "driver": "bridge", "internal": "on"}
    assert ctx.client.post("/hosts/unix/networks/new/", data).status_code == 302
    assert ctx.api.inspect_network(name)
    return "network.create", name


def network_remove(ctx: Ctx):
    name = ctx.network("rm")
    assert ctx.client.post(f"/hosts/unix/networks/{name}/remove/").status_code == 302
    assert not ctx.api.networks(names=[name])
    return "network.remove", name


def network_prune(ctx: Ctx):
    name = ctx.network("prune")
    response = ctx.client.post("/hosts/unix/networks/prune/", {"label": ctx.label})
    assert response.status_code == 200
    assert not ctx.api.networks(names=[name])
    return "network.prune", ""


def network_connect(ctx: Ctx):
    name = ctx.network("conn")
    home = ctx.network("conn-home")
    ref = ctx.container("conn", host_config=ctx.api.create_host_config(network_mode=home))
    data = {"network": name, "container": ref}
    assert ctx.client.post("/hosts/unix/networks/connect/", data).status_code == 302
    assert name in ctx.api.inspect_container(ref)["NetworkSettings"]["Networks"]
    return "network.connect", f"{ref} on {name}"


def network_disconnect(ctx: Ctx):
    name = ctx.network("disc")
    ref = ctx.container("disc", host_config=ctx.api.create_host_config(network_mode=name))
    data = {"network": name, "container": ref}
    assert ctx.client.post("/hosts/unix/networks/disconnect/", data).status_code == 302
    assert name not in ctx.api.inspect_container(ref)["NetworkSettings"]["Networks"]
    return "network.disconnect", f"{ref} on {name}"


CASES = [
    container_action("start", start=False),
    container_action("stop", data={"timeout": "1"}),
    container_action("restart", data={"timeout": "1"}),
    container_action("kill"),
    container_action("pause"),
    container_action("unpause"),
    container_action("remove", data={"force": "on"}),
    container_rename,
    container_run,
    bulk_stop,
    cp_upload,
    container_export,
    image_remove,
    image_tag,
    image_prune,
    image_save,
    image_load,
    image_import,
    image_push,
    volume_create,
    volume_remove,
    volume_prune,
    network_create,
    network_remove,
    network_prune,
    network_connect,
    network_disconnect,
]


def _since(mark: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(pk__gt=mark).order_by("pk"))


def _mark() -> int:
    last = AuditEntry.objects.order_by("-pk").first()
    return last.pk if last else 0


def _no_secrets() -> None:
    for entry in AuditEntry.objects.all():
        text = json.dumps(entry.params) + entry.target + entry.error
        assert not any(secret in text for secret in SECRETS), (entry.action, text)


def _assert_one_ok_each(entries: list[AuditEntry], expected, host: Host | None) -> None:
    expected = expected if isinstance(expected, list) else [expected]
    got = [(e.action, e.target) for e in entries]
    assert got == expected, got
    for entry in entries:
        assert entry.ok and not entry.error, (entry.action, entry.error)
        assert entry.username == "admin"
        if host is not None:
            assert entry.host == host and entry.host_name == host.name


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_each_engine_change_writes_one_ok_entry(ctx, case):
    mark = _mark()
    expected = case(ctx)
    _assert_one_ok_each(_since(mark), expected, ctx.host)
    _no_secrets()


def test_a_pull_writes_one_ok_entry(ctx, registry_image):
    mark = _mark()
    expected = image_pull(ctx, registry_image)
    _assert_one_ok_each(_since(mark), expected, ctx.host)


@pytest.mark.django_db(transaction=True)
def test_a_build_writes_one_ok_entry_without_build_arg_values(ctx):
    from tests.images.test_build import wait_for

    tag = f"console-test/aud-{ctx.tag}-built:1"
    dockerfile = f"FROM {ctx.fleet.base_image}\nARG TOKEN\nLABEL {ctx.label}\n".encode()
    data = {
        "dockerfile": SimpleUploadedFile("Dockerfile", dockerfile),
        "tags": tag,
        "build_args": f"TOKEN={SECRETS[2]}",
        "network": "none",
    }
    mark = _mark()
    job = wait_for(ctx.client.post(f"{I}/build/", data))
    assert not job.error, job.error
    assert ctx.api.inspect_image(tag)
    (entry,) = _since(mark)
    assert (entry.action, entry.ok, entry.host) == ("image.build", True, ctx.host)
    assert entry.params["build_args"] == ["TOKEN"]
    _no_secrets()


# ------------------------------------------------------------------ console-only changes


def test_host_add_edit_remove_write_one_entry_each(admin_client, fleet, db):
    mark = _mark()
    admin_client.post("/hosts/new/", {"name": "Aud box", "url": fleet.unix_url})
    host = Host.objects.get(slug="aud-box")
    data = {"name": "Aud box 2", "slug": "aud-box", "url": fleet.unix_url}
    assert admin_client.post("/hosts/aud-box/edit/", data).status_code == 302
    assert admin_client.post("/hosts/aud-box/delete/").status_code == 302
    entries = _since(mark)
    assert [(e.action, e.target, e.ok) for e in entries] == [
        ("host.add", "aud-box", True),
        ("host.edit", "aud-box", True),
        ("host.remove", "aud-box", True),
    ]
    assert entries[1].params["changed"] == ["name"]
    # The entries outlive the host, by name.
    assert not Host.objects.filter(pk=host.pk).exists()
    assert [e.host_name for e in _since(mark)] == ["Aud box", "Aud box 2", "Aud box 2"]


def test_team_and_user_changes_write_one_entry_each(admin_client, unix_host, make_user):
    mark = _mark()
    dave = make_user("dave")
    steps = [
        ("/teams/new/", {"name": "audteam"}, "team.create"),
    ]
    for url, data, _ in steps:
        assert admin_client.post(url, data).status_code == 302
    team = Team.objects.get(name="audteam")
    t = f"/teams/{team.pk}"
    admin_client.post(f"{t}/rename/", {"name": "audteam2"})
    admin_client.post(f"{t}/members/add/", {"user": "dave"})
    admin_client.post(f"{t}/members/remove/", {"user": dave.pk})
    admin_client.post(f"{t}/members/new/", {"username": "erin"})
    admin_client.post(f"{t}/roles/grant/", {"host": unix_host.slug, "role": Role.VIEWER})
    grant = HostRole.objects.get(team=team)
    admin_client.post(f"{t}/roles/revoke/", {"grant": grant.pk})
    admin_client.post(f"/teams/users/{dave.pk}/deactivate/")
    admin_client.post(f"/teams/users/{dave.pk}/reactivate/")
    admin_client.post(f"/teams/users/{dave.pk}/password/")
    admin_client.post(f"{t}/delete/")
    actions = [e.action for e in _since(mark)]
    assert actions == [
        "team.create",
        "team.rename",
        "team.add_member",
        "team.remove_member",
        "user.create",
        "team.grant",
        "team.revoke",
        "user.deactivate",
        "user.activate",
        "user.password_reset",
        "team.delete",
    ], actions
    assert all(e.ok for e in _since(mark))


def test_registry_changes_write_one_entry_each_never_the_password(admin_client, db):
    mark = _mark()
    data = {"name": "aud-reg", "url": "http://127.0.0.1:5999", "username": "robot"}
    admin_client.post("/registries/new/", data | {"new_password": SECRETS[1]})
    registry = Registry.objects.get(name="aud-reg")
    admin_client.post(f"/registries/{registry.pk}/edit/", data | {"new_password": SECRETS[1]})
    admin_client.post(f"/registries/{registry.pk}/delete/")
    entries = _since(mark)
    got = [(e.action, e.target, e.ok) for e in entries]
    assert got == [
        ("registry.add", "aud-reg", True),
        ("registry.edit", "aud-reg", True),
        ("registry.remove", "aud-reg", True),
    ]
    _no_secrets()


# ------------------------------------------------------------------ refusals


def remove_running_container(ctx: Ctx):
    ref = ctx.container("running")
    ctx.client.post(f"{C}/{ref}/remove/")
    assert ctx.api.inspect_container(ref)["State"]["Running"]
    return "container.remove", ref, "running container"


def rmi_image_in_use(ctx: Ctx):
    image = ctx.own_image("used")
    ctx.api.create_container(image, ["true"], name=ctx.name("user2"))
    ctx.client.post(f"{I}/{image}/remove/")
    assert ctx.api.inspect_image(image)
    return "image.remove", image, "is being used"


def remove_volume_in_use(ctx: Ctx):
    name = ctx.volume("used")
    binds = ctx.api.create_host_config(binds=[f"{name}:/data"], network_mode="none")
    ctx.make_container(ctx.name("vol-user"), host_config=binds)
    ctx.client.post(f"/hosts/unix/volumes/{name}/remove/")
    assert ctx.api.inspect_volume(name)
    return "volume.remove", name, "volume is in use"


def remove_network_in_use(ctx: Ctx):
    name = ctx.network("used")
    host_config = ctx.api.create_host_config(network_mode=name)
    ctx.make_container(ctx.name("net-user"), host_config=host_config)
    ctx.client.post(f"/hosts/unix/networks/{name}/remove/")
    assert ctx.api.networks(names=[name])
    return "network.remove", name, "active endpoints"


def connect_to_a_missing_network(ctx: Ctx):
    home = ctx.network("noconn-home")
    ref = ctx.container("noconn", host_config=ctx.api.create_host_config(network_mode=home))
    data = {"network": ctx.name("no-such-net"), "container": ref}
    ctx.client.post("/hosts/unix/networks/connect/", data)
    return "network.connect", f"{ref} on {ctx.name('no-such-net')}", "not found"


def run_with_a_missing_image(ctx: Ctx):
    data = {
        "image": f"{ctx.fleet.registry}/console-test/aud-{ctx.tag}-missing:1",
        "pull": "1",
        "name": ctx.name("norun"),
        "mode": "detach",
        "command": "true",
        "network": "none",
        "restart": "no",
        "labels": ctx.label,
        "env": f"DB_PASSWORD={SECRETS[0]}",
    }
    ctx.client.post(f"{C}/new/", data)
    return "container.run", ctx.name("norun"), "not found"


def import_a_bad_archive(ctx: Ctx):
    upload = SimpleUploadedFile("fs.tar", b"this is not a tar" * 100)
    reference = f"console-test/aud-{ctx.tag}-bad:1"
    ctx.client.post(f"{I}/import/", {"archive": upload, "reference": reference})
    return "image.import", reference, ""


def load_a_bad_archive(ctx: Ctx):
    upload = SimpleUploadedFile("img.tar", b"this is not a tar" * 100)
    ctx.client.post(f"{I}/load/", {"archive": upload})
    return "image.load", "", ""


def push_without_a_registry(ctx: Ctx):
    image = ctx.own_image("nopush")
    repository = f"127.0.0.1:1/console-test/aud-{ctx.tag}-nopush"
    ctx.api.tag(image, repository, "v1")  # so the page pushes without tagging first
    data = {"registry": "", "repository": repository, "tag": "v1"}
    ctx.client.post(f"{I}/{image}/push/", data)
    return "image.push", f"{repository}:v1", "connection refused"


def pull_a_missing_image(ctx: Ctx):
    ref = f"{ctx.fleet.registry}/console-test/aud-{ctx.tag}-none:1"
    ctx.client.post(f"{I}/pull/", {"ref": ref})
    return "image.pull", ref, ""


def upload_into_a_missing_directory(ctx: Ctx):
    ref = ctx.container("cp-missing")
    files = [SimpleUploadedFile("a.txt", b"hello")]
    ctx.client.post(f"{C}/{ref}/files/upload/", {"path": "/no/such/dir", "files": files})
    return "container.cp_upload", ref, ""


def rename_to_a_taken_name(ctx: Ctx):
    ref = ctx.container("ren-from")
    taken = ctx.container("ren-taken")
    ctx.client.post(f"{C}/{ref}/rename/", {"name": taken})
    assert ctx.api.inspect_container(ref)["Name"] == "/" + ref
    return "container.rename", ref, "already in use"


def remove_a_missing_network(ctx: Ctx):
    name = ctx.name("no-such-net")
    assert ctx.client.post(f"/hosts/unix/networks/{name}/remove/").status_code == 404
    return "network.remove", name, "not found"


def unpause_a_running_container(ctx: Ctx):
    ref = ctx.container("not-paused")
    ctx.client.post(f"{C}/{ref}/unpause/")
    return "container.unpause", ref, "not paused"


REFUSALS = [
    remove_running_container,
    unpause_a_running_container,
    rename_to_a_taken_name,
    rmi_image_in_use,
    remove_volume_in_use,
    remove_network_in_use,
    remove_a_missing_network,
    connect_to_a_missing_network,
    run_with_a_missing_image,
    import_a_bad_archive,
    load_a_bad_archive,
    push_without_a_registry,
    pull_a_missing_image,
    upload_into_a_missing_directory,
]


@pytest.mark.parametrize("case", REFUSALS, ids=lambda c: c.__name__)
def test_each_refusal_writes_one_failed_entry_with_the_engines_reason(ctx, case):
    mark = _mark()
    action, target, reason = case(ctx)
    entries = _since(mark)
    assert [(e.action, e.target) for e in entries] == [(action, target)]
    (entry,) = entries
    assert not entry.ok and entry.error, entry.error
    assert reason.lower() in entry.error.lower(), entry.error
    assert entry.host == ctx.host
    _no_secrets()


def test_an_upload_over_the_limit_writes_one_failed_entry(ctx, settings):
    """Refused by the console before the engine is asked: still one failed upload."""
    settings.CONSOLE_UPLOAD_LIMIT = 4
    ref = ctx.container("cp-big")
    mark = _mark()
    files = [SimpleUploadedFile("a.txt", b"hello")]
    ctx.client.post(f"{C}/{ref}/files/upload/", {"path": "/tmp", "files": files})
    entries = _since(mark)
    assert [(e.action, e.target, e.ok) for e in entries] == [("container.cp_upload", ref, False)]
    assert "CONSOLE_UPLOAD_LIMIT" in entries[0].error


# A host that is down: each kind of resource, one failed entry saying so.
DOWN = [
    ("container.start", f"{C.replace('unix', 'gone')}/web/start/", {}, "web"),
    ("container.run", "/hosts/gone/containers/new/", None, "IMAGE"),
    ("image.remove", "/hosts/gone/images/abc/remove/", {}, None),
    ("volume.create", "/hosts/gone/volumes/new/", {"name": "v1", "driver": "local"}, "v1"),
    ("volume.remove", "/hosts/gone/volumes/v1/remove/", {}, "v1"),
    ("network.create", "/hosts/gone/networks/new/", {"name": "n1", "driver": "bridge"}, "n1"),
    ("network.remove", "/hosts/gone/networks/n1/remove/", {}, "n1"),
    ("image.prune", "/hosts/gone/images/prune/", {"label": "x=y"}, ""),
    ("volume.prune", "/hosts/gone/volumes/prune/", {"label": "x=y"}, ""),
    ("network.prune", "/hosts/gone/networks/prune/", {"label": "x=y"}, ""),
]


@pytest.mark.parametrize("action,url,data,target", DOWN, ids=[d[0] for d in DOWN])
def test_a_host_that_is_down_writes_one_failed_entry(
    admin_client, gone_host, fleet, action, url, data, target
):
    if data is None:
        data = {
            "image": fleet.base_image,
            "mode": "detach",
            "command": "true",
            "network": "none",
            "restart": "no",
        }
    target = fleet.base_image if target == "IMAGE" else target
    mark = _mark()
    response = admin_client.post(url, data)
    assert response.status_code in (200, 302, 502), response.status_code
    entries = _since(mark)
    if target is None:
        # Nothing was asked of the engine beyond looking the object up: no change, no entry.
        assert entries == []
        return
    assert [(e.action, e.target, e.ok) for e in entries] == [(action, target, False)]
    assert entries[0].host == gone_host and entries[0].error


# ------------------------------------------------------------------ sessions
# A terminal or attach session the engine refuses to open is a failed engine call: one
# failed entry (the sessions that open are covered in tests/containers/test_terminal.py).


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize(
    "kind,action,make,reason",
    [
        ("terminal", "container.exec", True, "not running"),  # exec in a stopped container
        ("attach", "container.attach", False, ""),  # a container that is not there
    ],
)
async def test_a_session_the_engine_refuses_writes_one_failed_entry(
    ws,
    admin_user,
    unix_host,
    make_container,
    kind,
    action,
    make,
    reason,
):
    name = f"aud-{uuid.uuid4().hex[:8]}-stopped"
    if make:
        await database_sync_to_async(make_container)(name, start=False)
    socket = await ws(f"/ws/hosts/unix/containers/{name}/{kind}/?cmd=sh", admin_user)
    await socket.until_closed()
    assert socket.close_code != 1000
    entries = await database_sync_to_async(list)(AuditEntry.objects.all())
    assert [(e.action, e.target, e.ok) for e in entries] == [(action, name, False)]
    assert entries[0].error and reason in entries[0].error
