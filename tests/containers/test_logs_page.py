"""The logs page and the .log download."""

import time

from console.access.models import AuditEntry, Role

PRINTER = ["sh", "-c", "for i in $(seq 1 30); do echo out $i; echo err $i >&2; done; sleep 600"]


def _wait_for_output(engine_api, cid, marker=b"err 30"):
    for _ in range(100):
        if marker in engine_api.logs(cid):
            return
        time.sleep(0.05)


def test_page_points_the_socket_at_the_same_options(admin_client, unix_host, make_container):
    cid = make_container("logpage-1", PRINTER)
    html = admin_client.get(
        f"/hosts/unix/containers/{cid}/logs/?tail=5&timestamps=1"
    ).content.decode()
    assert f'data-socket="/ws/hosts/unix/containers/{cid}/logs/?tail=5&amp;timestamps=1"' in html
    assert "js/logs.js" in html


def test_bad_since_is_explained(admin_client, unix_host, make_container):
    cid = make_container("logpage-2", PRINTER)
    html = admin_client.get(f"/hosts/unix/containers/{cid}/logs/?since=yesterday").content.decode()
    assert "neither a duration like 42m" in html


def test_download_is_the_engines_range(logged_in, make_user, unix_host, make_container, engine_api):
    cid = make_container("logpage-3", PRINTER)
    _wait_for_output(engine_api, cid)
    viewer = make_user("v", Role.VIEWER, unix_host)
    response = logged_in(viewer).get(f"/hosts/unix/containers/{cid}/logs/download/?tail=7&follow=1")
    assert response["Content-Disposition"] == f'attachment; filename="{cid}.log"'
    body = b"".join(response.streaming_content)
    assert body == engine_api.logs(cid, tail=7)
    assert AuditEntry.objects.get(action="container.logs_download").target == cid


def test_download_of_a_missing_container_is_404(admin_client, unix_host):
    assert admin_client.get("/hosts/unix/containers/nope/logs/download/").status_code == 404
