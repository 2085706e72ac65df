"""Registries as objects: list, add, edit, remove. Seen by whoever holds a role on some
host, managed by whoever may register hosts; passwords and tokens are write-only (never
rendered back, never audited)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from console.access import audit
from console.access.permissions import can_add_hosts, visible_hosts
from console.images.models import Registry, registry_host

KEEP_HELP = "Stored encrypted. Leave empty to keep the saved one."


class RegistryForm(forms.ModelForm):
    new_password = forms.CharField(
        label="Password or token",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=KEEP_HELP,
    )
    forget_password = forms.BooleanField(label="Forget the stored password", required=False)

    class Meta:
        model = Registry
        fields = ["name", "url", "username"]
        widgets = {"username": forms.TextInput(attrs={"autocomplete": "off"})}

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip().rstrip("/")
        if "://" not in url:
            url = "https://" + url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise forms.ValidationError(
                "A registry address looks like https://registry.example.com or "
                "http://127.0.0.1:5000."
            )
        try:
            parts.port  # noqa: B018 - raises on a non-numeric port
        except ValueError as exc:
            raise forms.ValidationError("The port must be a number.") from exc
        if parts.path not in ("", "/v2", "/v1") or parts.query or parts.username:
            raise forms.ValidationError("Give only the scheme, host and port of the registry.")
        url = f"{parts.scheme}://{parts.netloc.lower()}"
        host = registry_host(url)
        for other in Registry.objects.exclude(pk=self.instance.pk):
            if other.host == host:
                raise forms.ValidationError(
                    f"The registry “{other.name}” has the address {host} already."
                )
        return url

    def save(self, commit: bool = True) -> Registry:
        if self.cleaned_data.get("new_password"):
            self.instance.password = self.cleaned_data["new_password"]
        elif self.cleaned_data.get("forget_password"):
            self.instance.password = ""
        return super().save(commit)


def _check_may_manage(request: HttpRequest) -> None:
    if not can_add_hosts(request.user):
        raise PermissionDenied("Only superusers and admins of every host may manage registries.")


def _check_may_see(request: HttpRequest) -> None:
    """Registries serve pulls and pushes on hosts: someone with no role on any host has
    no business with them (their addresses and user names), as a page or as JSON."""
    if not (can_add_hosts(request.user) or visible_hosts(request.user).exists()):
        raise PermissionDenied("Registries are shown to people with a role on some host.")


def _params(registry: Registry) -> dict:
    """What the audit log keeps: never the password."""
    return {
        "url": registry.url,
        "username": registry.username,
        "password_stored": bool(registry.password),
    }


@require_GET
def registry_list(request: HttpRequest) -> HttpResponse:
    _check_may_see(request)
    registries = Registry.objects.all()
    if request.GET.get("format") == "json":
        rows = [
            {
                "name": r.name,
                "url": r.url,
                "host": r.host,
                "username": r.username,
                "password_stored": bool(r.password),
            }
            for r in registries
        ]
        return JsonResponse({"registries": rows})
    context = {"registries": registries, "can_manage_registries": can_add_hosts(request.user)}
    return render(request, "registries/list.html", context)


def _form_page(request: HttpRequest, registry: Registry | None) -> HttpResponse:
    """Add (`registry` None) or edit a registry; the audit says which fields changed."""
    _check_may_manage(request)
    form = RegistryForm(request.POST or None, instance=registry)
    if request.method == "POST" and form.is_valid():
        changed = sorted(set(form.changed_data) - {"new_password", "forget_password"})
        if form.cleaned_data.get("new_password") or form.cleaned_data.get("forget_password"):
            changed.append("password")
        saved = form.save()
        params = _params(saved)
        if registry is not None:
            params["changed"] = changed
        action, done = ("registry.edit", "saved") if registry else ("registry.add", "added")
        audit.record(request.user, action, target=saved.name, params=params)
        messages.success(request, f"Registry {saved.name} {done}.")
        return redirect("registries:list")
    return render(request, "registries/form.html", {"form": form, "registry": registry})


@require_http_methods(["GET", "POST"])
def registry_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@require_http_methods(["GET", "POST"])
def registry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _check_may_manage(request)
    return _form_page(request, get_object_or_404(Registry, pk=pk))


@require_http_methods(["GET", "POST"])
def registry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _check_may_manage(request)
    registry = get_object_or_404(Registry, pk=pk)
    if request.method == "POST":
        audit.record(
            request.user, "registry.remove", target=registry.name, params={"url": registry.url}
        )
        registry.delete()
        messages.success(request, f"Registry {registry.name} removed from the console.")
        return redirect("registries:list")
    return render(request, "registries/delete.html", {"registry": registry})
