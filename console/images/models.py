"""Registries the console knows: where images are pulled from and pushed to, with the
credentials to use there (stored encrypted, never shown back)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import models
from django.urls import reverse

from console.engine.reference import BadReference, parse_reference
from console.hosts.vault import EncryptedTextField, Sealed

# Every spelling of Docker Hub resolves to the name docker-py and the engine use for it.
HUB = "docker.io"
HUB_ALIASES = frozenset({HUB, "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})


def registry_host(url: str) -> str:
    """host[:port] of a registry address, Docker Hub's spellings made one."""
    netloc = urlsplit(url if "://" in url else f"https://{url}").netloc.lower()
    return HUB if netloc in HUB_ALIASES else netloc


class Registry(models.Model):
    name = models.CharField(max_length=100, unique=True)
    url = models.CharField(
        "address",
        max_length=300,
        help_text="https://registry.example.com or http://127.0.0.1:5000 (plain http only "
        "for registries the engines treat as insecure, such as 127.0.0.0/8).",
    )
    username = models.CharField(max_length=200, blank=True)
    password = EncryptedTextField("password or token", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "registries"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registries:edit", args=[self.pk])

    @property
    def host(self) -> str:
        """The registry part of image references that live here (127.0.0.1:5000)."""
        return registry_host(self.url)

    @property
    def is_hub(self) -> bool:
        return self.host == HUB

    @property
    def base_url(self) -> str:
        """Where its v2 API answers: https unless the address says http."""
        if self.is_hub:
            return "https://registry-1.docker.io"
        scheme = urlsplit(self.url).scheme if "://" in self.url else "https"
        return f"{scheme}://{self.host}"

    def credentials(self):
        """The plain credentials the engine layer takes (None when anonymous)."""
        from console.engine.registry import Credentials

        if not self.username and not self.password:
            return None
        secret = self.password
        password = secret.reveal() if isinstance(secret, Sealed) else str(secret or "")
        return Credentials(self.username, password, self.host)


def registry_of(ref) -> str:
    """The registry an image reference (name[:tag|@digest], or a parsed Reference) lives
    in: "docker.io" when its first part names no host."""
    name = ref.name if hasattr(ref, "name") else parse_reference(ref).name
    first, slash, _ = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return registry_host(first)
    return HUB


def credentials_for(ref):
    """Credentials of the configured registry that `ref` lives in (None: anonymous, also
    for a reference that is not valid: the engine then says what is wrong with it)."""
    try:
        host = registry_of(ref)
    except BadReference:
        return None
    for registry in Registry.objects.all():
        if registry.host == host:
            return registry.credentials()
    return None
