"""The merged logs page offers the compose projects it finds."""

import pytest


@pytest.mark.django_db
def test_page_offers_projects(admin_client, unix_host, make_container):
    make_container("proj-x", labels={"com.docker.compose.project": "proj"}, start=False)
    html = admin_client.get("/hosts/unix/logs/").content.decode()
    assert "<option>proj</option>" in html
    html = admin_client.get("/hosts/unix/logs/?project=proj").content.decode()
    assert "/ws/hosts/unix/logs/?containers=&amp;project=proj" in html
