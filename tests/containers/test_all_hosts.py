"""/containers/: every visible host's containers in one list."""

from console.access.models import Role
from console.hosts.models import Host


def test_lists_containers_of_every_host_with_a_host_column(
    admin_client, unix_host, tls_host, make_container, silent_server
):
    make_container("everywhere-1")
    Host.objects.create(name="silent", slug="silent", url=silent_server)
    data = admin_client.get("/containers/?format=json").json()
    mine = [c for c in data["containers"] if c["name"] == "everywhere-1"]
    assert [c["host"] for c in mine] == ["unix"]
    assert data["errors"] == [
        {"host": "silent", "error": "Timed out", "reason": "No answer within 1.5 s."}
    ]
    html = admin_client.get("/containers/").content.decode()
    assert "everywhere-1" in html
    assert html.count("Timed out") == 1


def test_hosts_without_a_role_are_not_asked(
    logged_in, make_user, unix_host, tls_host, make_container
):
    make_container("only-on-a")
    viewer = make_user("v", Role.VIEWER, tls_host)
    data = logged_in(viewer).get("/containers/?all=1&format=json").json()
    assert all(c["host"] == "tls" for c in data["containers"])
    assert "only-on-a" not in {c["name"] for c in data["containers"]}
