"""`docker network ls/create/inspect/rm/connect/disconnect/prune` per host and across
hosts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console.access import audit
from console.access.permissions import host_for
from console.access.policy import Capabilities
from console.engine import networks as engine_networks
from console.engine.errors import EngineError, NotFound
from console.hosts.models import Host
from console.networks.forms import ConnectForm, DisconnectForm, NetworkFilterForm, NetworkForm
from console.web import object_pages
from console.web.forms import PruneForm
from console.web.redirects import redirect_back


def _network_json(network: engine_networks.Network, host: Host | None = None) -> dict:
    return object_pages.row_json(network, host, builtin=network.builtin)


NETWORKS = object_pages.ObjectKind(
    noun="network",
    app="networks",
    filter_form=NetworkFilterForm,
    list_on=engine_networks.list_networks,
    inspect=engine_networks.inspect_network,
    exists=engine_networks.network_exists,
    row_json=_network_json,
)


@require_GET
def network_list(request: HttpRequest, slug: str) -> HttpResponse:
    return object_pages.host_list(request, slug, NETWORKS)


@require_GET
def all_networks(request: HttpRequest) -> HttpResponse:
    return object_pages.all_hosts_list(request, NETWORKS)


def _creation(host: Host, form: NetworkForm) -> object_pages.Creation:
    spec = form.spec()
    return object_pages.Creation(
        name=spec.name,
        params=asdict(spec),
        create=lambda: engine_networks.create_network(host, spec),
    )


@require_http_methods(["GET", "POST"])
def network_create(request: HttpRequest, slug: str) -> HttpResponse:
    host, _ = host_for(request.user, slug, "network.create")
    form = NetworkForm(request.POST or None)
    return object_pages.create_page(request, NETWORKS, host, form, lambda: _creation(host, form))


@require_GET
def network_detail(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    host, role = host_for(request.user, slug, "network.view")
    return object_pages.detail_page(request, NETWORKS, host, ref, caps=Capabilities(role))


@require_http_methods(["GET", "POST"])
def network_remove(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """GET asks for confirmation; POST removes (never a built-in network)."""
    host, _ = host_for(request.user, slug, "network.remove")
    if request.method == "GET":
        return object_pages.remove_confirmation(request, NETWORKS, host, ref)
    try:
        with audit.change(request.user, "network.remove", host=host, target=ref) as entry:
            name = engine_networks.remove_network(host, ref)
            entry.target, entry.params = name, {"id": ref}
    except NotFound:
        raise object_pages.not_found(NETWORKS, host, ref) from None
    except EngineError as exc:
        return object_pages.after_removal(request, NETWORKS, host, ref, ref, exc.message)
    return object_pages.after_removal(request, NETWORKS, host, ref, name, "")


@require_http_methods(["GET", "POST"])
def network_prune(request: HttpRequest, slug: str) -> HttpResponse:
    """`docker network prune`: GET asks, POST prunes and shows what went."""
    host, role = host_for(request.user, slug, "network.prune")
    form = PruneForm(request.POST or None)
    return object_pages.prune_page(
        request,
        NETWORKS,
        host,
        role,
        form,
        engine_networks.prune_networks,
        "deleted",
        lambda deleted: {"deleted": deleted},
    )


def _attachment_change(
    request: HttpRequest,
    slug: str,
    action: str,
    form_class: type[forms.Form],
    change: Callable[[Host, dict], object],
) -> HttpResponse:
    """Run one connect/disconnect `change`, record it, say how it went, and go back."""
    host, _ = host_for(request.user, slug, "network.connect")
    form = form_class(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        target = f"{data['container']} on {data['network']}"
        error = audit.attempt(
            request.user,
            f"network.{action}",
            lambda: change(host, data),
            host=host,
            target=target,
            params=data,
        )
        object_pages.report(request, action, target, error)
    else:
        problems = "; ".join(f"{field}: {' '.join(e)}" for field, e in form.errors.items())
        messages.error(request, f"{action}: {problems}")
    return _back_to_network(request, host)


def _back_to_network(request: HttpRequest, host: Host) -> HttpResponse:
    network = request.POST.get("network", "")
    # A network's own page when its reference fits in a URL segment.
    if network and "/" not in network:
        return redirect_back(request, reverse("networks:detail", args=[host.slug, network]))
    return redirect_back(request, reverse("networks:list", args=[host.slug]))


def _connect(host: Host, data: dict) -> None:
    engine_networks.connect(
        host,
        data["network"],
        data["container"],
        aliases=data["aliases"],
        ipv4_address=data["ipv4_address"] or "",
    )


def _disconnect(host: Host, data: dict) -> None:
    engine_networks.disconnect(host, data["network"], data["container"], force=data["force"])


@require_POST
def network_connect(request: HttpRequest, slug: str) -> HttpResponse:
    """`docker network connect [--alias] [--ip] NETWORK CONTAINER`."""
    return _attachment_change(request, slug, "connect", ConnectForm, _connect)


@require_POST
def network_disconnect(request: HttpRequest, slug: str) -> HttpResponse:
    """`docker network disconnect [-f] NETWORK CONTAINER`."""
    return _attachment_change(request, slug, "disconnect", DisconnectForm, _disconnect)
