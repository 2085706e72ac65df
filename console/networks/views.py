"""`docker network ls/create/inspect/rm/connect/disconnect/prune` per host and across
hosts."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console import engine
from console.access.models import Role, audit
from console.access.permissions import host_for, visible_hosts
from console.engine import networks as engine_networks
from console.engine.errors import EngineError, NotFound
from console.networks.forms import ConnectForm, DisconnectForm, NetworkFilterForm, NetworkForm
from console.volumes.forms import PruneForm
from console.web import redirect_back


def _network_json(network: engine_networks.Network, host=None) -> dict:
    data = asdict(network)
    data["created"] = network.created.isoformat() if network.created else None
    data["builtin"] = network.builtin
    if host is not None:
        data["host"] = host.slug
    return data


@require_GET
def network_list(request: HttpRequest, slug: str) -> HttpResponse:
    host, role = host_for(request.user, slug)
    filter_form = NetworkFilterForm(request.GET)
    networks, error = [], None
    try:
        networks = engine_networks.list_networks(host, filter_form.engine_filters())
    except EngineError as exc:
        error = exc
    if request.GET.get("format") == "json":
        if error:
            return JsonResponse({"error": error.title, "reason": error.message}, status=502)
        return JsonResponse({"networks": [_network_json(n) for n in networks]})
    context = {
        "host": host,
        "networks": networks,
        "error": error,
        "filter_form": filter_form,
        "can_manage": role >= Role.ADMIN,
        "query": request.GET.urlencode(),
    }
    return render(request, "networks/list.html", context)


@require_GET
def all_networks(request: HttpRequest) -> HttpResponse:
    """The same list across every host the user may see, hosts asked concurrently."""
    filter_form = NetworkFilterForm(request.GET)
    filters = filter_form.engine_filters()
    results = engine.fan_out(
        list(visible_hosts(request.user)), lambda h: engine_networks.list_networks(h, filters)
    )
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "networks": [_network_json(n, r.host) for r in results if r.ok for n in r.value],
                "errors": [
                    {"host": r.host.slug, "error": r.error.title, "reason": r.error.message}
                    for r in results
                    if not r.ok
                ],
            }
        )
    context = {"results": results, "filter_form": filter_form, "query": request.GET.urlencode()}
    return render(request, "networks/all.html", context)


def _create(request: HttpRequest, host, form: NetworkForm) -> str | None:
    """Create the network the form describes and record it; None, with the reason on
    the form, when it was not created."""
    spec = form.spec()
    params = asdict(spec)
    try:
        if engine_networks.network_exists(host, spec.name):
            form.add_error("name", f"A network named {spec.name} exists.")
            return None
        network_id = engine_networks.create_network(host, spec)
    except EngineError as exc:
        form.add_error(None, exc.message)
        audit(
            request.user,
            "network.create",
            host=host,
            target=spec.name,
            params=params,
            error=exc.message,
        )
        return None
    audit(request.user, "network.create", host=host, target=spec.name, params=params)
    return network_id


@require_http_methods(["GET", "POST"])
def network_create(request: HttpRequest, slug: str) -> HttpResponse:
    host, _ = host_for(request.user, slug, Role.ADMIN)
    form = NetworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        network_id = _create(request, host, form)
        if network_id is not None:
            messages.success(request, f"Network {form.cleaned_data['name']} created.")
            return redirect("networks:detail", host.slug, network_id)
    return render(request, "networks/create.html", {"host": host, "form": form})


def _inspect(host, ref: str) -> tuple[engine_networks.NetworkDetail | None, EngineError | None]:
    """The network, or why the engine could not say; a network that is not there is a 404."""
    try:
        return engine_networks.inspect_network(host, ref), None
    except NotFound:
        raise Http404(f"No network {ref} on {host.name}.") from None
    except EngineError as exc:
        return None, exc


@require_GET
def network_detail(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    host, role = host_for(request.user, slug)
    detail, error = _inspect(host, ref)
    if request.GET.get("format") == "json":
        if error:
            return JsonResponse({"error": error.title, "reason": error.message}, status=502)
        return HttpResponse(detail.inspect_json, content_type="application/json")
    context = {
        "host": host,
        "ref": ref,
        "detail": detail,
        "error": error,
        "can_manage": role >= Role.ADMIN,
    }
    return render(request, "networks/detail.html", context, status=502 if error else 200)


@require_http_methods(["GET", "POST"])
def network_remove(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """GET asks for confirmation; POST removes (never a built-in network)."""
    host, _ = host_for(request.user, slug, Role.ADMIN)
    if request.method == "GET":
        detail, error = _inspect(host, ref)
        context = {"host": host, "ref": ref, "detail": detail, "error": error}
        return render(request, "networks/remove.html", context)
    try:
        name = engine_networks.remove_network(host, ref)
    except NotFound:
        raise Http404(f"No network {ref} on {host.name}.") from None
    except EngineError as exc:
        audit(request.user, "network.remove", host=host, target=ref, error=exc.message)
        messages.error(request, f"Remove {ref}: {exc.message}")
        return redirect("networks:detail", host.slug, ref)
    audit(request.user, "network.remove", host=host, target=name, params={"id": ref})
    messages.success(request, f"Network {name} removed.")
    return redirect("networks:list", host.slug)


@require_http_methods(["GET", "POST"])
def network_prune(request: HttpRequest, slug: str) -> HttpResponse:
    """`docker network prune`: GET asks, POST prunes and shows what went."""
    host, _ = host_for(request.user, slug, Role.ADMIN)
    form = PruneForm(request.POST or None)
    context: dict = {"host": host, "form": form}
    if request.method == "POST" and form.is_valid():
        params = dict(form.cleaned_data)
        try:
            context["deleted"] = engine_networks.prune_networks(host, **params)
        except EngineError as exc:
            context["error"] = exc
            audit(request.user, "network.prune", host=host, params=params, error=exc.message)
        else:
            params["deleted"] = context["deleted"]
            audit(request.user, "network.prune", host=host, params=params)
    return render(request, "networks/prune.html", context)


def _attachment_change(request: HttpRequest, host, action: str, form, change) -> None:
    """Run one connect/disconnect `change`, record it, and say how it went."""
    if not form.is_valid():
        problems = "; ".join(f"{field}: {' '.join(e)}" for field, e in form.errors.items())
        messages.error(request, f"{action}: {problems}")
        return
    data = form.cleaned_data
    target = f"{data['container']} on {data['network']}"
    try:
        change(data)
    except EngineError as exc:
        error = exc.message
    else:
        error = ""
    audit(request.user, f"network.{action}", host=host, target=target, params=data, error=error)
    if error:
        messages.error(request, f"{action} {target}: {error}")
    else:
        messages.success(request, f"{action} {target}: done.")


def _back_to_network(request: HttpRequest, host) -> HttpResponse:
    network = request.POST.get("network", "")
    # A network's own page when its reference fits in a URL segment.
    if network and "/" not in network:
        return redirect_back(request, reverse("networks:detail", args=[host.slug, network]))
    return redirect_back(request, reverse("networks:list", args=[host.slug]))


@require_POST
def network_connect(request: HttpRequest, slug: str) -> HttpResponse:
    """`docker network connect [--alias] [--ip] NETWORK CONTAINER`."""
    host, _ = host_for(request.user, slug, Role.ADMIN)
    _attachment_change(
        request,
        host,
        "connect",
        ConnectForm(request.POST),
        lambda d: engine_networks.connect(
            host,
            d["network"],
            d["container"],
            aliases=d["aliases"],
            ipv4_address=d["ipv4_address"] or "",
        ),
    )
    return _back_to_network(request, host)


@require_POST
def network_disconnect(request: HttpRequest, slug: str) -> HttpResponse:
    """`docker network disconnect [-f] NETWORK CONTAINER`."""
    host, _ = host_for(request.user, slug, Role.ADMIN)
    _attachment_change(
        request,
        host,
        "disconnect",
        DisconnectForm(request.POST),
        lambda d: engine_networks.disconnect(host, d["network"], d["container"], force=d["force"]),
    )
    return _back_to_network(request, host)
