"""The host registry: one row per Docker engine the console manages."""

from urllib.parse import urlsplit

from django.db import models
from django.urls import reverse

from console.engine.security import ContainerPolicy
from console.hosts.vault import EncryptedTextField


class Kind(models.TextChoices):
    UNIX = "unix", "Unix socket"
    TCP = "tcp", "TCP (no TLS)"
    TLS = "tls", "TCP + TLS"
    SSH = "ssh", "SSH"
    NPIPE = "npipe", "Windows named pipe"


class Platform(models.TextChoices):
    LINUX = "linux", "Linux"
    WINDOWS = "windows", "Windows"
    WSL2 = "wsl2", "WSL2"


class Host(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=50, unique=True)
    url = models.CharField(
        "address",
        max_length=300,
        help_text="unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host:22 or "
        "npipe:////./pipe/docker_engine",
    )
    tls = models.BooleanField("use TLS", default=False)
    # Certificates are public; only the client key is secret.
    tls_ca_cert = models.TextField("CA certificate", blank=True)
    tls_client_cert = models.TextField("client certificate", blank=True)
    tls_client_key = EncryptedTextField("client key", blank=True)
    ssh_private_key = EncryptedTextField("SSH private key", blank=True)
    ssh_passphrase = EncryptedTextField("SSH key passphrase", blank=True)
    # Pinned host key as an OpenSSH public key line ("ssh-ed25519 AAAA...").
    ssh_host_key = models.TextField("pinned SSH host key", blank=True)
    platform_preset = models.CharField(
        "platform",
        max_length=10,
        choices=Platform.choices,
        blank=True,
        help_text="Leave empty to detect it from the engine.",
    )
    platform_detected = models.CharField(max_length=10, choices=Platform.choices, blank=True)
    # Security settings: what containers started by operators may take from the engine's
    # machine (admins of the host may always). Each is root on that machine.
    allow_privileged = models.BooleanField(
        "privileged mode and weakened confinement (--privileged, --security-opt …unconfined)",
        default=False,
    )
    allow_host_namespaces = models.BooleanField(
        "the machine's namespaces (--network/--pid/--ipc/--uts/--userns=host)", default=False
    )
    allow_host_binds = models.BooleanField("any host path (-v /path:…, --mount)", default=False)
    bind_paths = models.TextField(
        "host paths operators may bind",
        blank=True,
        help_text="One absolute path a line: exactly these paths, not the paths below them.",
    )
    allow_devices = models.BooleanField("devices (--device, --gpus)", default=False)
    allow_capabilities = models.BooleanField("added capabilities (--cap-add)", default=False)
    allow_sysctls = models.BooleanField("kernel settings (--sysctl)", default=False)
    allow_engine_socket = models.BooleanField(
        "the engine's socket (-v /var/run/docker.sock:…)", default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("hosts:detail", args=[self.slug])

    @property
    def kind(self) -> Kind:
        scheme = urlsplit(self.url).scheme
        if scheme == "tcp":
            return Kind.TLS if self.tls else Kind.TCP
        return Kind(scheme)

    def get_kind_display(self) -> str:
        return self.kind.label

    @property
    def platform(self) -> str:
        """What the engine said it runs on, else what the admin preset."""
        return self.platform_detected or self.platform_preset

    def get_platform_display(self) -> str:
        return Platform(self.platform).label if self.platform else "unknown"

    def container_policy(self) -> ContainerPolicy:
        """What this host's security settings give those who are not its admins."""
        return ContainerPolicy(
            privileged=self.allow_privileged,
            host_namespaces=self.allow_host_namespaces,
            host_binds=self.allow_host_binds,
            bind_paths=tuple(p.strip() for p in self.bind_paths.splitlines() if p.strip()),
            devices=self.allow_devices,
            capabilities=self.allow_capabilities,
            sysctls=self.allow_sysctls,
            engine_socket=self.allow_engine_socket,
        )

    def record_platform(self, platform: str) -> None:
        if platform and platform != self.platform_detected:
            self.platform_detected = platform
            # update() keeps updated_at, so the cached engine client stays valid.
            Host.objects.filter(pk=self.pk).update(platform_detected=platform)
