"""/audit/: who sees which entries, filters, CSV, hostile values inert."""

import csv
import io

from console.access.audit import record
from console.access.models import AuditEntry, Role
from console.hosts.models import Host


def _entries(db):
    a = Host.objects.create(name="a", slug="a", url="unix:///a.sock")
    b = Host.objects.create(name="b", slug="b", url="unix:///b.sock")
    record(None, "container.stop", host=a, target="web", params={"timeout": 5})
    record(
        None, "container.remove", host=b, target="db", error="You cannot remove a running container"
    )
    record(None, "host.add", host=a, target="<script>alert(1)</script>")
    return a, b


def test_anonymous_is_sent_to_login(client, db):
    assert client.get("/audit/").status_code == 302


def test_superuser_sees_everything_and_filters(admin_client, db):
    _entries(db)
    html = admin_client.get("/audit/").content.decode()
    assert "container.stop" in html and "container.remove" in html
    html = admin_client.get("/audit/?action=container.&outcome=failed").content.decode()
    assert "container.remove" in html and "container.stop" not in html
    assert "You cannot remove a running container" in html
    html = admin_client.get("/audit/?host=a").content.decode()
    assert "container.remove" not in html and "container.stop" in html


def test_admin_of_one_host_sees_only_that_host(logged_in, make_user, db):
    a, _ = _entries(db)
    html = logged_in(make_user("adm", Role.ADMIN, a)).get("/audit/").content.decode()
    assert "container.stop" in html and "container.remove" not in html


def test_viewer_and_operator_see_nothing(logged_in, make_user, db):
    a, _ = _entries(db)
    html = logged_in(make_user("op", Role.OPERATOR, a)).get("/audit/").content.decode()
    assert "No entries." in html


def test_hostile_values_render_inert(admin_client, db):
    _entries(db)
    html = admin_client.get("/audit/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_csv_export_has_the_filtered_rows(admin_client, db):
    _entries(db)
    response = admin_client.get("/audit/?action=container.&format=csv")
    assert response["Content-Disposition"] == 'attachment; filename="audit.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["at", "username", "host_name", "action"]
    assert sorted(r[3] for r in rows[1:]) == ["container.remove", "container.stop"]
    assert AuditEntry.objects.count() == 3  # reading changes nothing
