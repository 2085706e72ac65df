"""Registering and editing a host. Secrets are write-only: never rendered back."""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit

from django import forms
from django.utils.text import slugify

from console import engine
from console.engine import security
from console.hosts.models import Host

KEEP_HELP = "Stored encrypted. Leave empty to keep the saved one."
# What says where the console connects and as whom: changing any of it is registering
# another engine under this host's name, so it needs what registering needs.
CONNECTION_FIELDS = (
    "url",
    "tls",
    "tls_ca_cert",
    "tls_ca_file",
    "tls_client_cert",
    "tls_client_cert_file",
    "new_tls_client_key",
    "tls_client_key_file",
    "new_ssh_private_key",
    "ssh_private_key_file",
    "new_ssh_passphrase",
)


# The host's security settings: what operators' containers may take from the machine.
SECURITY_FIELDS = (
    "allow_privileged",
    "allow_host_namespaces",
    "allow_host_binds",
    "bind_paths",
    "allow_devices",
    "allow_capabilities",
    "allow_sysctls",
    "allow_engine_socket",
)


class SecretTextarea(forms.Textarea):
    """A textarea that, like PasswordInput(render_value=False), never sends back what was
    pasted into it: an invalid form must not echo a private key into the page."""

    def format_value(self, value):
        return None


def parse_address(url: str) -> str:
    """Check a host address and return its scheme, or raise ValidationError."""
    parts = urlsplit(url)
    scheme = parts.scheme
    if scheme == "unix":
        if not parts.path.startswith("/"):
            raise forms.ValidationError(
                "A unix address needs an absolute path: unix:///var/run/docker.sock"
            )
    elif scheme == "tcp":
        try:
            port = parts.port
        except ValueError:
            port = None
        if not parts.hostname or port is None:
            raise forms.ValidationError("A TCP address needs a host and a port: tcp://host:2376")
    elif scheme == "ssh":
        if not parts.hostname or not parts.username:
            raise forms.ValidationError(
                "An SSH address needs a user and a host: ssh://user@host:22"
            )
        try:
            parts.port  # noqa: B018 - raises on a non-numeric port
        except ValueError as exc:
            raise forms.ValidationError("The SSH port must be a number.") from exc
    elif scheme == "npipe":
        if not parts.path:
            raise forms.ValidationError("A named pipe looks like npipe:////./pipe/docker_engine")
    else:
        raise forms.ValidationError(
            "The address must start with unix://, tcp://, ssh:// or npipe://"
        )
    return scheme


# A certificate chain or key file is a few kB; anything this big is the wrong file.
MAX_PEM = 1 << 20


def _pem(upload, pasted: str) -> str:
    """An uploaded file wins over pasted text."""
    if upload:
        if upload.size > MAX_PEM:
            raise forms.ValidationError(f"“{upload.name}” is larger than 1 MiB: not a PEM file.")
        return upload.read().decode("utf-8", errors="replace").strip()
    return (pasted or "").strip()


class HostForm(forms.ModelForm):
    tls_ca_file = forms.FileField(label="…or upload the CA certificate", required=False)
    tls_client_cert_file = forms.FileField(
        label="…or upload the client certificate", required=False
    )
    new_tls_client_key = forms.CharField(
        label="Client key",
        required=False,
        widget=SecretTextarea(attrs={"rows": 4}),
        help_text=KEEP_HELP,
    )
    tls_client_key_file = forms.FileField(label="…or upload the client key", required=False)
    new_ssh_private_key = forms.CharField(
        label="SSH private key",
        required=False,
        widget=SecretTextarea(attrs={"rows": 4}),
        help_text=KEEP_HELP,
    )
    ssh_private_key_file = forms.FileField(label="…or upload the private key", required=False)
    new_ssh_passphrase = forms.CharField(
        label="Key passphrase",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=KEEP_HELP,
    )

    class Meta:
        model = Host
        fields = [
            "name",
            "slug",
            "url",
            "tls",
            "tls_ca_cert",
            "tls_client_cert",
            "platform_preset",
            *SECURITY_FIELDS,
        ]
        widgets = {
            "tls_ca_cert": forms.Textarea(attrs={"rows": 4}),
            "tls_client_cert": forms.Textarea(attrs={"rows": 4}),
            "bind_paths": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"slug": "Used in URLs; made from the name when left empty."}

    def __init__(self, *args, connection_editable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        # Without the right to register hosts, the connection fields are not in the form:
        # whatever a request posts for them is never read.
        self.connection_editable = connection_editable
        if not connection_editable:
            for name in CONNECTION_FIELDS:
                del self.fields[name]

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("name", ""))[:50]
        if not slug:
            raise forms.ValidationError("Give the host a slug (letters, digits, dashes).")
        if Host.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"A host with the slug “{slug}” exists already.")
        return slug

    def clean_bind_paths(self) -> str:
        paths = [p.strip() for p in self.cleaned_data["bind_paths"].splitlines() if p.strip()]
        if wrong := [p for p in paths if not security.is_host_path(p)]:
            raise forms.ValidationError(f"Not an absolute host path: {', '.join(wrong)}")
        return "\n".join(dict.fromkeys(security.normal_path(p) for p in paths))

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        parse_address(url)
        return url

    def clean(self):
        data = super().clean()
        url = data.get("url")
        if not url:
            return data
        scheme = urlsplit(url).scheme
        if scheme == "tcp" and not data.get("tls") and self._gives_tls_material(data):
            # Certificates given with the box left unticked: they were meant to be used,
            # not dropped in silence for a plain TCP connection.
            data["tls"] = self.instance.tls = True
        if scheme == "tcp" and data.get("tls"):
            self._clean_tls(data)
        elif data.get("tls") or self._gives_tls_material(data):
            self.add_error("tls", "TLS applies to tcp:// addresses only.")
        if scheme == "ssh":
            self._clean_ssh(data)
        return data

    def _gives_tls_material(self, data) -> bool:
        """Certificates or a key uploaded or pasted now (the stored CA shown back in its
        box is not new material)."""
        pasted_ca = (data.get("tls_ca_cert") or "").strip()
        return any(
            data.get(name)
            for name in (
                "tls_ca_file",
                "tls_client_cert_file",
                "tls_client_key_file",
                "new_tls_client_key",
            )
        ) or bool(pasted_ca and pasted_ca != self.instance.tls_ca_cert.strip())

    def save(self, commit: bool = True) -> Host:
        host = self.instance
        # Credentials of a connection kind no longer in use are not kept around.
        if host.kind != "tls":
            host.tls_ca_cert = host.tls_client_cert = host.tls_client_key = ""
        if host.kind != "ssh":
            host.ssh_private_key = host.ssh_passphrase = host.ssh_host_key = ""
        return super().save(commit)

    def _clean_tls(self, data) -> None:
        data["tls_ca_cert"] = _pem(data.get("tls_ca_file"), data.get("tls_ca_cert"))
        data["tls_client_cert"] = _pem(
            data.get("tls_client_cert_file"), data.get("tls_client_cert")
        )
        new_key = _pem(data.get("tls_client_key_file"), data.get("new_tls_client_key"))
        old_key = self.instance.tls_client_key.reveal() if self.instance.pk else ""
        key = new_key or old_key
        if not data["tls_ca_cert"]:
            self.add_error(
                "tls_ca_cert", "TLS needs the CA certificate that signed the engine's certificate."
            )
            return
        if bool(data["tls_client_cert"]) != bool(key):
            self.add_error(
                "tls_client_cert", "Give both the client certificate and its key, or neither."
            )
            return
        try:
            engine.tls_context(data["tls_ca_cert"], data["tls_client_cert"], key)
        except (ssl.SSLError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            if "KEY_VALUES_MISMATCH" in str(exc):
                self.add_error(
                    "new_tls_client_key", "This key does not belong to the client certificate."
                )
            else:
                self.add_error("tls_ca_cert", f"These certificates cannot be loaded: {reason}")
            return
        self.instance.tls_client_key = key

    def _clean_ssh(self, data) -> None:
        new_key = _pem(data.get("ssh_private_key_file"), data.get("new_ssh_private_key"))
        new_passphrase = data.get("new_ssh_passphrase") or ""
        old_key = self.instance.ssh_private_key.reveal() if self.instance.pk else ""
        key = new_key or old_key
        passphrase = new_passphrase or (
            self.instance.ssh_passphrase.reveal() if self.instance.pk else ""
        )
        if not key:
            self.add_error("new_ssh_private_key", "SSH needs a private key the server accepts.")
            return
        try:
            engine.load_private_key(key, passphrase)
        except Exception as exc:  # paramiko raises many kinds for unreadable keys
            self.add_error("new_ssh_private_key", f"This private key cannot be read: {exc}")
            return
        self.instance.ssh_private_key = key
        self.instance.ssh_passphrase = passphrase
        old = urlsplit(self.instance.url) if self.instance.pk else None
        new = urlsplit(data["url"])
        # A pin belongs to the server at an address; a new address needs a new confirmation.
        if old is None or (old.hostname, old.port) != (new.hostname, new.port):
            self.instance.ssh_host_key = ""
