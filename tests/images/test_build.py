"""`docker build` from an uploaded Dockerfile or context, its log over the websocket job,
and bad uploads refused before anything is made."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import tarfile
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile

from console.access.models import AuditEntry, Role
from console.engine import build
from console.images import build_job
from console.streams import jobs
from tests.images.accounts import client_as
from tests.images.conftest import assert_asks_to_log_in

pytestmark = pytest.mark.django_db(transaction=True)


def context_tar(files: dict[str, bytes], mode: str = "w:gz") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def builder(make_user, unix_host):
    return make_user("builder", Role.ADMIN, unix_host)


@pytest.fixture
def admin(builder):
    return client_as(builder)


@pytest.fixture
def tags(engine_api):
    """A unique repository for this test; every tag made in it is removed afterwards."""
    repository = f"console-test/built-{uuid.uuid4().hex[:8]}"
    yield repository
    for image in engine_api.images(name=repository):
        with contextlib.suppress(Exception):
            engine_api.remove_image(image["Id"], force=True)


def wait_for(response) -> build_job.BuildJob:
    """The build the form's redirect leads to, once it has ended."""
    assert response.status_code == 302, response.content[:2000]
    job_id = response.url.rstrip("/").rsplit("/", 1)[1]
    job = next(j for j in list(jobs._by_id.values()) if j.id == job_id)
    assert job.finished.wait(120), "the build did not end"
    return job


def test_build_from_a_context_makes_a_multi_layer_image(admin, tags, engine_api, fleet):
    dockerfile = (
        f"FROM {fleet.base_image}\nARG GREETING\nCOPY hello.txt /hello.txt\n"
        'RUN echo "$GREETING" > /greeting\nRUN mkdir /data && cp /hello.txt /data/\n'
    )
    context = context_tar(
        {"docker/app.Dockerfile": dockerfile.encode(), "hello.txt": b"hello from the context\n"}
    )
    response = admin.post(
        "/hosts/unix/images/build/",
        {
            "context": SimpleUploadedFile("ctx.tar.gz", context),
            "dockerfile_path": "docker/app.Dockerfile",
            "tags": f"{tags}:v1 {tags}:v2",
            "build_args": "GREETING=secret-value",
            "network": "none",
        },
    )
    job = wait_for(response)
    assert job.error == "", job.log()
    page = admin.get(response.url)
    text = page.content.decode()
    assert "Step 3/5 : COPY hello.txt /hello.txt" in text
    image = engine_api.inspect_image(f"{tags}:v1")
    assert image["Id"] == job.image_id == engine_api.inspect_image(f"{tags}:v2")["Id"]
    assert f'href="/hosts/unix/images/{image["Id"]}/"' in text
    assert f"Built {image['Id'][7:19]}, tagged {tags}:v1, {tags}:v2." in text
    history = engine_api.history(image["Id"])
    base = engine_api.history(fleet.base_image)
    own = history[: len(history) - len(base)]
    created_by = " ".join(layer["CreatedBy"] for layer in own)
    assert len(own) >= 4 and "COPY" in created_by and "mkdir /data" in created_by
    assert sum(1 for layer in own if layer["Size"] > 0) >= 3  # COPY and both RUNs wrote files
    entry = AuditEntry.objects.get(action="image.build")
    assert entry.ok and entry.params["build_args"] == ["GREETING"]
    assert "secret-value" not in str(entry.params)
    assert entry.params["image_id"] == image["Id"]


@pytest.mark.asyncio
async def test_the_log_streams_over_the_websocket(ws, builder, admin, tags, fleet, engine_api):
    dockerfile = f"FROM {fleet.base_image}\nRUN printf '\\033[31mred\\033[0m\\n'; sleep 1\n"
    response = await sync_to_async(admin.post)(
        "/hosts/unix/images/build/",
        {
            "dockerfile": SimpleUploadedFile("Dockerfile", dockerfile.encode()),
            "tags": f"{tags}:live",
            "network": "none",
        },
    )
    job_id = response.url.rstrip("/").rsplit("/", 1)[1]
    socket = await ws(f"/ws/hosts/unix/images/build/?job={job_id}", builder)
    frames = await socket.until_closed(timeout=60)
    lines = [line for f in frames if f["t"] == "lines" for line in f["lines"]]
    assert any(line.startswith("Step 2/2 : RUN") for line in lines), lines
    assert "\x1b[31mred\x1b[0m" in lines  # colours reach the page; ansi.js renders them
    end = frames[-2]
    assert end["end"] and end["url"] == f"/hosts/unix/images/{end['image_id']}/"
    assert socket.close_code == 1000
    image = await asyncio.to_thread(engine_api.inspect_image, f"{tags}:live")
    assert image["Id"] == end["image_id"]


def test_a_dockerfile_failing_at_step_2_says_why_and_tags_nothing(admin, tags, engine_api, fleet):
    marker = uuid.uuid4().hex
    dockerfile = f"FROM {fleet.base_image}\nRUN echo {marker} && exit 3\n"
    response = admin.post(
        "/hosts/unix/images/build/",
        {
            "dockerfile": SimpleUploadedFile("Dockerfile", dockerfile.encode()),
            "tags": f"{tags}:broken",
            "network": "none",
        },
    )
    job = wait_for(response)
    assert "returned a non-zero code: 3" in job.error
    text = admin.get(response.url).content.decode()
    assert "Build failed:" in text and "returned a non-zero code: 3" in text
    assert "Step 2/2 : RUN echo" in text
    with pytest.raises(Exception, match="No such image"):
        engine_api.inspect_image(f"{tags}:broken")
    leftovers = [c for c in engine_api.containers(all=True) if marker in c["Command"]]
    assert leftovers == []  # the failed step's container was removed (forcerm)
    entry = AuditEntry.objects.get(action="image.build")
    assert not entry.ok and "non-zero code: 3" in entry.error


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"this is a Dockerfile, not an archive\n" * 40, "is not a tar archive"),
        (context_tar({"Dockerfile": b"FROM x\n", "big": os.urandom(200_000)})[:5000], "truncated"),
        (
            context_tar({"Dockerfile": b"FROM x\n", "big": os.urandom(200_000)}, "w")[:3000],
            "truncated",
        ),
        (context_tar({"app.Dockerfile": b"FROM x\n"}), "has no Dockerfile"),
    ],
)
def test_bad_contexts_are_refused_before_the_engine(
    admin, tags, engine_api, settings, tmp_path, upload, message
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    before = len(jobs._by_id)
    response = admin.post(
        "/hosts/unix/images/build/",
        {"context": SimpleUploadedFile("ctx.tar.gz", upload), "tags": f"{tags}:bad"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert len(jobs._by_id) == before  # no build started
    assert list(tmp_path.iterdir()) == []  # the spooled copy is gone
    assert engine_api.images(name=tags) == []
    assert not AuditEntry.objects.get(action="image.build").ok


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Upload a Dockerfile or a context archive"),
        ({"tags": "Not/Valid:tag"}, "must be lowercase"),
        ({"build_args": "1X=2"}, "is not KEY=VALUE"),
        ({"dockerfile_path": "../Dockerfile"}, "A path inside the context"),
    ],
)
def test_the_form_says_what_is_wrong(admin, data, message):
    if data.get("tags") or data.get("build_args") or data.get("dockerfile_path"):
        data = {**data, "dockerfile": SimpleUploadedFile("Dockerfile", b"FROM scratch\n")}
    response = admin.post("/hosts/unix/images/build/", data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_unknown_build_is_a_404(admin):
    assert admin.get("/hosts/unix/images/build/nosuchjob/").status_code == 404


@pytest.mark.asyncio
async def test_an_unknown_build_on_a_live_host_closes_as_gone(ws, make_user, unix_host):
    user = await database_sync_to_async(make_user)("a", Role.ADMIN, unix_host)
    socket = await ws("/ws/hosts/unix/images/build/?job=nope", user)
    await socket.until_closed()
    assert socket.close_code == 4410


def test_a_build_of_another_host_is_not_found(tls_host, unix_host, monkeypatch):
    job = build_job.BuildJob(tls_host, None, "/nonexistent", build.BuildOptions(), {})
    monkeypatch.setitem(jobs._by_id, job.id, job)
    assert jobs.find(job.id, tls_host, build_job.BuildJob) is job
    assert jobs.find(job.id, unix_host, build_job.BuildJob) is None


@pytest.mark.parametrize("path", ["/hosts/unix/images/build/", "/hosts/unix/images/build/x/"])
def test_only_admins_build(path, anonymous, make_user, unix_host, tls_host):
    assert_asks_to_log_in(anonymous.get(path))
    assert client_as(make_user("other", Role.ADMIN, tls_host)).get(path).status_code == 404
    for role in (Role.VIEWER, Role.OPERATOR):
        low = client_as(make_user(f"low{role}", role, unix_host))
        assert low.get(path).status_code == 403
        assert low.post(path).status_code in (403, 405)


@pytest.mark.asyncio
async def test_operators_cannot_follow_a_build(ws, make_user, unix_host):
    user = await database_sync_to_async(make_user)("o", Role.OPERATOR, unix_host)
    socket = await ws("/ws/hosts/unix/images/build/?job=x", user)
    await socket.until_closed()
    assert socket.close_code == 4403
