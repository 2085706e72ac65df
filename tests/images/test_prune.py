"""`docker image prune` from the console: exactly the dangling images (pruned by a label
of the test's own), and "all unused" only when confirmed on its own."""

from __future__ import annotations

from console.access.models import AuditEntry
from tests.images.conftest import assert_asks_to_log_in

URL = "/hosts/unix/images/prune/"


def test_anonymous_other_team_and_operator_prune_nothing(
    anonymous, outsider, operator, unix_host, images
):
    dangling = images.build()
    assert_asks_to_log_in(anonymous.post(URL, {"label": images.label}))
    assert outsider.get(URL).status_code == 404
    assert outsider.post(URL, {"label": images.label}).status_code == 404
    assert operator.get(URL).status_code == 403  # prune is for admins
    assert operator.post(URL, {"label": images.label}).status_code == 403
    assert images.on_engine() >= {dangling}
    assert not AuditEntry.objects.exists()


def test_prune_removes_exactly_the_dangling_images(admin_client, unix_host, images, engine_api):
    dangling = {images.build("echo one > /one"), images.build("head -c 5000 /dev/zero > /f")}
    tagged = images.build("echo kept > /kept", tag=f"{images.unique('kept')}:1")
    assert images.on_engine(dangling="true") == dangling

    page = admin_client.get(URL).content.decode()
    assert "Prune dangling images" in page and "Prune all unused images" in page

    response = admin_client.post(URL, {"label": images.label})
    result = response.context["result"]
    assert dangling <= set(result.deleted)
    assert not images.on_engine(dangling="true")
    assert tagged in images.on_engine()
    # Whatever else went was one of these images' own untagged layers, not another image.
    for image_id in set(result.deleted) - dangling:
        assert image_id not in {i["Id"] for i in engine_api.images(all=True)}
    assert result.reclaimed >= 5000
    text = response.content.decode()
    assert 'id="reclaimed"' in text and f'title="{result.reclaimed} bytes"' in text
    for image_id in dangling:
        assert image_id in text

    entry = AuditEntry.objects.get(action="image.prune")
    assert entry.ok and entry.params["label"] == images.label
    assert entry.params["all_unused"] is False and dangling <= set(entry.params["deleted"])
    assert entry.params["reclaimed"] == result.reclaimed


def test_all_unused_needs_its_own_confirmation(admin_client, unix_host, images, engine_api):
    unused = images.build(tag=f"{images.unique('unused')}:1", labels={"ct.which": "unused"})
    used = images.build(tag=f"{images.unique('used')}:1")
    none = engine_api.create_host_config(network_mode="none")
    user = engine_api.create_container(used, ["true"], host_config=none)["Id"]
    try:
        unconfirmed = admin_client.post(URL, {"label": images.label, "all_unused": "on"})
        assert unconfirmed.context["pruned"] is False
        assert "Tick this box to prune every unused image." in unconfirmed.content.decode()
        assert {unused, used} <= images.on_engine()
        assert not AuditEntry.objects.exists()

        response = admin_client.post(
            URL, {"label": images.label, "all_unused": "on", "confirm": "on"}
        )
        assert unused in response.context["result"].deleted
        remaining = images.on_engine()
        assert unused not in remaining and used in remaining
        entry = AuditEntry.objects.get(action="image.prune")
        assert entry.params["all_unused"] is True
    finally:
        engine_api.remove_container(user, force=True)


def test_a_dead_engine_is_said_not_a_crash(admin_client, gone_host):
    response = admin_client.post("/hosts/gone/images/prune/", {"label": "x"})
    assert response.status_code == 200 and "Unreachable" in response.content.decode()
    assert not AuditEntry.objects.get(action="image.prune").ok
