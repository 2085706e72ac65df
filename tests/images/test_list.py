"""`docker images` on one host (/hosts/<slug>/images/) and across hosts (/images/)."""

from __future__ import annotations

from tests.engines import cli
from tests.images.conftest import assert_asks_to_log_in


def _rows(client, query: str) -> list[dict]:
    return client.get(f"/hosts/unix/images/?format=json&{query}").json()["images"]


def test_anonymous_and_other_team(anonymous, outsider, unix_host):
    assert_asks_to_log_in(anonymous.get("/hosts/unix/images/"))
    assert_asks_to_log_in(anonymous.get("/images/"))
    assert outsider.get("/hosts/unix/images/").status_code == 404
    assert outsider.get("/hosts/unix/images/?format=json").status_code == 404


def test_the_list_is_the_engines_own(admin_client, unix_host, images, engine_api, fleet):
    repository = images.unique("app")
    image_id = images.build("echo one > /one", tag=f"{repository}:v1")
    engine_api.tag(image_id, repository, "v2")

    rows = _rows(admin_client, f"label={images.label}")
    assert sorted((r["repository"], r["tag"]) for r in rows) == [
        (repository, "v1"),
        (repository, "v2"),
    ]
    inspect = engine_api.inspect_image(image_id)
    for row in rows:
        assert row["id"] == image_id and row["short_id"] == image_id[7:19]
        assert row["size"] == inspect["Size"] and row["containers"] == 0
        assert row["labels"][images.key] == images.value and not row["dangling"]

    html = admin_client.get("/hosts/unix/images/").content.decode()
    assert repository in html and image_id[7:19] in html
    # The fleet's base image is listed like `docker images` lists it.
    shell = cli(fleet, "images", "--format", "{{.Repository}} {{.Tag}} {{.ID}}").stdout.decode()
    base_line = next(line for line in shell.splitlines() if line.startswith("console-test/busybox"))
    assert base_line.split()[2] in html
    assert f"/hosts/unix/images/{image_id}/" in html  # linked by id


def test_containers_using_an_image_are_counted(admin_client, unix_host, images, engine_api):
    image_id = images.build(tag=f"{images.unique('used')}:1")
    none = engine_api.create_host_config(network_mode="none")
    made = [engine_api.create_container(image_id, ["true"], host_config=none)["Id"] for _ in "ab"]
    try:
        (row,) = _rows(admin_client, f"label={images.label}")
        assert row["containers"] == 2
    finally:
        for cid in made:
            engine_api.remove_container(cid, force=True)


def test_dangling_filter_and_its_explanation(admin_client, unix_host, images):
    tagged = images.build("echo t > /t", tag=f"{images.unique('tagged')}:1")
    dangling = images.build("echo d > /d")
    rows = _rows(admin_client, f"label={images.label}&dangling=true")
    assert [(r["id"], r["repository"], r["tag"], r["dangling"]) for r in rows] == [
        (dangling, "<none>", "<none>", True)
    ]
    assert {r["id"] for r in _rows(admin_client, f"label={images.label}&dangling=false")} == {
        tagged
    }
    assert images.on_engine(dangling="true") == {dangling}

    html = admin_client.get(f"/hosts/unix/images/?label={images.label}&dangling=true")
    text = html.content.decode()
    assert "A <strong>dangling</strong> image has no name" in text
    assert "&lt;none&gt;" in text and dangling[7:19] in text and tagged[7:19] not in text


def test_all_shows_intermediate_images(admin_client, unix_host, images, engine_api):
    images.build("echo a > /a", "echo b > /b", tag=f"{images.unique('layers')}:1")
    top_level = {r["id"] for r in _rows(admin_client, f"label={images.label}")}
    with_all = {r["id"] for r in _rows(admin_client, f"label={images.label}&all=1")}
    assert top_level < with_all
    assert with_all == images.on_engine()
    assert top_level == {i["Id"] for i in engine_api.images(filters={"label": images.label})}


def test_quiet_gives_ids_to_copy(admin_client, unix_host, images):
    first = images.build("echo 1 > /1", tag=f"{images.unique('q')}:1")
    images.api.tag(first, images.unique("q"), "2")  # two rows, one id
    second = images.build("echo 2 > /2")
    page = admin_client.get(f"/hosts/unix/images/?label={images.label}&quiet=1")
    textarea = page.content.decode().split('<textarea id="ids" readonly')[1].split("</textarea>")[0]
    ids = textarea.split(">", 1)[1].split()
    assert sorted(ids) == sorted([first[7:19], second[7:19]])
    data = admin_client.get(
        f"/hosts/unix/images/?label={images.label}&quiet=1&no_trunc=1&format=json"
    ).json()
    assert sorted(data["ids"]) == sorted([first, second])


def test_a_viewer_sees_the_list_without_change_buttons(viewer, unix_host, images):
    image_id = images.build(tag=f"{images.unique('v')}:1")
    html = viewer.get(f"/hosts/unix/images/?label={images.label}").content.decode()
    assert image_id[7:19] in html
    assert "/remove/" not in html and "/tag/" not in html
    assert 'class="button danger" href="/hosts/unix/images/prune/"' not in html


def test_across_hosts_one_row_per_image_id(
    admin_client, unix_host, tls_host, gone_host, images, tls_api
):
    repository = images.unique("everywhere")
    image_id = images.build("echo x > /x", tag=f"{repository}:1")
    assert images.copy_to(tls_api, f"{repository}:1") == image_id
    assert tls_api.inspect_image(image_id)["Id"] == image_id

    data = admin_client.get(f"/images/?format=json&label={images.label}").json()
    (group,) = data["images"]
    assert group["id"] == image_id and group["tags"] == [f"{repository}:1"]
    assert sorted(h["host"] for h in group["hosts"]) == ["tls", "unix"]
    assert [e["host"] for e in data["errors"]] == ["gone"]

    html = admin_client.get(f"/images/?label={images.label}").content.decode()
    assert html.count(f'data-image="{image_id}"') == 1
    assert f"/hosts/unix/images/{image_id}/" in html and f"/hosts/tls/images/{image_id}/" in html
    assert "Unreachable" in html


def test_across_hosts_shows_only_the_users_hosts(
    logged_in, make_user, unix_host, tls_host, images, tls_api
):
    repository = images.unique("mine")
    image_id = images.build(tag=f"{repository}:1")
    images.copy_to(tls_api, f"{repository}:1")
    from console.access.models import Role

    user = logged_in(make_user("only-tls", Role.VIEWER, tls_host))
    (group,) = user.get(f"/images/?format=json&label={images.label}").json()["images"]
    assert group["id"] == image_id and [h["host"] for h in group["hosts"]] == ["tls"]
