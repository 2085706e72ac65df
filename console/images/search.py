"""`docker search`: Docker Hub through the host's engine, and every configured registry
through its v2 catalog, asked at the same time; one that fails says why, the others
still answer. Registries are asked with their stored credentials for operators and up
(who pull with them anyway); viewers search them anonymously."""

from __future__ import annotations

from dataclasses import asdict

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console.access.permissions import host_for
from console.access.policy import Capabilities
from console.engine import fan_out
from console.engine import registry as engine_registry
from console.images.models import Registry


class SearchForm(forms.Form):
    term = forms.CharField(
        required=False,
        max_length=200,
        help_text="Docker Hub needs a term; empty lists every repository of your registries.",
    )
    limit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        help_text="--limit (Docker Hub)",
        widget=forms.NumberInput(attrs={"placeholder": "25"}),
    )
    official = forms.BooleanField(required=False, label="Official images only (is-official)")
    stars = forms.IntegerField(required=False, min_value=0, label="At least this many stars")


HUB = "hub"


def _search(host, data: dict, credentialed: bool):
    term = data["term"].strip()

    def search(source):
        if source == HUB:
            return engine_registry.search_hub(
                host,
                term,
                limit=data["limit"] or 25,
                official=data["official"],
                min_stars=data["stars"] or 0,
            )
        credentials = source.credentials() if credentialed else None
        return engine_registry.search_catalog(source.base_url, credentials, term)

    sources = [HUB] if term else []
    sources += [r for r in Registry.objects.all() if not r.is_hub]
    # Each source may take a timeout for its catalog and again for its tags.
    return fan_out(sources, search, deadline=settings.CONSOLE_ENGINE_TIMEOUT * 2)


def _json(results) -> dict:
    out: dict = {"hub": None, "registries": []}
    for result in results:
        body = {"error": result.error.message} if result.error else {}
        if result.host == HUB:
            out["hub"] = body or {"results": [asdict(r) for r in result.value]}
        else:
            registry = result.host
            value = asdict(result.value) if result.value else {}
            out["registries"].append({"name": registry.name, "host": registry.host} | value | body)
    return out


@require_GET
def search_page(request: HttpRequest, slug: str) -> HttpResponse:
    host, role = host_for(request.user, slug, "image.view")
    # Stored credentials are for those who may pull with them.
    caps = Capabilities(role)
    credentialed = caps.image_pull
    form = SearchForm(request.GET or None)
    results = None
    if request.GET and form.is_valid():
        results = _search(host, form.cleaned_data, credentialed)
    if request.GET.get("format") == "json":
        if results is None:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return JsonResponse(_json(results) | {"anonymous": not credentialed})
    hub = next((r for r in results or [] if r.host == HUB), None)
    registries = [r for r in results or [] if r.host != HUB]
    context = {
        "host": host,
        "caps": caps,
        "form": form,
        "searched": results is not None,
        "hub": hub,
        "registries": registries,
        "has_registries": Registry.objects.exists(),
        "anonymous": not credentialed,
    }
    return render(request, "images/search.html", context)
