"""Every view and consumer reaches a host through these: a host the user has no
role on does not exist for them (404); a role too low is refused (403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from console.access.models import HostRole, Role, hosts_q, role_on
from console.access.policy import needs
from console.engine.security import UNRESTRICTED, ContainerPolicy
from console.hosts.models import Host


def visible_hosts(user) -> QuerySet[Host]:
    if not user.is_authenticated:
        return Host.objects.none()
    return Host.objects.filter(hosts_q(user)).distinct()


def host_for(user, slug: str, action: str = "host.view") -> tuple[Host, Role]:
    """The host named by `slug` and the user's role on it, if that role may do `action`
    (the policy table's word on it)."""
    need = needs(action)
    try:
        host = visible_hosts(user).get(slug=slug)
    except Host.DoesNotExist:
        raise Http404("No such host.") from None
    role = role_on(user, host)
    if role is None:
        raise Http404("No such host.")
    if role < need:
        raise PermissionDenied(
            f"This needs the {need.label} role on {host.name}; you are {role.label}."
        )
    return host, role


def can_add_hosts(user) -> bool:
    """Superusers, and admins of every host, may register new hosts."""
    if user.is_superuser:
        return True
    return HostRole.objects.filter(team__members=user, host__isnull=True, role=Role.ADMIN).exists()


def can_manage_teams(user) -> bool:
    """Who may manage teams, users and roles: the same people who may register hosts."""
    return user.is_authenticated and can_add_hosts(user)


def container_policy(host: Host, role: Role) -> ContainerPolicy:
    """What containers this role starts on `host` may take from its machine: anything for
    the host's admins, the host's security settings for everyone else."""
    return UNRESTRICTED if role >= needs("host.edit") else host.container_policy()
