"""`docker volume ls/create/inspect/rm/prune` per host and across hosts, and a
volume's files, read-only."""

from __future__ import annotations

import posixpath
from dataclasses import asdict
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from console import engine
from console.access.models import Role, audit
from console.access.permissions import host_for, visible_hosts
from console.engine import archive
from console.engine import volumes as engine_volumes
from console.engine.errors import EngineError, NotFound
from console.volumes.forms import VolumeFilterForm, VolumeForm, VolumePruneForm
from console.web import attachment


def _volume_json(volume: engine_volumes.Volume, host=None) -> dict:
    data = asdict(volume)
    data["created"] = volume.created.isoformat() if volume.created else None
    if host is not None:
        data["host"] = host.slug
    return data


@require_GET
def volume_list(request: HttpRequest, slug: str) -> HttpResponse:
    host, role = host_for(request.user, slug)
    filter_form = VolumeFilterForm(request.GET)
    listing, error = None, None
    try:
        listing = engine_volumes.list_volumes(host, filter_form.engine_filters())
    except EngineError as exc:
        error = exc
    if request.GET.get("format") == "json":
        if error:
            return JsonResponse({"error": error.title, "reason": error.message}, status=502)
        return JsonResponse({"volumes": [_volume_json(v) for v in listing.volumes]})
    context = {
        "host": host,
        "listing": listing,
        "error": error,
        "filter_form": filter_form,
        "can_manage": role >= Role.ADMIN,
        "query": request.GET.urlencode(),
    }
    return render(request, "volumes/list.html", context)


@require_GET
def all_volumes(request: HttpRequest) -> HttpResponse:
    """The same list across every host the user may see, hosts asked concurrently."""
    filter_form = VolumeFilterForm(request.GET)
    filters = filter_form.engine_filters()
    results = engine.fan_out(
        list(visible_hosts(request.user)), lambda h: engine_volumes.list_volumes(h, filters)
    )
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "volumes": [
                    _volume_json(v, r.host) for r in results if r.ok for v in r.value.volumes
                ],
                "errors": [
                    {"host": r.host.slug, "error": r.error.title, "reason": r.error.message}
                    for r in results
                    if not r.ok
                ],
            }
        )
    context = {"results": results, "filter_form": filter_form, "query": request.GET.urlencode()}
    return render(request, "volumes/all.html", context)


def _create(request: HttpRequest, host, form: VolumeForm) -> str | None:
    """Create the volume the form describes and record it; None, with the reason on the
    form, when it was not created."""
    data = form.cleaned_data
    # Option values can hold credentials (e.g. a CIFS password): only their keys are kept.
    params = {
        "driver": data["driver"],
        "driver_opts": sorted(data["driver_opts"]),
        "labels": data["labels"],
    }
    try:
        # The engine would hand back the existing volume instead of refusing.
        if data["name"] and engine_volumes.volume_exists(host, data["name"]):
            form.add_error("name", f"A volume named {data['name']} exists.")
            return None
        name = engine_volumes.create_volume(
            host, data["name"], data["driver"], data["driver_opts"], data["labels"]
        )
    except EngineError as exc:
        form.add_error(None, exc.message)
        audit(
            request.user,
            "volume.create",
            host=host,
            target=data["name"],
            params=params,
            error=exc.message,
        )
        return None
    audit(request.user, "volume.create", host=host, target=name, params=params)
    return name


@require_http_methods(["GET", "POST"])
def volume_create(request: HttpRequest, slug: str) -> HttpResponse:
    host, _ = host_for(request.user, slug, Role.ADMIN)
    form = VolumeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = _create(request, host, form)
        if name is not None:
            messages.success(request, f"Volume {name} created.")
            return redirect("volumes:detail", host.slug, name)
    return render(request, "volumes/create.html", {"host": host, "form": form})


def _inspect(host, ref: str) -> tuple[engine_volumes.VolumeDetail | None, EngineError | None]:
    """The volume, or why the engine could not say; a volume that is not there is a 404."""
    try:
        return engine_volumes.inspect_volume(host, ref), None
    except NotFound:
        raise Http404(f"No volume {ref} on {host.name}.") from None
    except EngineError as exc:
        return None, exc


@require_GET
def volume_detail(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
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
        "can_download": role >= Role.OPERATOR,
    }
    return render(request, "volumes/detail.html", context, status=502 if error else 200)


@require_http_methods(["GET", "POST"])
def volume_remove(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """GET asks for confirmation (and force); POST removes."""
    host, _ = host_for(request.user, slug, Role.ADMIN)
    if request.method == "GET":
        detail, error = _inspect(host, ref)
        context = {"host": host, "ref": ref, "detail": detail, "error": error}
        return render(request, "volumes/remove.html", context)
    force = request.POST.get("force") == "on"
    try:
        engine_volumes.remove_volume(host, ref, force=force)
    except EngineError as exc:
        error = exc.message
    else:
        error = ""
    audit(
        request.user, "volume.remove", host=host, target=ref, params={"force": force}, error=error
    )
    if error:
        messages.error(request, f"Remove {ref}: {error}")
        return redirect("volumes:detail", host.slug, ref)
    messages.success(request, f"Volume {ref} removed.")
    return redirect("volumes:list", host.slug)


@require_http_methods(["GET", "POST"])
def volume_prune(request: HttpRequest, slug: str) -> HttpResponse:
    """`docker volume prune`: GET asks, POST prunes and shows what went."""
    host, _ = host_for(request.user, slug, Role.ADMIN)
    form = VolumePruneForm(request.POST or None)
    context: dict = {"host": host, "form": form}
    if request.method == "POST" and form.is_valid():
        params = dict(form.cleaned_data)
        try:
            context["result"] = engine_volumes.prune_volumes(host, **params)
        except EngineError as exc:
            context["error"] = exc
            audit(request.user, "volume.prune", host=host, params=params, error=exc.message)
        else:
            params["deleted"] = context["result"].deleted
            audit(request.user, "volume.prune", host=host, params=params)
    return render(request, "volumes/prune.html", context)


@require_GET
def volume_files(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    host, role = host_for(request.user, slug)
    context: dict = {"host": host, "volume": ref, "can_download": role >= Role.OPERATOR}
    status = 200
    try:
        context["folder"] = engine_volumes.list_folder(
            host, ref, request.GET.get("path", ""), settings.CONSOLE_LIST_LIMIT
        )
    except archive.PathNotFound as exc:
        context["error"], status = exc, 404
    except NotFound:
        raise Http404(f"No volume {ref} on {host.name}.") from None
    except EngineError as exc:
        context["error"] = exc
    return render(request, "volumes/files.html", context, status=status)


@require_GET
def volume_download(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """A file of the volume as itself; a folder, or the whole volume, as a tar."""
    host, _ = host_for(request.user, slug, Role.OPERATOR)
    path = engine_volumes.relative(request.GET.get("path", ""))
    params = {"path": "/" + path}
    try:
        transfer = engine_volumes.download(host, ref, path)
    except EngineError as exc:
        audit(
            request.user, "volume.download", host=host, target=ref, params=params, error=exc.message
        )
        if isinstance(exc, NotFound) and not isinstance(exc, archive.PathNotFound):
            raise Http404(f"No volume {ref} on {host.name}.") from None
        messages.error(request, f"{exc.title}: {exc.message}")
        files_url = reverse("volumes:files", args=[host.slug, ref])
        return redirect(f"{files_url}?{urlencode({'path': posixpath.dirname(path)})}")
    audit(request.user, "volume.download", host=host, target=ref, params=params)
    return attachment(
        request, transfer.chunks, transfer.filename, transfer.content_type, transfer.size
    )
