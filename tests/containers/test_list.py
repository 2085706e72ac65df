"""`docker ps` in the console: same rows and filters as the engine's own."""

import contextlib

import pytest

from console.access.models import Role
from tests.conftest import STOPPABLE
from tests.engines import raw_client


@pytest.fixture(scope="module")
def three(fleet):
    """web (running, labelled), job (exited 3), idle (created, never started); the tests
    here only read, so they share these."""
    api = raw_client(fleet)
    none = api.create_host_config(network_mode="none")
    specs = {
        "web": ("web-1", STOPPABLE, {"tier": "front", "com.docker.compose.project": "shop"}),
        "job": ("job-1", ["sh", "-c", "exit 3"], {"tier": "batch"}),
        "idle": ("idle-1", STOPPABLE, {}),
    }
    made = {}
    for key, (name, command, labels) in specs.items():
        made[key] = api.create_container(
            fleet.base_image, command, name=name, labels=labels, host_config=none
        )["Id"]
    api.start(made["web"])
    api.start(made["job"])
    api.wait(made["job"], timeout=10)
    yield made
    for container_id in made.values():
        with contextlib.suppress(Exception):
            api.remove_container(container_id, force=True)
    api.close()


def _names(response) -> set[str]:
    return {r["name"] for r in response.json()["containers"]}


def _engine_names(engine_api, **kwargs) -> set[str]:
    return {c["Names"][0].lstrip("/") for c in engine_api.containers(**kwargs)}


def test_anonymous_is_sent_to_login(client, unix_host):
    response = client.get("/hosts/unix/containers/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_other_team_gets_404(logged_in, make_user, unix_host, tls_host):
    user = make_user("o", Role.ADMIN, tls_host)
    assert logged_in(user).get("/hosts/unix/containers/").status_code == 404


def test_viewer_sees_rows_but_no_action_buttons(logged_in, make_user, unix_host, three):
    viewer = make_user("v", Role.VIEWER, unix_host)
    html = logged_in(viewer).get("/hosts/unix/containers/").content.decode()
    assert "web-1" in html
    assert 'value="stop"' not in html and "Remove" not in html


def test_running_by_default_and_all_with_all(admin_client, unix_host, three, engine_api):
    running = admin_client.get("/hosts/unix/containers/?format=json")
    assert {"web-1"} <= _names(running)
    assert not {"job-1", "idle-1"} & _names(running)
    everything = admin_client.get("/hosts/unix/containers/?all=1&format=json")
    assert _names(everything) == _engine_names(engine_api, all=True)


@pytest.mark.parametrize(
    ("query", "engine_filters"),
    [
        ("status=exited", {"status": "exited"}),
        ("status=created", {"status": "created"}),
        ("label=tier=front", {"label": "tier=front"}),
        ("label=tier", {"label": "tier"}),
        ("name=job", {"name": "job"}),
        ("exited=3", {"exited": 3}),
        ("ancestor=console-test/busybox:latest", {"ancestor": "console-test/busybox:latest"}),
        (
            "filter=status=exited&filter=label=tier=batch",
            {"status": "exited", "label": "tier=batch"},
        ),
    ],
)
def test_filters_give_the_engines_own_set(
    admin_client, unix_host, three, engine_api, query, engine_filters
):
    response = admin_client.get(f"/hosts/unix/containers/?all=1&format=json&{query}")
    expected = _engine_names(engine_api, all=True, filters=engine_filters)
    assert expected, "the filter should match something"
    assert _names(response) == expected


def test_last_and_latest(admin_client, unix_host, three, engine_api):
    newest = engine_api.containers(all=True, limit=2)
    rows = admin_client.get("/hosts/unix/containers/?last=2&format=json").json()["containers"]
    assert [r["id"] for r in rows] == [c["Id"] for c in newest]
    latest = admin_client.get("/hosts/unix/containers/?latest=1&format=json").json()["containers"]
    assert [r["id"] for r in latest] == [newest[0]["Id"]]


def test_size_column(admin_client, unix_host, three):
    html = admin_client.get("/hosts/unix/containers/?size=1").content.decode()
    assert "Size (virtual)" in html
    assert "virtual)" in html.split("web-1", 1)[1]


def test_ids_only_like_dash_q(admin_client, unix_host, three, engine_api):
    text = admin_client.get("/hosts/unix/containers/?all=1&format=ids").content.decode()
    assert set(text.split()) == {c["Id"][:12] for c in engine_api.containers(all=True)}
    full = admin_client.get("/hosts/unix/containers/?all=1&format=ids&trunc=0").content.decode()
    assert three["web"] in full.split()


def test_sort_by_name_both_ways(admin_client, unix_host, three):
    up = admin_client.get("/hosts/unix/containers/?all=1&sort=name&dir=asc&format=json").json()
    names = [r["name"] for r in up["containers"]]
    assert names == sorted(names, key=str.lower)
    down = admin_client.get("/hosts/unix/containers/?all=1&sort=name&dir=desc&format=json").json()
    assert [r["name"] for r in down["containers"]] == names[::-1]


def test_narrowing_text_filter_returns_just_the_rows(admin_client, unix_host, three):
    response = admin_client.get(
        "/hosts/unix/containers/?all=1&q=JOB",
        headers={"HX-Request": "true", "HX-Target": "container-rows"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<tbody id="container-rows"')
    assert "job-1" in html and "web-1" not in html


def test_ports_shown_as_the_cli_does(admin_client, unix_host, make_container, engine_api):
    host_config = engine_api.create_host_config(port_bindings={80: ("127.0.0.1", None)})
    make_container("porty", ports=[80, (53, "udp")], host_config=host_config)
    public = engine_api.port("porty", 80)[0]["HostPort"]
    row = next(
        r
        for r in admin_client.get("/hosts/unix/containers/?format=json").json()["containers"]
        if r["name"] == "porty"
    )
    assert row["ports"] == ["53/udp", f"127.0.0.1:{public}->80/tcp"]


def test_hostile_names_and_labels_are_escaped(admin_client, unix_host, make_container):
    make_container(
        "evil",
        labels={"x": "<script>alert(1)</script>"},
        command=["sh", "-c", "echo '<img src=x onerror=alert(1)>'; sleep 600"],
    )
    html = admin_client.get("/hosts/unix/containers/?trunc=0").content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_dead_host_is_a_message_not_a_500(admin_client, db, tmp_path):
    from console.hosts.models import Host

    Host.objects.create(name="gone", slug="gone", url=f"unix://{tmp_path}/none.sock")
    response = admin_client.get("/hosts/gone/containers/")
    assert response.status_code == 200
    assert "Unreachable" in response.content.decode()
    assert admin_client.get("/hosts/gone/containers/?format=json").status_code == 502
