"""`manage.py hosts`: every registered host with its status."""

from django.core.management.base import BaseCommand

from console import engine
from console.hosts.models import Host


class Command(BaseCommand):
    help = "List registered hosts and whether their engines answer."

    def handle(self, *args, **opts):
        hosts = list(Host.objects.all())
        if not hosts:
            self.stdout.write("no hosts registered")
            return
        for result in engine.fan_out(hosts, engine.engine_summary):
            host = result.host
            if result.ok:
                s = result.value
                status = (
                    f"up      {s.platform:<8} engine {s.engine_version} API {s.api_version}, "
                    f"{s.containers_running} running"
                )
            else:
                status = f"down    {result.error.title}: {result.error.message}"
            self.stdout.write(f"{host.slug:<20} {host.kind:<6} {host.url:<40} {status}")
