"""What a stolen or world-readable database file gives: the data directory is the
console's alone, and the sessions table holds no usable session key."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from django.contrib.sessions.models import Session

ROOT = Path(__file__).resolve().parents[2]


def _manage(data: Path, *args: str) -> None:
    env = os.environ | {"CONSOLE_DATA_DIR": str(data)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def _modes(data: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.iterdir() if p.is_file()}


def test_a_new_data_directory_is_private(tmp_path):
    data = tmp_path / "var"
    _manage(data, "migrate", "--noinput", "-v0")
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    modes = _modes(data)
    assert "console.sqlite3" in modes and "secret.key" in modes
    assert set(modes.values()) == {0o600}, modes


def test_an_existing_readable_data_directory_is_closed(tmp_path):
    data = tmp_path / "var"
    _manage(data, "migrate", "--noinput", "-v0")
    data.chmod(0o755)
    for entry in data.iterdir():
        if entry.is_file():
            entry.chmod(0o644)
    _manage(data, "check")
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert set(_modes(data).values()) == {0o600}


def test_the_sessions_table_holds_no_usable_key(client, make_user):
    user = make_user("someone")
    assert client.post(
        "/accounts/login/", {"username": "someone", "password": "pw-someone"}
    ).status_code in (302, 303)
    cookie = client.cookies["sessionid"].value
    assert client.get("/hosts/").status_code == 200
    rows = list(Session.objects.values_list("session_key", flat=True))
    assert rows and cookie not in rows
    # What a thief reads from the table, put into a cookie, is no session.
    client.cookies["sessionid"] = rows[0]
    response = client.get("/hosts/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    # Logging out removes the row.
    client.cookies["sessionid"] = cookie
    client.post("/accounts/logout/")
    assert not Session.objects.exists()
    assert user.pk
