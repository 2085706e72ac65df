"""Register a host from a script: `manage.py addhost NAME URL [options]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from console import engine
from console.access import audit
from console.engine.errors import EngineError
from console.hosts.forms import HostForm


def _read(path: str | None) -> str:
    return Path(path).read_text() if path else ""


class Command(BaseCommand):
    help = "Register a Docker host (unix://, tcp://, ssh:// or npipe:// address)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("url")
        parser.add_argument("--slug", default="")
        parser.add_argument("--tls-ca", help="CA certificate file; implies TLS")
        parser.add_argument("--tls-cert", help="client certificate file")
        parser.add_argument("--tls-key", help="client key file")
        parser.add_argument("--ssh-key", help="SSH private key file")
        parser.add_argument("--ssh-passphrase-file", help="file holding the key's passphrase")
        parser.add_argument(
            "--trust-host-key",
            action="store_true",
            help="pin the SSH host key the server presents now, without asking",
        )
        parser.add_argument("--platform", choices=["linux", "windows", "wsl2"], default="")

    def handle(self, *args, **opts):
        data = {
            "name": opts["name"],
            "slug": opts["slug"],
            "url": opts["url"],
            "tls": bool(opts["tls_ca"]),
            "tls_ca_cert": _read(opts["tls_ca"]),
            "tls_client_cert": _read(opts["tls_cert"]),
            "new_tls_client_key": _read(opts["tls_key"]),
            "new_ssh_private_key": _read(opts["ssh_key"]),
            "new_ssh_passphrase": _read(opts["ssh_passphrase_file"]).strip(),
            "platform_preset": opts["platform"],
        }
        form = HostForm(data)
        if not form.is_valid():
            problems = "; ".join(
                f"{field}: {' '.join(errs)}" for field, errs in form.errors.items()
            )
            raise CommandError(problems)
        host = form.save()
        audit.record(
            None,
            "host.add",
            host=host,
            target=host.slug,
            params={"url": host.url, "via": "addhost"},
        )
        self.stdout.write(f"registered {host.slug} ({host.get_kind_display()}, {host.url})")
        if host.kind == "ssh" and opts["trust_host_key"]:
            try:
                line, fp = engine.ssh_host_key(host.url)
            except EngineError as exc:
                raise CommandError(f"cannot fetch the host key: {exc.message}") from exc
            host.ssh_host_key = line
            host.save()
            self.stdout.write(f"pinned host key {fp}")
        elif host.kind == "ssh":
            self.stdout.write("the host key is not pinned yet: confirm it on the host's page")
