"""`docker rmi` from the console: refused while a container uses the image, by id or one
tag, with -f and --no-prune."""

from __future__ import annotations

import html as html_module

import docker.errors
import pytest

from console.access.models import AuditEntry
from tests.images.conftest import assert_asks_to_log_in


def _gone(api, ref: str) -> bool:
    try:
        api.inspect_image(ref)
    except docker.errors.ImageNotFound:
        return True
    return False


def test_anonymous_other_team_and_viewer_change_nothing(
    anonymous, outsider, viewer, unix_host, images
):
    image_id = images.build(tag=f"{images.unique('keep')}:1")
    url = f"/hosts/unix/images/{image_id}/remove/"
    assert_asks_to_log_in(anonymous.post(url, {"force": "on"}))
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"force": "on"}).status_code == 404
    assert viewer.get(url).status_code == 403
    assert viewer.post(url, {"force": "on"}).status_code == 403
    assert not _gone(images.api, image_id)
    assert not AuditEntry.objects.exists()


def test_an_image_in_use_is_refused_with_the_engines_words(operator, unix_host, images, engine_api):
    image_id = images.build(tag=f"{images.unique('inuse')}:1")
    none = engine_api.create_host_config(network_mode="none")
    user = engine_api.create_container(
        image_id, ["sleep", "60"], name=f"ct-img-{images.value}-runs", host_config=none
    )["Id"]
    engine_api.start(user)
    try:
        confirm = operator.get(f"/hosts/unix/images/{image_id}/remove/").content.decode()
        assert f"ct-img-{images.value}-runs" in confirm and "refuses" in confirm

        response = operator.post(f"/hosts/unix/images/{image_id}/remove/", follow=True)
        assert response.redirect_chain[-1][0] == f"/hosts/unix/images/{image_id}/"
        text = html_module.unescape(response.content.decode())
        with pytest.raises(docker.errors.APIError) as engine_says:
            engine_api.remove_image(image_id)
        assert engine_says.value.explanation in text
        assert "is being used by running container" in text
        assert not _gone(engine_api, image_id)
        entry = AuditEntry.objects.get(action="image.remove")
        assert not entry.ok and "being used" in entry.error and entry.target == image_id
    finally:
        engine_api.remove_container(user, force=True)


def test_removing_by_id_shows_what_the_engine_did(operator, unix_host, images, engine_api):
    repository = images.unique("gone")
    image_id = images.build("echo g > /g", tag=f"{repository}:1")
    engine_api.tag(image_id, repository, "2")

    page = operator.get(f"/hosts/unix/images/{image_id}/remove/").content.decode()
    assert f"only the tag <code>{repository}:2</code>" in page

    # Two tags: the engine wants -f to remove by id.
    refused = operator.post(f"/hosts/unix/images/{image_id}/remove/", follow=True)
    assert "must be forced" in html_module.unescape(refused.content.decode())
    assert not _gone(engine_api, image_id)

    response = operator.post(f"/hosts/unix/images/{image_id}/remove/", {"force": "on"})
    assert response.status_code == 200
    removed = response.context["removed"]
    assert f"Untagged: {repository}:1" in removed and f"Untagged: {repository}:2" in removed
    assert f"Deleted: {image_id}" in removed
    assert f"Deleted: {image_id}" in response.content.decode()
    assert _gone(engine_api, image_id)
    entry = AuditEntry.objects.filter(action="image.remove", ok=True).get()
    assert entry.params["force"] is True and entry.params["result"] == removed


def test_removing_one_tag_keeps_the_image(operator, unix_host, images, engine_api):
    repository = images.unique("untag")
    image_id = images.build(tag=f"{repository}:1")
    engine_api.tag(image_id, repository, "2")
    response = operator.post(f"/hosts/unix/images/{image_id}/remove/", {"name": f"{repository}:2"})
    assert response.context["removed"] == [f"Untagged: {repository}:2"]
    assert engine_api.inspect_image(image_id)["RepoTags"] == [f"{repository}:1"]

    elsewhere = operator.post(
        f"/hosts/unix/images/{image_id}/remove/", {"name": "busybox:latest"}, follow=True
    )
    assert "busybox:latest is not a tag of this image." in elsewhere.content.decode()
    assert engine_api.inspect_image(image_id)["RepoTags"] == [f"{repository}:1"]


def test_no_prune_keeps_the_untagged_parents(operator, unix_host, images, engine_api):
    image_id = images.build("echo p > /p", tag=f"{images.unique('noprune')}:1")
    parent = engine_api.inspect_image(image_id)["Parent"]
    assert parent
    response = operator.post(
        f"/hosts/unix/images/{image_id}/remove/", {"force": "on", "noprune": "on"}
    )
    assert f"Deleted: {image_id}" in response.context["removed"]
    assert _gone(engine_api, image_id) and not _gone(engine_api, parent)
    images.ids.append(parent)  # for the cleanup
