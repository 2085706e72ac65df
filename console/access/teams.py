"""/teams/: teams, their members, console users and the roles teams hold on hosts.

Only superusers and admins of every host manage these (`can_manage_teams`); every
change is audited, never with a password.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from console.access import audit
from console.access.forms import (
    AddMemberForm,
    GrantRoleForm,
    NewUserForm,
    RemoveMemberForm,
    RevokeRoleForm,
    TeamForm,
)
from console.access.models import HostRole, Role, Team
from console.access.notify import notify_access_changed
from console.access.permissions import can_manage_teams
from console.hosts.models import Host

User = get_user_model()


def team_manager_only(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_manage_teams(request.user):
            raise PermissionDenied("Only superusers and admins of every host manage teams.")
        return view(request, *args, **kwargs)

    return wrapped


def generated_password() -> str:
    """A password for someone else, shown once: 20 URL-safe characters (120 bits)."""
    return secrets.token_urlsafe(15)


def _team(pk: int) -> Team:
    return get_object_or_404(Team, pk=pk)


@require_http_methods(["GET"])
@team_manager_only
def team_list(request: HttpRequest) -> HttpResponse:
    teams = Team.objects.prefetch_related(
        "members", Prefetch("host_roles", HostRole.objects.select_related("host"))
    )
    context = {"teams": teams, "hosts": Host.objects.order_by("name"), "form": TeamForm()}
    return render(request, "access/teams.html", context)


@require_http_methods(["GET", "POST"])
@team_manager_only
def team_new(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = form.save()
        audit.record(request.user, "team.create", target=team.name)
        messages.success(request, f"Team {team.name} created.")
        return redirect("access:detail", team.pk)
    status = 400 if form.is_bound else 200
    return render(request, "access/team_form.html", {"form": form}, status=status)


def _team_page(request: HttpRequest, team: Team, status: int = 200, **forms) -> HttpResponse:
    context = {
        "team": team,
        "members": team.members.order_by(User.USERNAME_FIELD),
        "grants": team.host_roles.select_related("host").order_by("host__name"),
        "add_form": forms.get("add_form") or AddMemberForm(team=team),
        "user_form": forms.get("user_form") or NewUserForm(),
        "grant_form": forms.get("grant_form") or GrantRoleForm(),
    }
    return render(request, "access/team.html", context, status=status)


@require_http_methods(["GET"])
@team_manager_only
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _team_page(request, _team(pk))


@require_http_methods(["GET", "POST"])
@team_manager_only
def team_rename(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(pk)
    old = team.name
    form = TeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(request.user, "team.rename", target=team.name, params={"from": old})
        messages.success(request, f"Team {old} is now {team.name}.")
        return redirect("access:detail", team.pk)
    team.name = old  # an invalid name must not show up as the team's name
    status = 400 if form.is_bound else 200
    return render(request, "access/team_form.html", {"form": form, "team": team}, status=status)


@require_http_methods(["GET", "POST"])
@team_manager_only
def team_delete(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(pk)
    if request.method == "POST":
        name = team.name
        members = list(team.members.values_list("pk", flat=True))
        team.delete()
        notify_access_changed(members)
        audit.record(request.user, "team.delete", target=name)
        messages.success(request, f"Team {name} deleted.")
        return redirect("access:list")
    return render(request, "access/team_delete.html", {"team": team})


def _done(request, team: Team, action: str, message: str, /, on=None, **params) -> HttpResponse:
    """Audit one change to `team` (on host `on`; params: never a secret), say so, and go
    back to the team."""
    audit.record(request.user, action, host=on, target=team.name, params=params)
    messages.success(request, message)
    return redirect("access:detail", team.pk)


@require_POST
@team_manager_only
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(pk)
    form = AddMemberForm(request.POST, team=team)
    if not form.is_valid():
        return _team_page(request, team, status=400, add_form=form)
    user = form.cleaned_data["user"]
    team.members.add(user)
    name = user.get_username()
    return _done(request, team, "team.add_member", f"{name} joined {team.name}.", user=name)


@require_POST
@team_manager_only
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(pk)
    form = RemoveMemberForm(request.POST, team=team)
    if not form.is_valid():
        messages.error(request, "That user is not a member of this team.")
        return redirect("access:detail", team.pk)
    user = form.cleaned_data["user"]
    team.members.remove(user)
    notify_access_changed([user.pk])
    name = user.get_username()
    return _done(request, team, "team.remove_member", f"{name} left {team.name}.", user=name)


@never_cache
@require_POST
@team_manager_only
def user_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A new console user in this team, with a generated password shown on this page once."""
    team = _team(pk)
    form = NewUserForm(request.POST)
    if not form.is_valid():
        return _team_page(request, team, status=400, user_form=form)
    password = generated_password()
    with transaction.atomic():
        user = form.save(commit=False)
        user.set_password(password)
        user.save()
        team.members.add(user)
    audit.record(
        request.user, "user.create", target=user.get_username(), params={"team": team.name}
    )
    context = {"team": team, "new_user": user, "password": password}
    return render(request, "access/user_created.html", context)


def _role_changed(request, team: Team, action: str, host, role: Role, verb: str) -> HttpResponse:
    where = host.name if host else "every host"
    message = f"{team.name} {verb} {role.label} on {where}."
    slug = host.slug if host else "*"
    return _done(
        request, team, action, message, on=host, team=team.name, role=role.label, host=slug
    )


@require_POST
@team_manager_only
def role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(pk)
    form = GrantRoleForm(request.POST)
    if not form.is_valid():
        return _team_page(request, team, status=400, grant_form=form)
    host, role = form.cleaned_data["host"], Role(form.cleaned_data["role"])
    HostRole.objects.update_or_create(team=team, host=host, defaults={"role": role})
    notify_access_changed(team.members.values_list("pk", flat=True))  # a role may be lowered
    return _role_changed(request, team, "team.grant", host, role, "is")


@require_POST
@team_manager_only
def role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(pk)
    form = RevokeRoleForm(request.POST, team=team)
    if not form.is_valid():
        messages.error(request, "This team holds no such role.")
        return redirect("access:detail", team.pk)
    grant = form.cleaned_data["grant"]
    host, role = grant.host, Role(grant.role)
    grant.delete()
    notify_access_changed(team.members.values_list("pk", flat=True))
    return _role_changed(request, team, "team.revoke", host, role, "is no longer")
