"""The page django-axes shows to a locked-out login: the login page, saying why."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _minutes(delta) -> int:
    return max(1, round(delta.total_seconds() / 60))


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "locked": True,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": _minutes(settings.AXES_COOLOFF_TIME),
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=429)
