"""First-start set-up for `make run`: the first admin and the local engine.

Idempotent: running it again changes nothing that exists.
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from console import engine
from console.engine.errors import EngineError
from console.hosts.models import Host


def local_engine_url() -> str | None:
    url = os.environ.get("DOCKER_HOST", "")
    if url:
        return url
    if os.path.exists("/var/run/docker.sock"):
        return "unix:///var/run/docker.sock"
    return None


class Command(BaseCommand):
    help = "Create the first superuser and register the local engine when one answers."

    def handle(self, *args, **opts):
        self._first_admin()
        self._local_engine()

    def _first_admin(self) -> None:
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            return
        username = os.environ.get("CONSOLE_ADMIN_USERNAME", "admin")
        password = os.environ.get("CONSOLE_ADMIN_PASSWORD", "")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        if generated:
            self.stdout.write(
                f"\n  First admin: {username}\n  Password:    {password}\n"
                "  (shown once; change it after logging in)\n"
            )
        else:
            self.stdout.write(f"first admin {username} created")

    def _local_engine(self) -> None:
        url = local_engine_url()
        if not url or Host.objects.filter(slug="local").exists():
            return
        if url.startswith("tcp://") and os.environ.get("DOCKER_TLS_VERIFY"):
            self.stdout.write(
                "DOCKER_HOST uses TLS: register it with `manage.py addhost` and its certificates"
            )
            return
        host = Host(name="local", slug="local", url=url)
        try:
            summary = engine.fan_out([host], engine.engine_summary)[0]
        finally:
            engine.forget(host)
        if not summary.ok:
            error: EngineError = summary.error
            self.stdout.write(f"local engine at {url} not registered: {error.message}")
            return
        host.platform_detected = summary.value.platform
        host.save()
        self.stdout.write(f"registered the local engine as host 'local' ({url})")
