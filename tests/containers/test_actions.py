"""Lifecycle actions: each one's effect is checked on the engine afterwards."""

import pytest

from console.access.models import AuditEntry, Role


def _state(engine_api, ref) -> dict:
    return engine_api.inspect_container(ref)["State"]


def test_stop_then_start(admin_client, unix_host, make_container, engine_api):
    cid = make_container("life-1")
    response = admin_client.post(f"/hosts/unix/containers/{cid}/stop/", {"timeout": "5"})
    assert response.status_code == 302
    assert _state(engine_api, cid)["Status"] == "exited"
    admin_client.post(f"/hosts/unix/containers/{cid}/start/")
    assert _state(engine_api, cid)["Running"] is True
    actions = list(AuditEntry.objects.values_list("action", "ok", "params"))
    assert actions == [("container.start", True, {}), ("container.stop", True, {"timeout": 5})]


def test_restart_changes_the_start_time(admin_client, unix_host, make_container, engine_api):
    cid = make_container("life-2")
    before = _state(engine_api, cid)["StartedAt"]
    admin_client.post(f"/hosts/unix/containers/{cid}/restart/", {"timeout": "1"})
    after = _state(engine_api, cid)
    assert after["Running"] and after["StartedAt"] != before


def test_kill_with_a_signal(admin_client, unix_host, make_container, engine_api):
    cid = make_container("life-3", ["sh", "-c", "trap 'exit 42' USR1; sleep 600 & wait"])
    admin_client.post(f"/hosts/unix/containers/{cid}/kill/", {"signal": "usr1"})
    engine_api.wait(cid, timeout=10)
    assert _state(engine_api, cid)["ExitCode"] == 42


def test_pause_and_unpause(admin_client, unix_host, make_container, engine_api):
    cid = make_container("life-4")
    admin_client.post(f"/hosts/unix/containers/{cid}/pause/")
    assert _state(engine_api, cid)["Paused"] is True
    admin_client.post(f"/hosts/unix/containers/{cid}/unpause/")
    assert _state(engine_api, cid)["Paused"] is False


def test_remove_running_without_force_shows_the_engines_refusal(
    admin_client, unix_host, make_container, engine_api
):
    cid = make_container("life-5")
    response = admin_client.post(f"/hosts/unix/containers/{cid}/remove/", follow=True)
    html = response.content.decode()
    assert "You cannot remove a running container" in html
    assert _state(engine_api, cid)["Running"]
    entry = AuditEntry.objects.get(action="container.remove")
    assert not entry.ok and "running container" in entry.error


def test_remove_with_force_and_anonymous_volumes(
    admin_client, unix_host, make_container, engine_api
):
    cid = make_container("life-6", volumes=["/data"])
    volume = engine_api.inspect_container(cid)["Mounts"][0]["Name"]
    page = admin_client.get(f"/hosts/unix/containers/{cid}/remove/").content.decode()
    assert "Remove life-6?" in page and "is <strong>running</strong>" in page
    admin_client.post(f"/hosts/unix/containers/{cid}/remove/", {"force": "on", "volumes": "on"})
    assert not engine_api.containers(all=True, filters={"id": cid})
    assert volume not in {v["Name"] for v in engine_api.volumes()["Volumes"] or []}


def test_rename(admin_client, unix_host, make_container, engine_api):
    cid = make_container("life-7")
    response = admin_client.post(f"/hosts/unix/containers/{cid}/rename/", {"name": "life-7b"})
    assert response.status_code == 302 and response.url.endswith("/life-7b/")
    assert engine_api.inspect_container(cid)["Name"] == "/life-7b"


def test_rename_to_a_taken_name_shows_the_engines_conflict(
    admin_client, unix_host, make_container, engine_api
):
    cid = make_container("life-8")
    make_container("life-8-other", start=False)
    response = admin_client.post(f"/hosts/unix/containers/{cid}/rename/", {"name": "life-8-other"})
    assert response.status_code == 200
    assert "is already in use" in response.content.decode()
    assert engine_api.inspect_container(cid)["Name"] == "/life-8"


def test_htmx_action_returns_the_refreshed_row(admin_client, unix_host, make_container):
    cid = make_container("life-9")
    response = admin_client.post(
        f"/hosts/unix/containers/{cid}/stop/", {"timeout": "1"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="c-{cid}"')
    assert 'data-state="exited"' in html
    assert 'hx-swap-oob="true"' in html and "stop" in html


def test_container_gone_before_the_action(admin_client, unix_host, make_container, engine_api):
    cid = make_container("life-10")
    engine_api.remove_container(cid, force=True)
    response = admin_client.post(
        f"/hosts/unix/containers/{cid}/stop/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "no longer exists" in html
    assert "<tr" not in html


def test_unknown_action_is_404(admin_client, unix_host, make_container):
    cid = make_container("life-11", start=False)
    assert admin_client.post(f"/hosts/unix/containers/{cid}/explode/").status_code == 404


@pytest.mark.parametrize("action", ["stop", "kill", "pause", "remove"])
def test_viewer_is_refused_and_the_engine_unchanged(
    logged_in, make_user, unix_host, make_container, engine_api, action
):
    cid = make_container(f"guarded-{action}")
    viewer = make_user("v", Role.VIEWER, unix_host)
    response = logged_in(viewer).post(f"/hosts/unix/containers/{cid}/{action}/", {"force": "on"})
    assert response.status_code == 403
    state = _state(engine_api, cid)
    assert state["Running"] and not state["Paused"]
    assert not AuditEntry.objects.exists()


def test_bulk_actions_on_checked_rows(logged_in, make_user, unix_host, make_container, engine_api):
    a, b, c = (make_container(f"bulk-{n}") for n in "abc")
    operator = make_user("op", Role.OPERATOR, unix_host)
    client = logged_in(operator)
    response = client.post("/hosts/unix/containers/bulk/", {"action": "stop", "ids": [a, b]})
    assert response.status_code == 302
    assert not _state(engine_api, a)["Running"] and not _state(engine_api, b)["Running"]
    assert _state(engine_api, c)["Running"]
    client.post("/hosts/unix/containers/bulk/", {"action": "remove", "ids": [a, b, c]})
    assert not engine_api.containers(all=True, filters={"name": "bulk-"})
    assert AuditEntry.objects.filter(action="container.remove", ok=True).count() == 3
