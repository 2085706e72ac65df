"""An engine error a view leaves unhandled becomes a page that says so."""

from console.hosts.models import Host


def test_a_dead_engine_on_a_container_page_is_a_502_page_not_a_crash(admin_client, db, tmp_path):
    Host.objects.create(name="dead", slug="dead", url=f"unix://{tmp_path}/none.sock")
    response = admin_client.get("/hosts/dead/containers/web/")
    assert response.status_code == 502
    html = response.content.decode()
    assert "Unreachable" in html and "no such socket" in html
