"""Dashboard and host registry pages."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console import engine
from console.access import audit
from console.access.permissions import can_add_hosts, host_for, visible_hosts
from console.access.policy import Capabilities
from console.engine.errors import EngineError, HostKeyUnknown
from console.hosts.forms import HostForm
from console.hosts.models import Host
from console.hosts.overview import describe_runtime, info_rows, version_rows


def _status(result: engine.HostResult) -> dict:
    host = result.host
    row = {"name": host.name, "slug": host.slug, "kind": host.kind, "address": host.url}
    if result.ok:
        return row | {"status": "up", "platform": result.value.platform, **asdict(result.value)}
    return row | {
        "status": "down",
        "platform": host.platform,
        "error": result.error.title,
        "reason": result.error.message,
    }


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    hosts = list(visible_hosts(request.user))
    results = engine.fan_out(hosts, engine.engine_summary)
    for result in results:
        if result.ok:
            result.host.record_platform(result.value.platform)
    if request.GET.get("format") == "json":
        return JsonResponse({"hosts": [_status(r) for r in results]})
    context = {"results": results, "can_add": can_add_hosts(request.user)}
    return render(request, "hosts/dashboard.html", context)


@require_GET
def host_list(request: HttpRequest) -> HttpResponse:
    hosts = visible_hosts(request.user)
    if request.GET.get("format") == "json":
        rows = [
            {
                "name": h.name,
                "slug": h.slug,
                "kind": h.kind,
                "address": h.url,
                "platform": h.platform,
            }
            for h in hosts
        ]
        return JsonResponse({"hosts": rows})
    context = {"hosts": hosts, "can_add": can_add_hosts(request.user)}
    return render(request, "hosts/host_list.html", context)


@require_http_methods(["GET", "POST"])
def host_new(request: HttpRequest) -> HttpResponse:
    if not can_add_hosts(request.user):
        raise PermissionDenied("Only superusers and admins of every host may register hosts.")
    form = HostForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        host = form.save()
        audit.record(
            request.user,
            "host.add",
            host=host,
            target=host.slug,
            params={"url": host.url, "kind": host.kind},
        )
        messages.success(request, f"Host {host.name} registered.")
        return redirect(host)
    return render(request, "hosts/host_form.html", {"form": form, "host": None})


@require_http_methods(["GET", "POST"])
def host_edit(request: HttpRequest, slug: str) -> HttpResponse:
    host, _ = host_for(request.user, slug, "host.edit")
    form = HostForm(
        request.POST or None,
        request.FILES or None,
        instance=host,
        connection_editable=can_add_hosts(request.user),
    )
    if request.method == "POST" and form.is_valid():
        changed = sorted(
            set(form.changed_data)
            - {"new_tls_client_key", "new_ssh_passphrase", "new_ssh_private_key"}
        )
        host = form.save()
        engine.forget(host)
        audit.record(
            request.user, "host.edit", host=host, target=host.slug, params={"changed": changed}
        )
        messages.success(request, f"Host {host.name} saved.")
        return redirect(host)
    return render(request, "hosts/host_form.html", {"form": form, "host": host})


@require_http_methods(["GET", "POST"])
def host_delete(request: HttpRequest, slug: str) -> HttpResponse:
    host, _ = host_for(request.user, slug, "host.remove")
    if request.method == "POST":
        audit.record(
            request.user, "host.remove", host=host, target=host.slug, params={"url": host.url}
        )
        engine.forget(host)
        host.delete()
        messages.success(request, f"Host {host.name} removed from the console.")
        return redirect("hosts:list")
    return render(request, "hosts/host_delete.html", {"host": host})


def _connection_state(host: Host) -> dict:
    """Talk to the engine once: its overview, or why not."""
    try:
        overview = engine.engine_overview(host)
    except HostKeyUnknown as exc:
        return {"key_offer": exc}
    except EngineError as exc:
        return {"error": exc}
    host.record_platform(overview.summary.platform)
    return {
        "overview": overview,
        "version_rows": version_rows(overview),
        "info_rows": info_rows(overview),
        "runtime_text": describe_runtime(overview.runtime) if overview.runtime else None,
    }


@require_GET
def host_detail(request: HttpRequest, slug: str) -> HttpResponse:
    host, role = host_for(request.user, slug, "host.view")
    context = {
        "host": host,
        "role": role,
        "caps": Capabilities(role),
        **_connection_state(host),
    }
    return render(request, "hosts/host_detail.html", context)


@require_POST
def host_test(request: HttpRequest, slug: str) -> HttpResponse:
    host, role = host_for(request.user, slug, "host.view")
    engine.forget(host)  # a fresh connection, not a cached one
    context = {
        "host": host,
        "role": role,
        "caps": Capabilities(role),
        **_connection_state(host),
    }
    if request.htmx:
        return render(request, "hosts/host_detail.html#connection", context)
    if "error" in context:
        messages.error(request, f"{context['error'].title}: {context['error'].message}")
    elif "key_offer" in context:
        messages.warning(request, context["key_offer"].message)
    else:
        messages.success(request, f"{host.name} answers.")
    return redirect(host)


@require_POST
def host_trust_key(request: HttpRequest, slug: str) -> HttpResponse:
    """Pin the SSH host key the admin confirmed, if the server still presents it."""
    host, _ = host_for(request.user, slug, "host.pin_key")
    confirmed = request.POST.get("fingerprint", "")
    try:
        key_line, fingerprint = engine.ssh_host_key(host.url)
    except EngineError as exc:
        messages.error(request, f"{exc.title}: {exc.message}")
        return redirect(host)
    if fingerprint != confirmed:
        messages.error(
            request,
            f"The server now presents {fingerprint}, not the {confirmed} you confirmed. "
            "Nothing was pinned.",
        )
        return redirect(host)
    host.ssh_host_key = key_line
    host.save()
    engine.forget(host)
    audit.record(
        request.user,
        "host.pin_key",
        host=host,
        target=host.slug,
        params={"fingerprint": fingerprint},
    )
    messages.success(request, f"Host key {fingerprint} pinned for {host.name}.")
    return redirect(host)
