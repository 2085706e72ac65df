"""Container detail, inspect and top."""

from console.access.models import Role


def test_detail_summary_from_the_engine(admin_client, unix_host, make_container, engine_api):
    cid = make_container(
        "detail-1",
        environment={"GREETING": "<b>hi</b>"},
        labels={"owner": "<script>alert(1)</script>"},
        volumes=["/data"],
        working_dir="/tmp",
    )
    # Env values show only when revealed (a POST); escaped then too.
    page = admin_client.post("/hosts/unix/containers/detail-1/")
    html = page.content.decode()
    assert cid in html
    assert "running" in html
    assert "&lt;b&gt;hi&lt;/b&gt;" in html and "<b>hi</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "/data" in html
    assert engine_api.inspect_container(cid)["Mounts"][0]["Name"] in html
    assert "/tmp" in html


def test_detail_by_short_id_and_missing_is_404(admin_client, unix_host, make_container):
    cid = make_container("detail-2", start=False)
    assert admin_client.get(f"/hosts/unix/containers/{cid[:12]}/").status_code == 200
    assert admin_client.get("/hosts/unix/containers/no-such-thing/").status_code == 404


def test_inspect_json_is_the_engines(admin_client, unix_host, make_container, engine_api):
    cid = make_container("detail-3", start=False)
    data = admin_client.post(f"/hosts/unix/containers/{cid}/inspect/?format=json").json()
    assert data == engine_api.inspect_container(cid)
    html = admin_client.get(f"/hosts/unix/containers/{cid}/inspect/").content.decode()
    assert "data-copy-target" in html


def test_top_shows_the_engines_columns(logged_in, make_user, unix_host, make_container, engine_api):
    cid = make_container("detail-4")
    viewer = make_user("v", Role.VIEWER, unix_host)
    client = logged_in(viewer)
    html = client.get(f"/hosts/unix/containers/{cid}/top/").content.decode()
    for title in engine_api.top(cid)["Titles"]:
        assert f"<th>{title}</th>" in html
    assert "sleep 600" in html
    partial = client.get(
        f"/hosts/unix/containers/{cid}/top/?ps_args=-o+pid,comm", headers={"HX-Request": "true"}
    ).content.decode()
    assert partial.lstrip().startswith('<section id="top">')
    assert "<th>COMMAND</th>" in partial


def test_top_of_a_stopped_container_says_why(admin_client, unix_host, make_container):
    cid = make_container("detail-5", start=False)
    html = admin_client.get(f"/hosts/unix/containers/{cid}/top/").content.decode()
    assert "is not running" in html
