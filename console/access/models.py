"""Teams, per-host roles and the audit log."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Role(models.IntegerChoices):
    VIEWER = 10, "viewer"
    OPERATOR = 20, "operator"
    ADMIN = 30, "admin"


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HostRole(models.Model):
    """A team's role on one host, or on every host when `host` is empty."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="host_roles")
    host = models.ForeignKey(
        "hosts.Host", on_delete=models.CASCADE, null=True, blank=True, related_name="roles"
    )
    role = models.IntegerField(choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "host"], name="one_role_per_team_host"),
        ]

    def __str__(self) -> str:
        return f"{self.team} is {self.get_role_display()} on {self.host or 'every host'}"


def role_on(user, host) -> Role | None:
    """The highest role `user` holds on `host`, or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    best = (
        HostRole.objects.filter(team__members=user)
        .filter(Q(host=host) | Q(host__isnull=True))
        .aggregate(best=models.Max("role"))["best"]
    )
    return Role(best) if best else None


def hosts_q(user) -> Q:
    """A filter for the hosts `user` may see at all."""
    if user.is_superuser:
        return Q()
    if HostRole.objects.filter(team__members=user, host__isnull=True).exists():
        return Q()
    return Q(roles__team__members=user)


class AuditEntry(models.Model):
    """One change or session. Written by `console.access.audit`; never edited from the UI."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    # The host is kept by name too: the entry outlives the host's removal.
    host = models.ForeignKey("hosts.Host", null=True, on_delete=models.SET_NULL, related_name="+")
    host_name = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    target = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    ok = models.BooleanField(default=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.target}"
