"""`docker network ls/create/inspect/rm/connect/disconnect/prune` in the console, checked
on the engine. Test networks are internal, in 10.215.17x.0/24 (no route on the machine
uses them) or engine A's own pool; no traffic leaves the machine."""

import contextlib
import uuid

import docker.types
import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils.html import escape

from console.access.models import AuditEntry, Role
from tests.engine_objects import SILENT_HOST_TIMED_OUT, UniqueNames, rows_by_name


@pytest.fixture
def net(engine_api):
    """net(suffix) -> a name unique to this test; every network of such a name (and any
    container still attached) is removed afterwards."""
    names = UniqueNames("nt")
    yield names
    for network in engine_api.networks():
        if network["Name"] not in names.given:
            continue
        attached = engine_api.inspect_network(network["Id"])["Containers"] or {}
        for container_id in attached:
            with contextlib.suppress(Exception):
                engine_api.remove_container(container_id, force=True)
        with contextlib.suppress(Exception):
            engine_api.remove_network(network["Id"])


def _make_network(engine_api, name: str, subnet: str = "", **kwargs) -> str:
    ipam = None
    if subnet:
        ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=subnet)])
    return engine_api.create_network(name, ipam=ipam, internal=True, **kwargs)["Id"]


def _on(engine_api, network: str) -> dict:
    return {"host_config": engine_api.create_host_config(network_mode=network)}


def _engine_networks(engine_api) -> dict[str, dict]:
    return {n["Name"]: n for n in engine_api.networks()}


def _rows(client, query: str = "") -> dict[str, dict]:
    return rows_by_name(client, "networks", query)


def _create(client, **fields):
    data = {"driver": "bridge", "internal": "on", **fields}
    return client.post("/hosts/unix/networks/new/", data)


def test_create_inspect_use_refused_while_in_use_then_removed(
    admin_client, unix_host, net, make_container, engine_api
):
    name = net("life")
    response = _create(
        admin_client,
        name=name,
        subnet="10.215.171.0/24",
        gateway="10.215.171.1",
        ip_range="10.215.171.128/25",
        attachable="on",
        labels="tier=back",
        options="com.docker.network.driver.mtu=1400",
    )
    network = engine_api.inspect_network(name)
    assert response.status_code == 302
    assert response.url == f"/hosts/unix/networks/{network['Id']}/"
    assert network["IPAM"]["Config"] == [
        {"Subnet": "10.215.171.0/24", "Gateway": "10.215.171.1", "IPRange": "10.215.171.128/25"}
    ]
    assert network["Internal"] and network["Attachable"]
    assert network["Labels"] == {"tier": "back"}
    assert network["Options"] == {"com.docker.network.driver.mtu": "1400"}

    html = admin_client.get(response.url).content.decode()
    assert "10.215.171.128/25" in html and "no container is attached" in html
    raw = admin_client.get(response.url + "?format=json").json()
    assert raw["Id"] == network["Id"]

    cid = make_container(f"{name}-c", **_on(engine_api, name))
    (endpoint,) = _rows(admin_client)[name]["endpoints"]
    assert endpoint["container_id"] == cid and endpoint["state"] == "running"
    assert endpoint["ipv4"].startswith("10.215.171.") and endpoint["ipv4"].endswith("/24")
    assert int(endpoint["ipv4"].split(".")[3].split("/")[0]) >= 128

    refused = admin_client.post(f"/hosts/unix/networks/{network['Id']}/remove/", follow=True)
    assert "has active endpoints" in refused.content.decode()
    assert name in _engine_networks(engine_api)

    engine_api.remove_container(cid, force=True)
    admin_client.post(f"/hosts/unix/networks/{network['Id']}/remove/")
    assert name not in _engine_networks(engine_api)
    entries = list(AuditEntry.objects.order_by("pk").values_list("action", "ok"))
    assert entries == [
        ("network.create", True),
        ("network.remove", False),
        ("network.remove", True),
    ]
    created = AuditEntry.objects.get(action="network.create")
    assert created.target == name and created.params["subnet"] == "10.215.171.0/24"


def test_connect_with_alias_and_static_ip_then_disconnect(
    admin_client, unix_host, net, make_container, engine_api
):
    home, other = net("home"), net("other")
    _make_network(engine_api, home, "10.215.172.0/24")
    other_id = _make_network(engine_api, other, "10.215.173.0/24")
    cid = make_container(f"{home}-c", **_on(engine_api, home))
    response = admin_client.post(
        "/hosts/unix/networks/connect/",
        {
            "network": other_id,
            "container": f"{home}-c",
            "aliases": "db, cache",
            "ipv4_address": "10.215.173.50",
        },
    )
    assert response.url == f"/hosts/unix/networks/{other_id}/"
    attached = engine_api.inspect_container(cid)["NetworkSettings"]["Networks"]
    assert set(attached) == {home, other}
    assert attached[other]["IPAddress"] == "10.215.173.50"
    assert {"db", "cache"} <= set(attached[other]["Aliases"])
    page = admin_client.get(response.url).content.decode()
    assert "10.215.173.50/24" in page

    admin_client.post(
        "/hosts/unix/networks/disconnect/",
        {"network": other_id, "container": cid, "next": f"/hosts/unix/containers/{cid}/"},
    )
    assert set(engine_api.inspect_container(cid)["NetworkSettings"]["Networks"]) == {home}
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "ok", "params"))
    assert actions[0][:2] == ("network.connect", True)
    assert actions[0][2]["aliases"] == ["db", "cache"]
    assert actions[0][2]["ipv4_address"] == "10.215.173.50"
    assert actions[1][:2] == ("network.disconnect", True)


def test_a_bad_address_is_refused_before_the_engine(
    admin_client, unix_host, net, make_container, engine_api
):
    name = net("badip")
    network_id = _make_network(engine_api, name, "10.215.174.0/24")
    cid = make_container(f"{name}-c", start=False)
    response = admin_client.post(
        "/hosts/unix/networks/connect/",
        {"network": network_id, "container": cid, "ipv4_address": "10.215.174.300"},
        follow=True,
    )
    assert "Enter a valid IPv4 address." in response.content.decode()
    assert set(engine_api.inspect_container(cid)["NetworkSettings"]["Networks"]) == {"none"}
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("network_mode", "address", "message"),
    [
        # The engine would refuse too, but keep the failed attachment in the container.
        ("bridge", "10.215.199.9", "10.215.199.9 is in no subnet of network"),
        ("none", "", "cannot be connected to multiple networks"),  # the engine's words
    ],
)
def test_a_refused_connect_shows_why_and_changes_nothing(
    admin_client, unix_host, net, make_container, engine_api, network_mode, address, message
):
    name = net("refused")
    network_id = _make_network(engine_api, name, "10.215.174.0/24")
    cid = make_container(f"{name}-c", **_on(engine_api, network_mode))
    response = admin_client.post(
        "/hosts/unix/networks/connect/",
        {"network": network_id, "container": cid, "ipv4_address": address},
        follow=True,
    )
    entry = AuditEntry.objects.get(action="network.connect")
    assert not entry.ok and message in entry.error
    assert escape(entry.error) in response.content.decode()
    attached = engine_api.inspect_container(cid)["NetworkSettings"]["Networks"]
    assert set(attached) == {network_mode}


def test_built_in_networks_are_marked_and_never_sent_for_removal(
    admin_client, unix_host, engine_api
):
    rows = _rows(admin_client, "type=builtin")
    assert set(rows) == {"bridge", "host", "none"}
    assert all(row["builtin"] for row in rows.values())
    bridge_id = rows["bridge"]["id"]
    detail = admin_client.get(f"/hosts/unix/networks/{bridge_id}/").content.decode()
    assert "/remove/" not in detail
    confirm = admin_client.get(f"/hosts/unix/networks/{bridge_id}/remove/").content.decode()
    assert "cannot be removed" in confirm and "<button" not in confirm.split("<main>")[1]
    for ref in (bridge_id, "host", "none"):
        response = admin_client.post(f"/hosts/unix/networks/{ref}/remove/", follow=True)
        # The console's own words, not the engine's ("is a pre-defined network").
        assert "is a built-in network; it cannot be removed." in response.content.decode()
    assert {"bridge", "host", "none"} <= set(_engine_networks(engine_api))
    assert AuditEntry.objects.filter(action="network.remove", ok=False).count() == 3


def test_prune_removes_exactly_the_unused_ones(
    admin_client, unix_host, net, make_container, engine_api
):
    """Pruned by a label of this test's own, so networks of other runs on the engine stay."""
    label = f"nt.prune={uuid.uuid4().hex[:6]}"
    key, value = label.split("=")
    unused, used, other = [net("p1"), net("p2")], net("pused"), net("pother")
    for name in [*unused, used]:
        _make_network(engine_api, name, labels={key: value})
    _make_network(engine_api, other)
    make_container(f"{used}-c", **_on(engine_api, used))
    response = admin_client.post("/hosts/unix/networks/prune/", {"label": label})
    assert sorted(response.context["deleted"]) == sorted(unused)
    remaining = set(_engine_networks(engine_api))
    assert not set(unused) & remaining and {used, other, "bridge"} <= remaining
    entry = AuditEntry.objects.get(action="network.prune")
    assert entry.ok and sorted(entry.params["deleted"]) == sorted(unused)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"subnet": "10.215.176.0/33"}, "subnet", "is not a subnet in CIDR notation"),
        ({"subnet": "banana"}, "subnet", "is not a subnet in CIDR notation"),
        (
            {"subnet": "10.215.176.5/24"},
            "subnet",
            "has host bits set; the subnet is 10.215.176.0/24",
        ),
        (
            {"subnet": "10.215.176.0/24", "gateway": "10.215.177.1"},
            "gateway",
            "10.215.177.1 is outside the subnet 10.215.176.0/24.",
        ),
        ({"subnet": "10.215.176.0/24", "gateway": "x.1"}, "gateway", "is not an IP address"),
        ({"gateway": "10.215.176.1"}, "gateway", "Give a subnet for this too."),
        (
            {"subnet": "10.215.176.0/24", "ip_range": "10.215.0.0/16"},
            "ip_range",
            "10.215.0.0/16 is not inside the subnet 10.215.176.0/24.",
        ),
        ({"labels": "=x"}, "labels", "has no label name"),
        ({"options": "a b=1"}, "options", "contains whitespace"),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_made(
    admin_client, unix_host, net, engine_api, fields, field, message
):
    name = net("bad")
    response = _create(admin_client, name=name, **fields)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert name not in _engine_networks(engine_api)


def test_an_overlapping_subnet_shows_the_engines_message(admin_client, unix_host, net, engine_api):
    _make_network(engine_api, net("first"), "10.215.175.0/24")
    second = net("second")
    response = _create(admin_client, name=second, subnet="10.215.175.0/25")
    assert "Pool overlaps with other one on this address space" in response.content.decode()
    assert second not in _engine_networks(engine_api)
    assert not AuditEntry.objects.get(action="network.create").ok


def test_a_taken_name_is_a_field_error(admin_client, unix_host, net, engine_api):
    name = net("dup")
    _make_network(engine_api, name)
    response = _create(admin_client, name=name)
    assert response.context["form"].errors["name"] == [f"A network named {name} exists."]
    assert [n["Name"] for n in engine_api.networks(names=[name])] == [name]


def test_roles(logged_in, make_user, unix_host, tls_host, net, make_container, engine_api):
    name = net("roles")
    network_id = _make_network(engine_api, name)
    cid = make_container(f"{name}-c", **_on(engine_api, name))
    other_team = logged_in(make_user("o", Role.ADMIN, tls_host))
    assert other_team.get("/hosts/unix/networks/").status_code == 404
    assert other_team.post("/hosts/unix/networks/prune/").status_code == 404

    viewer = logged_in(make_user("v", Role.VIEWER, unix_host))
    assert name in _rows(viewer)
    html = viewer.get(f"/hosts/unix/networks/{network_id}/").content.decode()
    assert "Disconnect" not in html and "Remove" not in html and "Connect" not in html
    for path, data in [
        ("/hosts/unix/networks/new/", {"name": net("viewer-made"), "driver": "bridge"}),
        (f"/hosts/unix/networks/{network_id}/remove/", {}),
        ("/hosts/unix/networks/prune/", {}),
        ("/hosts/unix/networks/disconnect/", {"network": network_id, "container": cid}),
        ("/hosts/unix/networks/connect/", {"network": "bridge", "container": cid}),
    ]:
        assert viewer.post(path, data).status_code == 403, path
    assert set(engine_api.inspect_container(cid)["NetworkSettings"]["Networks"]) == {name}
    assert name in _engine_networks(engine_api)
    assert not AuditEntry.objects.exists()
    operator = logged_in(make_user("op", Role.OPERATOR, unix_host))
    assert operator.post("/hosts/unix/networks/prune/").status_code == 403


def test_hostile_names_and_labels_are_escaped(admin_client, unix_host, net, engine_api):
    name = net("<script>alert(1)</script>")
    network_id = _make_network(engine_api, name, labels={"x": "<img src=x onerror=alert(1)>"})
    for page in ("/hosts/unix/networks/", f"/hosts/unix/networks/{network_id}/", "/networks/"):
        html = admin_client.get(page).content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, page


def test_across_hosts_with_a_dead_host(
    admin_client, unix_host, tls_host, net, engine_api, silent_host
):
    name = net("everywhere")
    _make_network(engine_api, name)
    data = admin_client.get("/networks/?format=json").json()
    assert [n["host"] for n in data["networks"] if n["name"] == name] == ["unix"]
    assert {n["host"] for n in data["networks"] if n["name"] == "bridge"} == {"unix", "tls"}
    assert data["errors"] == [SILENT_HOST_TIMED_OUT]
    html = admin_client.get("/networks/").content.decode()
    assert name in html and html.count("Timed out") == 1


def test_an_unreachable_host_is_a_message_not_a_500(admin_client, gone_host):
    assert "Unreachable" in admin_client.get("/hosts/gone/networks/").content.decode()
    assert admin_client.get("/hosts/gone/networks/?format=json").status_code == 502
    assert admin_client.get("/hosts/gone/networks/abc/").status_code == 502


def test_the_container_page_partial_posts_to_connect_and_disconnect(admin_user, unix_host):
    request = RequestFactory().get("/hosts/unix/containers/web-1/")
    request.user = admin_user
    html = render_to_string(
        "networks/_container_networks.html", {"host": unix_host, "ref": "web-1"}, request
    )
    assert html.count('name="container" value="web-1"') == 2
    assert 'action="/hosts/unix/networks/connect/"' in html
    assert 'action="/hosts/unix/networks/disconnect/"' in html
    assert html.count('name="next" value="/hosts/unix/containers/web-1/"') == 2
