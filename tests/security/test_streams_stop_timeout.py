"""A stop or restart waits `timeout` seconds for the container, inside the request: the
console takes at most STOP_TIMEOUT_MAX (the CLI has no bound), and says so."""

from __future__ import annotations

import pytest

from console.access.models import AuditEntry
from console.containers.views import STOP_TIMEOUT_MAX


@pytest.mark.parametrize("action", ["stop", "restart"])
@pytest.mark.parametrize("timeout", ["3000000", str(STOP_TIMEOUT_MAX + 1), "-1", "ten"])
def test_a_timeout_out_of_bounds_is_a_400(
    admin_client, unix_host, make_container, engine_api, action, timeout
):
    cid = make_container(f"security-{action}-timeout")
    started = engine_api.inspect_container(cid)["State"]["StartedAt"]
    response = admin_client.post(f"/hosts/unix/containers/{cid}/{action}/", {"timeout": timeout})
    assert response.status_code == 400
    assert f"between 0 and {STOP_TIMEOUT_MAX} seconds" in response.content.decode()
    state = engine_api.inspect_container(cid)["State"]
    assert state["Running"] and state["StartedAt"] == started  # the engine was not asked
    assert not AuditEntry.objects.exists()


def test_the_largest_timeout_is_taken(admin_client, unix_host, make_container, engine_api):
    cid = make_container("security-stop-max")  # stops at TERM: the timeout is not waited
    response = admin_client.post(
        f"/hosts/unix/containers/{cid}/stop/", {"timeout": str(STOP_TIMEOUT_MAX)}
    )
    assert response.status_code == 302
    assert engine_api.inspect_container(cid)["State"]["Running"] is False
    entry = AuditEntry.objects.get(action="container.stop")
    assert entry.params == {"timeout": STOP_TIMEOUT_MAX}
