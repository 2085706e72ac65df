"""/teams/users/: every console user, their teams and last login; deactivate, reactivate,
reset a password. /accounts/password/: every user changes their own password.

The same people who manage teams manage users (`team_manager_only`). Nobody but a superuser
touches a superuser, and nobody deactivates or resets themself here. Every change is
audited, never with a password.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from console.access import audit
from console.access.models import Team
from console.access.notify import LOGOUT, PASSWORD, notify_access_changed
from console.access.teams import generated_password, team_manager_only

User = get_user_model()


@require_GET
@team_manager_only
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.order_by(User.USERNAME_FIELD).prefetch_related(
        Prefetch("teams", Team.objects.order_by("name"))
    )
    return render(request, "access/users.html", {"users": users})


def _target(request: HttpRequest, pk: int, refuse_self: str):
    """The user `pk` that `request.user` may change here, or None (said in a message)
    when it is `request.user`; 403 for a superuser unless a superuser asks."""
    user = get_object_or_404(User, pk=pk)
    if user.is_superuser and not request.user.is_superuser:
        raise PermissionDenied("Only a superuser changes a superuser.")
    if user.pk == request.user.pk:
        messages.error(request, refuse_self)
        return None
    return user


def _set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    user = _target(request, pk, "You cannot deactivate or reactivate yourself.")
    if user is not None and user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            notify_access_changed([user.pk])
        name = user.get_username()
        audit.record(request.user, "user.activate" if active else "user.deactivate", target=name)
        verb = "can log in again" if active else "can no longer log in"
        messages.success(request, f"{name} {verb}.")
    return redirect("access:users")


@require_POST
@team_manager_only
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """The user can no longer log in, and their open sessions stop working."""
    return _set_active(request, pk, False)


@require_POST
@team_manager_only
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, True)


@never_cache
@require_POST
@team_manager_only
def user_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """A new generated password, shown on this page once; the old one and every session
    logged in with it stop working."""
    user = _target(request, pk, "Change your own password on the Change password page.")
    if user is None:
        return redirect("password_change")
    password = generated_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    notify_access_changed([user.pk], PASSWORD)
    audit.record(request.user, "user.password_reset", target=user.get_username())
    return render(request, "access/password_reset.html", {"target": user, "password": password})


class PasswordChange(auth_views.PasswordChangeView):
    """Django's own password change (old password, new one twice, validators), audited."""

    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        # This session stays logged in; the user's other sessions and their sockets end.
        notify_access_changed([self.request.user.pk], PASSWORD)
        audit.record(
            self.request.user, "user.password_change", target=self.request.user.get_username()
        )
        return response


class Logout(auth_views.LogoutView):
    """Django's logout; then the sockets this session opened end too (a terminal must not
    keep running commands for a session that is over). Sent after the session is gone,
    so each socket finds it gone when it looks."""

    def post(self, request, *args, **kwargs):
        user_pk = request.user.pk
        response = super().post(request, *args, **kwargs)
        if user_pk is not None:
            notify_access_changed([user_pk], LOGOUT)
        return response
