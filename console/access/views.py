"""The audit log: every change and session, filterable, exportable, never editable here."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from console.access.models import AuditEntry, HostRole, Role
from console.access.permissions import host_for

CSV_COLUMNS = ("at", "username", "host_name", "action", "target", "ok", "error", "params")
# What a spreadsheet reads as the start of a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """`value` as a CSV cell a spreadsheet shows as text: a leading single quote when it
    would start a formula. Targets, names and errors come from users and engines: any
    of them may read `=HYPERLINK(…)`."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def visible_entries(user) -> QuerySet[AuditEntry]:
    """Superusers and admins of every host read everything; other admins read the
    entries of the hosts they administer; everyone else reads nothing."""
    if user.is_superuser:
        return AuditEntry.objects.all()
    roles = HostRole.objects.filter(team__members=user, role=Role.ADMIN)
    if roles.filter(host__isnull=True).exists():
        return AuditEntry.objects.all()
    return AuditEntry.objects.filter(host__in=roles.values("host"))


def _day(text: str, end: bool = False) -> datetime | None:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def filtered(request: HttpRequest) -> QuerySet[AuditEntry]:
    entries = visible_entries(request.user)
    params = request.GET
    if user := params.get("user", "").strip():
        entries = entries.filter(username=user)
    if host := params.get("host", "").strip():
        entries = entries.filter(Q(host__slug=host) | Q(host_name=host))
    if action := params.get("action", "").strip():
        entries = entries.filter(action__startswith=action)
    if params.get("outcome") in ("ok", "failed"):
        entries = entries.filter(ok=params["outcome"] == "ok")
    if since := _day(params.get("from", "")):
        entries = entries.filter(at__gte=since)
    if until := _day(params.get("to", ""), end=True):
        entries = entries.filter(at__lte=until)
    return entries


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = filtered(request)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for entry in entries.iterator():
            cells = (
                entry.at.isoformat(),
                entry.username,
                entry.host_name,
                entry.action,
                entry.target,
                entry.ok,
                entry.error,
                entry.params,
            )
            writer.writerow([csv_cell(cell) for cell in cells])
        return response
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "params": request.GET, "query": query.urlencode()}
    return render(request, "access/audit.html", context)


@dataclass
class Access:
    """One user's effective role on a host and where it comes from."""

    username: str
    role: Role
    via: list[str] = field(default_factory=list)


def who_can(host) -> list[Access]:
    """Every active user with a role on `host`: superusers, then members of teams that
    hold a role on this host or on every host. Highest role first."""
    rows: dict[int, Access] = {}
    for user in get_user_model().objects.filter(is_active=True, is_superuser=True):
        rows[user.pk] = Access(user.get_username(), Role.ADMIN, ["superuser"])
    grants = (
        HostRole.objects.filter(Q(host=host) | Q(host__isnull=True))
        .select_related("team")
        .prefetch_related("team__members")
        .order_by("team__name")
    )
    for grant in grants:
        role = Role(grant.role)
        scope = "this host" if grant.host_id else "every host"
        for user in grant.team.members.all():
            if not user.is_active:
                continue
            row = rows.setdefault(user.pk, Access(user.get_username(), role))
            row.role = max(row.role, role)
            row.via.append(f"{grant.team.name} ({role.label} on {scope})")
    return sorted(rows.values(), key=lambda a: (-a.role, a.username))


@require_GET
def host_access(request: HttpRequest, slug: str) -> HttpResponse:
    """Who can do what on one host; for the admins of that host."""
    host, _ = host_for(request.user, slug, "host.access")
    return render(request, "access/host_access.html", {"host": host, "rows": who_can(host)})
