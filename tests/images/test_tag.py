"""`docker tag` from the console, with references checked before the engine sees them."""

from __future__ import annotations

import pytest

from console.access.models import AuditEntry
from tests.images.conftest import assert_asks_to_log_in


def test_anonymous_other_team_and_viewer_tag_nothing(
    anonymous, outsider, viewer, unix_host, images, engine_api
):
    image_id = images.build(tag=f"{images.unique('orig')}:1")
    url = f"/hosts/unix/images/{image_id}/tag/"
    data = {"reference": f"{images.unique('new')}:1"}
    assert_asks_to_log_in(anonymous.post(url, data))
    assert outsider.post(url, data).status_code == 404
    assert viewer.get(url).status_code == 403
    assert viewer.post(url, data).status_code == 403
    assert engine_api.inspect_image(image_id)["RepoTags"] == [f"{images.unique('orig')}:1"]
    assert not AuditEntry.objects.exists()


def test_tag_creates_the_tag_on_the_engine(operator, unix_host, images, engine_api, fleet):
    image_id = images.build(tag=f"{images.unique('src')}:1")
    target = f"{fleet.registry}/{images.unique('dst')}"
    form = operator.get(f"/hosts/unix/images/{image_id}/tag/").content.decode()
    assert "repository[:tag]" in form

    response = operator.post(
        f"/hosts/unix/images/{image_id}/tag/", {"reference": f"{target}:2.0"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/hosts/unix/images/{image_id}/"
    assert f"Tagged {image_id[7:19]} as {target}:2.0." in response.content.decode()
    assert f"{target}:2.0" in engine_api.inspect_image(image_id)["RepoTags"]

    operator.post(f"/hosts/unix/images/{image_id}/tag/", {"reference": target})
    assert f"{target}:latest" in engine_api.inspect_image(image_id)["RepoTags"]
    entries = AuditEntry.objects.filter(action="image.tag").order_by("pk")
    assert [(e.target, e.params["reference"], e.ok) for e in entries] == [
        (image_id, f"{target}:2.0", True),
        (image_id, f"{target}:latest", True),
    ]


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("Bad Name!!", "is not a valid image reference"),
        ("UPPER/case:1", "repository names must be lowercase"),
        ("app:-bad", "is not a valid image reference"),
        ("app@sha256:" + "a" * 64, "A digest (@sha256:…) cannot be given here."),
    ],
)
def test_a_bad_reference_is_a_field_error(
    operator, unix_host, images, engine_api, reference, message
):
    image_id = images.build(tag=f"{images.unique('bad')}:1")
    response = operator.post(f"/hosts/unix/images/{image_id}/tag/", {"reference": reference})
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors["reference"])
    assert engine_api.inspect_image(image_id)["RepoTags"] == [f"{images.unique('bad')}:1"]
    assert not AuditEntry.objects.exists()
