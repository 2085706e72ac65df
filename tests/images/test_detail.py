"""An image's page: tags, digests, config, `docker history`, containers using it, inspect."""

from __future__ import annotations

import html as html_module

from tests.images.conftest import assert_asks_to_log_in


def test_anonymous_other_team_and_unknown_image(anonymous, outsider, admin_client, unix_host):
    base = "/hosts/unix/images/sha256:" + "0" * 64 + "/"
    assert_asks_to_log_in(anonymous.get(base))
    assert outsider.get(base).status_code == 404
    assert admin_client.get(base).status_code == 404


def test_a_multi_layer_image_shows_its_history(admin_client, unix_host, images, engine_api):
    repository = images.unique("hist")
    image_id = images.build(
        "echo layer-one > /one",
        "head -c 3000 /dev/zero > /two",
        tag=f"{repository}:1",
        labels={"ct.role": "<b>web</b>"},
    )
    history = engine_api.history(image_id)
    page = admin_client.get(f"/hosts/unix/images/{image_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    shown = html_module.unescape(text)

    detail = page.context["detail"]
    assert [(h.created_by, h.size) for h in detail.history] == [
        (h["CreatedBy"], h["Size"]) for h in history
    ]
    assert len(detail.history) >= 4  # two RUNs, the labels, and the base image's steps
    assert "echo layer-one > /one" in shown and "head -c 3000 /dev/zero > /two" in shown
    two = next(h for h in history if "/two" in h["CreatedBy"])
    assert two["Size"] >= 3000
    assert detail.layers == engine_api.inspect_image(image_id)["RootFS"]["Layers"]
    assert len(detail.layers) == 3  # the base image's, and one per RUN

    assert f"{repository}:1" in text and image_id in text
    assert "PATH=/usr/sbin:/usr/bin:/sbin:/bin" in text and "/bin/sh" in text
    assert "&lt;b&gt;web&lt;/b&gt;" in text and "<b>web</b>" not in text
    assert "no container uses it" in text

    none = engine_api.create_host_config(network_mode="none")
    user = engine_api.create_container(
        image_id, ["true"], name=f"ct-img-{images.value}-u", host_config=none
    )["Id"]
    try:
        detail = admin_client.get(f"/hosts/unix/images/{image_id[7:19]}/").context["detail"]
        assert [(u.id, u.state) for u in detail.containers] == [(user, "created")]
    finally:
        engine_api.remove_container(user, force=True)


def test_json_is_the_engines_inspect(admin_client, unix_host, images, engine_api):
    image_id = images.build(tag=f"{images.unique('json')}:1")
    data = admin_client.get(f"/hosts/unix/images/{image_id}/?format=json").json()
    assert data == engine_api.inspect_image(image_id)


def test_a_dangling_image_says_so(admin_client, unix_host, images):
    image_id = images.build("echo d > /d")
    text = admin_client.get(f"/hosts/unix/images/{image_id}/").content.decode()
    assert "a dangling image (&lt;none&gt;:&lt;none&gt;)" in text


def test_a_viewer_sees_it_without_change_buttons(viewer, unix_host, images):
    image_id = images.build(tag=f"{images.unique('view')}:1")
    text = viewer.get(f"/hosts/unix/images/{image_id}/").content.decode()
    assert image_id in text
    assert f"/hosts/unix/images/{image_id}/remove/" not in text
    assert f"/hosts/unix/images/{image_id}/tag/" not in text


def test_a_dead_engine_is_a_page_not_a_crash(admin_client, gone_host):
    response = admin_client.get("/hosts/gone/images/sha256:abc/")
    assert response.status_code == 502 and "Unreachable" in response.content.decode()
