"""What every benchmark needs: Django on a throw-away database, a fleet of real
engines (the running one named by CONSOLE_FLEET_STATE, or a fresh one), and a
logged-in client."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CONSOLE_DATA_DIR", tempfile.mkdtemp(prefix="console-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from tests import fleet as fleet_module  # noqa: E402


@contextlib.contextmanager
def fleet() -> Iterator[fleet_module.Fleet]:
    if state := os.environ.get("CONSOLE_FLEET_STATE"):
        yield fleet_module.Fleet.from_json(Path(state).read_text())
        return
    started = fleet_module.start(tempfile.mkdtemp(prefix="console-fleet-"))
    try:
        yield started
    finally:
        started.stop()


def admin_client() -> Client:
    call_command("migrate", verbosity=0)
    admin = get_user_model().objects.create_superuser("bench", password="bench-pw")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    return client
