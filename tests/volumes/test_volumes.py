"""`docker volume ls/create/inspect/rm/prune` in the console, checked on the engine."""

import contextlib
import uuid

import pytest

from console.access.models import AuditEntry, Role
from tests.engine_objects import SILENT_HOST_TIMED_OUT, UniqueNames, rows_by_name


@pytest.fixture
def vol(engine_api):
    """vol(suffix) -> a name unique to this test; every such volume (and any container
    still using it) is removed afterwards."""
    names = UniqueNames("vt")
    yield names
    for volume in names.given:
        for c in engine_api.containers(all=True, filters={"volume": volume}):
            with contextlib.suppress(Exception):
                engine_api.remove_container(c["Id"], force=True)
        with contextlib.suppress(Exception):
            engine_api.remove_volume(volume)


def _mounting(engine_api, volume: str) -> dict:
    return {
        "host_config": engine_api.create_host_config(
            binds={volume: {"bind": "/data", "mode": "rw"}}, network_mode="none"
        )
    }


def _engine_volumes(engine_api, **filters) -> set[str]:
    return {v["Name"] for v in engine_api.volumes(filters=filters or None)["Volumes"] or []}


def _rows(client, query: str = "") -> dict[str, dict]:
    return rows_by_name(client, "volumes", query)


def test_create_inspect_use_refused_while_in_use_then_removed(
    admin_client, unix_host, vol, make_container, engine_api
):
    name = vol("life")
    response = admin_client.post(
        "/hosts/unix/volumes/new/",
        {"name": name, "driver": "local", "labels": "tier=db\nowner=ops", "driver_opts": ""},
    )
    assert response.status_code == 302 and response.url == f"/hosts/unix/volumes/{name}/"
    assert engine_api.inspect_volume(name)["Labels"] == {"tier": "db", "owner": "ops"}

    detail = admin_client.get(f"/hosts/unix/volumes/{name}/")
    html = detail.content.decode()
    assert "no container uses it" in html and "&quot;tier&quot;: &quot;db&quot;" in html
    raw = admin_client.get(f"/hosts/unix/volumes/{name}/?format=json").json()
    assert raw == engine_api.inspect_volume(name)

    cid = make_container(f"{name}-user", **_mounting(engine_api, name))
    row = _rows(admin_client)[name]
    assert row["users"] == [{"id": cid, "name": f"{name}-user", "state": "running"}]

    refused = admin_client.post(f"/hosts/unix/volumes/{name}/remove/", follow=True)
    assert "volume is in use" in refused.content.decode()
    assert name in _engine_volumes(engine_api)

    engine_api.remove_container(cid, force=True)
    admin_client.post(f"/hosts/unix/volumes/{name}/remove/")
    assert name not in _engine_volumes(engine_api)
    entries = list(AuditEntry.objects.order_by("pk").values_list("action", "target", "ok"))
    assert entries == [
        ("volume.create", name, True),
        ("volume.remove", name, False),
        ("volume.remove", name, True),
    ]
    assert "volume is in use" in AuditEntry.objects.get(ok=False).error


def test_an_unnamed_volume_gets_the_engines_name(admin_client, unix_host, engine_api):
    response = admin_client.post("/hosts/unix/volumes/new/", {"driver": "local"})
    made = response.url.rstrip("/").rsplit("/", 1)[-1]
    try:
        assert len(made) == 64 and made in _engine_volumes(engine_api)
    finally:
        engine_api.remove_volume(made)


def test_driver_options_reach_the_engine(admin_client, unix_host, vol, engine_api):
    name = vol("tmpfs")
    admin_client.post(
        "/hosts/unix/volumes/new/",
        {"name": name, "driver": "local", "driver_opts": "type=tmpfs\ndevice=tmpfs\no=size=1m"},
    )
    assert engine_api.inspect_volume(name)["Options"] == {
        "type": "tmpfs",
        "device": "tmpfs",
        "o": "size=1m",
    }
    assert AuditEntry.objects.get().params["driver_opts"] == ["device", "o", "type"]


def test_list_filters_give_the_engines_own_set(
    admin_client, unix_host, vol, make_container, engine_api
):
    a, b, used = vol("a"), vol("b"), vol("used")
    engine_api.create_volume(a, labels={"vt.kind": "one"})
    engine_api.create_volume(b, labels={"vt.kind": "two"})
    engine_api.create_volume(used, labels={"vt.kind": "one"})
    make_container(f"{used}-c", start=False, **_mounting(engine_api, used))
    for query, filters in [
        ("label=vt.kind=one", {"label": "vt.kind=one"}),
        ("label=vt.kind", {"label": "vt.kind"}),
        ("dangling=true&label=vt.kind", {"dangling": "true", "label": "vt.kind"}),
        ("dangling=false&label=vt.kind", {"dangling": "false", "label": "vt.kind"}),
        ("name=" + a, {"name": a}),
        ("driver=local&label=vt.kind", {"driver": "local", "label": "vt.kind"}),
    ]:
        expected = _engine_volumes(engine_api, **filters)
        assert expected, query
        assert set(_rows(admin_client, query)) == expected, query
    rows = _rows(admin_client, "label=vt.kind")
    assert rows[used]["users"][0]["state"] == "created" and rows[a]["users"] == []


def test_size_comes_from_the_engines_disk_usage(
    admin_client, unix_host, vol, make_container, engine_api
):
    name = vol("sized")
    engine_api.create_volume(name)
    cid = make_container(
        f"{name}-w", ["sh", "-c", "head -c 5000 /dev/zero > /data/f"], **_mounting(engine_api, name)
    )
    engine_api.wait(cid, timeout=10)
    usage = next(v for v in engine_api.df()["Volumes"] if v["Name"] == name)["UsageData"]
    row = _rows(admin_client)[name]
    assert row["size"] == usage["Size"] >= 5000
    assert ">5kB</td>" in admin_client.get("/hosts/unix/volumes/").content.decode()


def _row_of(html: str, start: str) -> str:
    """The table row that begins with `start`."""
    at = html.index(start)
    return html[at : html.index("</tr>", at)]


def test_a_volumes_size_reads_the_same_on_every_page(
    admin_client, unix_host, vol, make_container, engine_api
):
    """Like the docker CLI prints it (decimal units, 3 digits), on the list, the volume's
    own page and `docker system df -v`."""
    name = vol("same-size")
    engine_api.create_volume(name)
    cid = make_container(
        f"{name}-w",
        ["sh", "-c", "head -c 12345 /dev/zero > /data/f"],
        **_mounting(engine_api, name),
    )
    engine_api.wait(cid, timeout=10)
    assert _rows(admin_client)[name]["size"] == 12345
    listed = _row_of(
        admin_client.get("/hosts/unix/volumes/").content.decode(), f'<tr data-volume="{name}"'
    )
    detail = admin_client.get(f"/hosts/unix/volumes/{name}/").content.decode()
    df = admin_client.get("/hosts/unix/df/?v=1").content.decode()
    in_df = _row_of(
        df[df.index('id="df-volumes"') :], f'<tr><td><a href="/hosts/unix/volumes/{name}/"'
    )
    assert '<td class="num">12.3kB</td>' in listed
    assert "<dt>Size</dt><dd>12.3kB</dd>" in detail
    assert '<td class="num">12.3kB</td>' in in_df


def test_prune_removes_exactly_the_unused_ones(
    admin_client, unix_host, vol, make_container, engine_api
):
    """Pruned by a label of this test's own, so volumes of other runs on the engine stay."""
    label = f"vt.prune={uuid.uuid4().hex[:6]}"
    key, value = label.split("=")
    unused = [vol("p1"), vol("p2")]
    used, other = vol("pused"), vol("pother")
    for name in [*unused, used]:
        engine_api.create_volume(name, labels={key: value})
    engine_api.create_volume(other)
    make_container(f"{used}-c", **_mounting(engine_api, used))
    page = admin_client.get("/hosts/unix/volumes/prune/").content.decode()
    assert "Prune" in page
    response = admin_client.post("/hosts/unix/volumes/prune/", {"label": label})
    assert sorted(response.context["result"].deleted) == sorted(unused)
    assert "reclaimed" in response.content.decode()
    remaining = _engine_volumes(engine_api)
    assert not set(unused) & remaining and {used, other} <= remaining
    entry = AuditEntry.objects.get(action="volume.prune")
    assert entry.ok and sorted(entry.params["deleted"]) == sorted(unused)
    assert entry.params["label"] == label


def test_a_taken_name_is_a_field_error_and_the_volume_is_untouched(
    admin_client, unix_host, vol, engine_api
):
    name = vol("dup")
    engine_api.create_volume(name, labels={"orig": "1"})
    response = admin_client.post(
        "/hosts/unix/volumes/new/", {"name": name, "driver": "local", "labels": "new=2"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [f"A volume named {name} exists."]
    assert engine_api.inspect_volume(name)["Labels"] == {"orig": "1"}
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("labels", "ok=1\n=oops", "line 2: “=oops” has no label name before “=”"),
        ("driver_opts", "bad key=1", "line 1: the option name “bad key” contains whitespace"),
    ],
)
def test_bad_key_value_lines_are_field_errors(
    admin_client, unix_host, vol, engine_api, field, text, message
):
    name = vol("badkv")
    data = {"name": name, "driver": "local", field: text}
    response = admin_client.post("/hosts/unix/volumes/new/", data)
    assert response.context["form"].errors[field] == [message]
    assert name not in _engine_volumes(engine_api)


def test_an_option_the_driver_refuses_shows_the_engines_message(
    admin_client, unix_host, vol, engine_api
):
    name = vol("badopt")
    response = admin_client.post(
        "/hosts/unix/volumes/new/", {"name": name, "driver": "local", "driver_opts": "foo=bar"}
    )
    assert "invalid option: &quot;foo&quot;" in response.content.decode()
    assert name not in _engine_volumes(engine_api)
    entry = AuditEntry.objects.get(action="volume.create")
    assert not entry.ok and 'invalid option: "foo"' in entry.error


def test_roles(logged_in, make_user, unix_host, tls_host, vol, engine_api):
    name = vol("roles")
    engine_api.create_volume(name)
    other_team = logged_in(make_user("o", Role.ADMIN, tls_host))
    assert other_team.get("/hosts/unix/volumes/").status_code == 404
    assert other_team.get(f"/hosts/unix/volumes/{name}/").status_code == 404

    viewer = logged_in(make_user("v", Role.VIEWER, unix_host))
    assert name in {
        r["name"] for r in viewer.get("/hosts/unix/volumes/?format=json").json()["volumes"]
    }
    html = viewer.get(f"/hosts/unix/volumes/{name}/").content.decode()
    assert "Browse files" in html and "Remove" not in html and "Download" not in html
    for path, data in [
        ("/hosts/unix/volumes/new/", {"name": vol("viewer-made"), "driver": "local"}),
        (f"/hosts/unix/volumes/{name}/remove/", {"force": "on"}),
        ("/hosts/unix/volumes/prune/", {}),
    ]:
        assert viewer.post(path, data).status_code == 403
    assert name in _engine_volumes(engine_api)
    assert not AuditEntry.objects.exists()

    operator = logged_in(make_user("op", Role.OPERATOR, unix_host))
    assert operator.post(f"/hosts/unix/volumes/{name}/remove/").status_code == 403
    assert operator.get("/hosts/unix/volumes/new/").status_code == 403


def test_hostile_names_and_labels_are_escaped(admin_client, unix_host, vol, engine_api):
    name = vol("evil")
    engine_api.create_volume(name, labels={"<b>k</b>": "<script>alert(1)</script>"})
    for page in ("/hosts/unix/volumes/", f"/hosts/unix/volumes/{name}/", "/volumes/"):
        html = admin_client.get(page).content.decode()
        assert "<script>alert(1)" not in html and "<b>k" not in html, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, page


def test_across_hosts_with_a_dead_host(
    admin_client, unix_host, tls_host, vol, engine_api, silent_host
):
    name = vol("everywhere")
    engine_api.create_volume(name)
    data = admin_client.get("/volumes/?format=json").json()
    assert [v["host"] for v in data["volumes"] if v["name"] == name] == ["unix"]
    assert data["errors"] == [SILENT_HOST_TIMED_OUT]
    html = admin_client.get(f"/volumes/?name={name}").content.decode()
    assert name in html and html.count("Timed out") == 1


def test_across_hosts_only_asks_hosts_with_a_role(
    logged_in, make_user, unix_host, tls_host, vol, engine_api
):
    name = vol("hidden")
    engine_api.create_volume(name)
    viewer = logged_in(make_user("v", Role.VIEWER, tls_host))
    data = viewer.get("/volumes/?format=json").json()
    assert {v["host"] for v in data["volumes"]} <= {"tls"}
    assert name not in {v["name"] for v in data["volumes"]}


def test_an_unreachable_host_is_a_message_not_a_500(admin_client, gone_host):
    assert "Unreachable" in admin_client.get("/hosts/gone/volumes/").content.decode()
    assert admin_client.get("/hosts/gone/volumes/?format=json").status_code == 502
    assert admin_client.get("/hosts/gone/volumes/x1/").status_code == 502


def test_anonymous_goes_to_login(client, unix_host):
    response = client.get("/hosts/unix/volumes/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
