"""`docker volume ls/create/inspect/rm/prune` per host and across hosts, and a
volume's files, read-only."""

from __future__ import annotations

import posixpath
from dataclasses import replace
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from console.access import audit
from console.access.permissions import host_for
from console.access.policy import Capabilities
from console.engine import archive, tar_safety
from console.engine import volumes as engine_volumes
from console.engine.errors import EngineError, NotFound
from console.hosts.models import Host
from console.volumes.forms import VolumeFilterForm, VolumeForm, VolumePruneForm
from console.web import object_pages
from console.web.downloads import attachment
from console.web.query import query_text

VOLUMES = object_pages.ObjectKind(
    noun="volume",
    app="volumes",
    filter_form=VolumeFilterForm,
    list_on=engine_volumes.list_volumes,
    inspect=engine_volumes.inspect_volume,
    exists=engine_volumes.volume_exists,
    rows=lambda listing: listing.volumes,
)
# The same, with driver option values shown (a reveal by an operator or admin).
VOLUMES_REVEALED = replace(VOLUMES, inspect=partial(engine_volumes.inspect_volume, reveal=True))


@require_GET
def volume_list(request: HttpRequest, slug: str) -> HttpResponse:
    return object_pages.host_list(request, slug, VOLUMES)


@require_GET
def all_volumes(request: HttpRequest) -> HttpResponse:
    return object_pages.all_hosts_list(request, VOLUMES)


def _creation(host: Host, data: dict) -> object_pages.Creation:
    return object_pages.Creation(
        name=data["name"],
        # Option values can hold credentials (e.g. a CIFS password): only their keys are kept.
        params={
            "driver": data["driver"],
            "driver_opts": sorted(data["driver_opts"]),
            "labels": data["labels"],
        },
        create=lambda: engine_volumes.create_volume(
            host, data["name"], data["driver"], data["driver_opts"], data["labels"]
        ),
    )


@require_http_methods(["GET", "POST"])
def volume_create(request: HttpRequest, slug: str) -> HttpResponse:
    host, _ = host_for(request.user, slug, "volume.create")
    form = VolumeForm(request.POST or None)
    return object_pages.create_page(
        request, VOLUMES, host, form, lambda: _creation(host, form.cleaned_data)
    )


@require_http_methods(["GET", "POST"])
def volume_detail(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """The volume's page or inspect JSON; driver option values masked, a POST (operators
    and up) shows them."""
    host, role, reveal = object_pages.host_for_secrets(request, slug, "volume")
    kind = VOLUMES_REVEALED if reveal else VOLUMES
    detail, error = object_pages.inspect(kind, host, ref)
    if detail is not None and detail.revealed:
        object_pages.audit_reveal(request, "volume", host, ref, detail.volume.options)
    return object_pages.detail_response(
        request,
        kind,
        host,
        ref,
        detail,
        error,
        caps=Capabilities(role),
    )


@require_http_methods(["GET", "POST"])
def volume_remove(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """GET asks for confirmation (and force); POST removes."""
    host, _ = host_for(request.user, slug, "volume.remove")
    if request.method == "GET":
        return object_pages.remove_confirmation(request, VOLUMES, host, ref)
    force = request.POST.get("force") == "on"
    error = audit.attempt(
        request.user,
        "volume.remove",
        lambda: engine_volumes.remove_volume(host, ref, force=force),
        host=host,
        target=ref,
        params={"force": force},
    )
    return object_pages.after_removal(request, VOLUMES, host, ref, ref, error)


@require_http_methods(["GET", "POST"])
def volume_prune(request: HttpRequest, slug: str) -> HttpResponse:
    """`docker volume prune`: GET asks, POST prunes and shows what went."""
    host, role = host_for(request.user, slug, "volume.prune")
    form = VolumePruneForm(request.POST or None)
    return object_pages.prune_page(
        request,
        VOLUMES,
        host,
        role,
        form,
        engine_volumes.prune_volumes,
        "result",
        lambda result: {"deleted": result.deleted},
    )


@require_GET
def volume_files(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    host, role = host_for(request.user, slug, "volume.view")
    context: dict = {"host": host, "volume": ref, "caps": Capabilities(role)}
    status = 200
    try:
        context["folder"] = engine_volumes.list_folder(
            host, ref, query_text(request, "path") or "", settings.CONSOLE_LIST_LIMIT
        )
    except archive.PathNotFound as exc:
        context["error"], status = exc, 404
    except NotFound:
        raise object_pages.not_found(VOLUMES, host, ref) from None
    except EngineError as exc:
        context["error"] = exc
    return render(request, "volumes/files.html", context, status=status)


@require_GET
def volume_download(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """A file of the volume as itself; a folder, or the whole volume, as a tar."""
    host, _ = host_for(request.user, slug, "volume.download")
    path = engine_volumes.relative(query_text(request, "path") or "")
    params = {"path": "/" + tar_safety.printable(path)}
    try:
        with audit.change(request.user, "volume.download", host=host, target=ref, params=params):
            transfer = engine_volumes.download(host, ref, path)
    except EngineError as exc:
        if isinstance(exc, NotFound) and not isinstance(exc, archive.PathNotFound):
            raise object_pages.not_found(VOLUMES, host, ref) from None
        messages.error(request, f"{exc.title}: {exc.message}")
        files_url = reverse("volumes:files", args=[host.slug, ref])
        back = urlencode({"path": tar_safety.as_bytes(posixpath.dirname(path))})
        return redirect(f"{files_url}?{back}")
    return attachment(
        request, transfer.chunks, transfer.filename, transfer.content_type, transfer.size
    )
