"""Images made for one test on engine A (and, when asked, copied to the TLS engine), each
marked with a label unique to that test, and removed afterwards. Other runs' images on
the shared engines are never touched."""

from __future__ import annotations

import contextlib
import io
import uuid

import pytest

from console.access.models import Role
from tests.images.stub_registry import stub_registry  # noqa: F401  (a fixture)


class Images:
    """images.build(*run_steps, tag=None) -> the new image's id, on engine A, labelled
    `images.label`; images.unique(suffix) -> a repository name for this test."""

    def __init__(self, api, fleet):
        self.api = api
        self.fleet = fleet
        self.key = "ct.images"
        self.value = uuid.uuid4().hex[:8]
        self.label = f"{self.key}={self.value}"
        self.ids: list[str] = []
        self.copies: list[tuple[object, str]] = []  # (client, id) on other engines

    def unique(self, suffix: str) -> str:
        return f"ct-img-{self.value}/{suffix}"

    def build(self, *run: str, tag: str | None = None, labels: dict | None = None) -> str:
        """FROM the fleet's base image, one RUN per step; untagged (dangling) unless `tag`."""
        lines = [f"FROM {self.fleet.base_image}", f"LABEL {self.key}={self.value}"]
        for key, value in (labels or {}).items():
            lines.append(f"LABEL {key}={value}")
        lines += [f"RUN {step}" for step in run]
        image_id = None
        for event in self.api.build(
            fileobj=io.BytesIO("\n".join(lines).encode()),
            tag=tag,
            rm=True,
            forcerm=True,
            network_mode="none",
            decode=True,
        ):
            assert "error" not in event, event
            if "aux" in event and "ID" in event["aux"]:
                image_id = event["aux"]["ID"]
        assert image_id, "the build gave no image id"
        self.ids.append(image_id)
        return image_id

    def copy_to(self, other_api, ref: str) -> str:
        """`docker save REF | docker load` onto another engine: the same image id there."""
        data = b"".join(self.api.get_image(ref))
        other_api.load_image(data)
        image_id = self.api.inspect_image(ref)["Id"]
        self.copies.append((other_api, image_id))
        return image_id

    def on_engine(self, api=None, **filters) -> set[str]:
        """Ids of this test's images the engine holds (any further filters added)."""
        api = api or self.api
        found = api.images(all=True, filters={"label": self.label, **filters})
        return {i["Id"] for i in found}

    def cleanup(self) -> None:
        for api, image_id in [*self.copies, *((self.api, i) for i in reversed(self.ids))]:
            with contextlib.suppress(Exception):
                api.remove_image(image_id, force=True)


@pytest.fixture
def images(engine_api, fleet):
    made = Images(engine_api, fleet)
    yield made
    made.cleanup()


@pytest.fixture
def tls_api(fleet):
    from tests.engines import raw_client

    api = raw_client(fleet, "tls")
    yield api
    api.close()


def client_as(user):
    """A client of its own (pytest-django's `client` is one per test), logged in as `user`."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer(make_user, unix_host):
    return client_as(make_user("img-viewer", Role.VIEWER, unix_host))


@pytest.fixture
def operator(make_user, unix_host):
    return client_as(make_user("img-operator", Role.OPERATOR, unix_host))


@pytest.fixture
def outsider(make_user, tls_host):
    """An admin of another host only: host unix does not exist for them."""
    return client_as(make_user("img-outsider", Role.ADMIN, tls_host))


@pytest.fixture
def anonymous(db):
    """A client nobody logged in with (the other fixtures share pytest-django's `client`)."""
    from django.test import Client

    return Client()


def assert_asks_to_log_in(response) -> None:
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=")
