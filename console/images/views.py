"""`docker images`, image inspect/history, `docker rmi`, `docker tag`, `docker image
prune` and `docker system df`, per host; the image list across hosts, grouped by id.

URLs name images by id (sha256:… or a short id): a name with "/" cannot be a path segment.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from console import engine
from console.access import audit
from console.access.permissions import host_for, visible_hosts
from console.access.policy import Capabilities
from console.engine import images as engine_images
from console.engine import system as engine_system
from console.engine.errors import EngineError, NotFound
from console.engine.run import image_present
from console.images.forms import ImageFilterForm, ImagePruneForm, TagForm
from console.web import object_pages

if TYPE_CHECKING:
    from console.hosts.models import Host

IMAGES = object_pages.ObjectKind(
    noun="image",
    app="images",
    filter_form=ImageFilterForm,
    list_on=lambda host, filters: engine_images.list_images(host, filters=filters),
    inspect=engine_images.inspect_image,
    exists=image_present,
    rows=lambda listing: listing.rows,
)
# The same, with the build argument values in its history shown: for operators and up,
# who may pull the image and read them anyway.
IMAGES_WITH_BUILD_ARGS = replace(IMAGES, inspect=partial(engine_images.inspect_image, reveal=True))


def _flag(request: HttpRequest, name: str) -> bool:
    return request.GET.get(name) == "1"


@require_GET
def image_list(request: HttpRequest, slug: str) -> HttpResponse:
    """`docker images [-a] [-q] [--no-trunc] [-f …]` as a page, or JSON with ?format=json."""
    host, role = host_for(request.user, slug, "image.view")
    filter_form = ImageFilterForm(request.GET)
    options = {"all": _flag(request, "all"), "quiet": _flag(request, "quiet")}
    options["no_trunc"] = _flag(request, "no_trunc")
    # Windows hosts: process isolation needs the image's OS version to match the host's
    # build, so the list shows each image's OS/arch/version (one inspect per image).
    windows = host.platform == "windows"
    listing, error = None, None
    try:
        listing = engine_images.list_images(
            host,
            all=options["all"],
            filters=filter_form.engine_filters(),
            platform_details=windows,
        )
    except EngineError as exc:
        error = exc
    if object_pages.wants_json(request):
        if error:
            return object_pages.error_json(error)
        if options["quiet"]:
            return JsonResponse({"ids": listing.ids(full=options["no_trunc"])})
        return JsonResponse({"images": [object_pages.row_json(r) for r in listing.rows]})
    context = {
        "host": host,
        "listing": listing,
        "ids": listing.ids(full=options["no_trunc"]) if listing and options["quiet"] else [],
        "error": error,
        "filter_form": filter_form,
        "options": options,
        "windows": windows,
        "caps": Capabilities(role),
        "query": request.GET.urlencode(),
    }
    return render(request, "images/list.html", context)


@dataclass
class ImageGroup:
    """One image id on every host that holds it."""

    id: str
    short_id: str
    created: datetime | None
    size: int
    tags: list[str] = field(default_factory=list)
    hosts: list[tuple[Host, int]] = field(default_factory=list)  # (host, containers using it)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "short_id": self.short_id,
            "created": self.created.isoformat() if self.created else None,
            "size": self.size,
            "tags": self.tags,
            "hosts": [{"host": h.slug, "containers": n} for h, n in self.hosts],
        }


def group_by_id(results: list[engine.HostResult]) -> list[ImageGroup]:
    """The rows of every host that answered, one group per image id, newest first."""
    groups: dict[str, ImageGroup] = {}
    for result in results:
        if not result.ok:
            continue
        seen: set[str] = set()
        for row in result.value.rows:
            group = groups.get(row.id)
            if group is None:
                group = groups[row.id] = ImageGroup(row.id, row.short_id, row.created, row.size)
            if not row.dangling:
                name = f"{row.repository}:{row.tag}"
                if name not in group.tags:
                    group.tags.append(name)
            if row.id not in seen:
                seen.add(row.id)
                group.hosts.append((result.host, row.containers))
    return sorted(
        groups.values(), key=lambda g: g.created.timestamp() if g.created else 0, reverse=True
    )


@require_GET
def all_images(request: HttpRequest) -> HttpResponse:
    """Images on every host the user may see, hosts asked concurrently; the same image
    (same id) on several hosts is one row naming them."""
    filter_form = ImageFilterForm(request.GET)
    filters = filter_form.engine_filters()
    show_all = _flag(request, "all")
    results = engine.fan_out(
        list(visible_hosts(request.user)),
        lambda h: engine_images.list_images(h, all=show_all, filters=filters),
    )
    groups = group_by_id(results)
    failed = [r for r in results if not r.ok]
    if object_pages.wants_json(request):
        return JsonResponse(
            {
                "images": [g.as_json() for g in groups],
                "errors": [
                    {"host": r.host.slug, "error": r.error.title, "reason": r.error.message}
                    for r in failed
                ],
            }
        )
    context = {
        "groups": groups,
        "failed": failed,
        "filter_form": filter_form,
        "options": {"all": show_all},
        "query": request.GET.urlencode(),
    }
    return render(request, "images/all.html", context)


@require_GET
def image_detail(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """Tags, digests, config, `docker history`, the containers made from it, and the full
    inspect JSON (the raw JSON with ?format=json). Viewers see build argument values
    masked."""
    host, role = host_for(request.user, slug, "image.view")
    return object_pages.detail_page(
        request,
        IMAGES_WITH_BUILD_ARGS if Capabilities(role).image_save else IMAGES,
        host,
        ref,
        caps=Capabilities(role),
    )


@require_http_methods(["GET", "POST"])
def image_remove(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """`docker rmi [-f] [--no-prune]`: GET asks; POST removes the image (by id), or only one
    of its tags, and shows the engine's Untagged/Deleted lines. The engine's refusal (a
    container uses it, several tags without -f) goes back to the image's page."""
    host, _ = host_for(request.user, slug, "image.remove")
    detail, error = object_pages.inspect(IMAGES, host, ref)
    context = {"host": host, "ref": ref, "detail": detail, "error": error}
    if request.method == "GET" or detail is None:
        return render(request, "images/remove.html", context)
    force = request.POST.get("force") == "on"
    noprune = request.POST.get("noprune") == "on"
    name = request.POST.get("name", "")
    if name and name not in detail.tags:
        messages.error(request, f"{name} is not a tag of this image.")
        return redirect("images:remove", host.slug, ref)
    target = name or detail.id
    params = {"force": force, "noprune": noprune, "image": detail.id}
    try:
        with audit.change(
            request.user, "image.remove", host=host, target=target, params=params
        ) as entry:
            lines = engine_images.remove_image(host, target, force=force, noprune=noprune)
            entry.params["result"] = lines
    except EngineError as exc:
        messages.error(request, f"Remove {target}: {exc.message}")
        if isinstance(exc, NotFound):  # gone meanwhile
            return redirect("images:list", host.slug)
        return redirect("images:detail", host.slug, ref)
    return render(request, "images/remove.html", context | {"removed": lines, "target": target})


@require_http_methods(["GET", "POST"])
def image_tag(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """`docker tag IMAGE REPOSITORY[:TAG]`."""
    host, _ = host_for(request.user, slug, "image.tag")
    detail, error = object_pages.inspect(IMAGES, host, ref)
    form = TagForm(request.POST or None)
    if request.method == "POST" and detail is not None and form.is_valid():
        new = form.cleaned_data["reference"]
        tag = new.tag or "latest"
        name = f"{new.name}:{tag}"
        params = {"reference": name, "image": detail.id}
        error = audit.attempt(
            request.user,
            "image.tag",
            lambda: engine_images.tag_image(host, detail.id, new.name, tag),
            host=host,
            target=detail.id,
            params=params,
        )
        if error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Tagged {detail.short_id} as {name}.")
            return redirect("images:detail", host.slug, ref)
    context = {"host": host, "ref": ref, "detail": detail, "error": error, "form": form}
    return render(request, "images/tag.html", context)


@require_http_methods(["GET", "POST"])
def image_prune(request: HttpRequest, slug: str) -> HttpResponse:
    """`docker image prune`: dangling images; every unused image (-a) only with its own
    confirmation. Shows what went and the space reclaimed."""
    host, role = host_for(request.user, slug, "image.prune")
    return object_pages.prune_page(
        request,
        IMAGES,
        host,
        role,
        ImagePruneForm(request.POST or None),
        engine_images.prune_images,
        "result",
        lambda result: {
            "deleted": result.deleted,
            "untagged": result.untagged,
            "reclaimed": result.reclaimed,
        },
    )


@require_GET
def system_df(request: HttpRequest, slug: str) -> HttpResponse:
    """`docker system df`, and with ?v=1 its -v detail; ?format=json gives bytes."""
    host, role = host_for(request.user, slug, "host.view")
    verbose = _flag(request, "v")
    usage, error = None, None
    try:
        usage = engine_system.disk_usage(host)
    except EngineError as exc:
        error = exc
    if object_pages.wants_json(request):
        if error:
            return object_pages.error_json(error)
        return JsonResponse(_df_json(usage))
    context = {
        "host": host,
        "caps": Capabilities(role),
        "usage": usage,
        "error": error,
        "verbose": verbose,
    }
    return render(request, "images/df.html", context)


def _df_json(usage: engine_system.DiskUsage) -> dict:
    def rows(items) -> list[dict]:
        out = []
        for item in items:
            data = dict(item.__dict__)
            for key, value in data.items():
                if isinstance(value, datetime):
                    data[key] = value.isoformat()
            out.append(data)
        return out

    return {
        "summary": rows(usage.summary),
        "images": rows(usage.images),
        "containers": rows(usage.containers),
        "volumes": rows(usage.volumes),
        "build_cache": rows(usage.build_cache),
    }
