"""`docker ps`, inspect, top and lifecycle actions, per host and across hosts."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console import engine
from console.access import audit
from console.access.models import Role
from console.access.permissions import host_for, visible_hosts
from console.access.policy import Capabilities
from console.containers.filtering import matches, sort_rows
from console.containers.rows import RowOptions, render_row, render_rows
from console.engine import containers as engine_containers
from console.engine.errors import EngineError, NotFound
from console.web import object_pages
from console.web.redirects import redirect_back


def _list_options(request: HttpRequest) -> dict:
    """`docker ps` flags from the query string: all, -f filters, -n/-l, -s."""
    params = request.GET
    filters: dict[str, list[str]] = {}
    for key in engine_containers.FILTERS:
        values = [v for v in params.getlist(key) if v]
        if values:
            filters[key] = values
    # The CLI's own spelling works too: ?filter=status=exited&filter=label=a=b
    for spec in params.getlist("filter"):
        key, _, value = spec.partition("=")
        if key in engine_containers.FILTERS and value:
            filters.setdefault(key, []).append(value)
    last = params.get("last", "")
    options = {
        "all": params.get("all") == "1",
        "filters": filters,
        "last": int(last) if last.isdigit() and int(last) > 0 else None,
        "size": params.get("size") == "1",
    }
    if params.get("latest") == "1":
        options["last"] = 1
    return options


def _view_options(request: HttpRequest) -> dict:
    return {
        "sort": request.GET.get("sort", "created"),
        "descending": request.GET.get("dir", "desc" if "sort" not in request.GET else "asc")
        == "desc",
        "q": request.GET.get("q", "").strip(),
        "no_trunc": request.GET.get("trunc") == "0",
    }


def _shape(rows, view: dict):
    if view["q"]:
        rows = [r for r in rows if matches(r, view["q"])]
    return sort_rows(rows, view["sort"], view["descending"])


def _row_options(
    request: HttpRequest, host, role: Role, view: dict, show_size: bool = False
) -> RowOptions:
    return RowOptions(
        base_url=reverse("containers:list", args=[host.slug]),
        can_operate=Capabilities(role).container_change,
        csrf_token=get_token(request),
        no_trunc=view["no_trunc"],
        show_size=show_size,
        show_platform=_windows(host),
    )


def _windows(host) -> bool:
    """Windows engines: isolation and image OS/architecture differ per container."""
    return host.platform == "windows"


@require_GET
def container_list(request: HttpRequest, slug: str) -> HttpResponse:
    host, role = host_for(request.user, slug, "container.view")
    options = _list_options(request)
    view = _view_options(request)
    error = None
    try:
        rows = _shape(
            engine_containers.list_containers(host, **options, platform_details=_windows(host)),
            view,
        )
    except EngineError as exc:
        rows, error = [], exc
    fmt = request.GET.get("format")
    if fmt == "json":
        if error:
            return object_pages.error_json(error)
        return JsonResponse({"containers": [object_pages.row_json(r) for r in rows]})
    if fmt == "ids":
        ids = [r.id if view["no_trunc"] else r.short_id for r in rows]
        return HttpResponse("".join(f"{i}\n" for i in ids), content_type="text/plain")
    row_options = _row_options(request, host, role, view, options["size"])
    context = {
        "host": host,
        "rows": rows,
        "rows_html": render_rows(rows, row_options),
        "error": error,
        "options": options,
        "view": view,
        "caps": Capabilities(role),
        "query": request.GET.urlencode(),
        "windows": _windows(host),
        # Bulk pause/unpause only where some container may be paused (Hyper-V on Windows).
        "bulk_actions": _bulk_actions(host, rows),
    }
    template = "containers/list.html"
    if request.htmx and request.htmx.target == "container-rows":
        template += "#rows"
    return render(request, template, context)


def _bulk_actions(host, rows) -> list[str]:
    actions = ["start", "stop", "restart", "kill", "pause", "unpause", "remove"]
    if _windows(host) and not any(r.rules.can_pause for r in rows):
        actions = [a for a in actions if a not in ("pause", "unpause")]
    return actions


@require_GET
def all_containers(request: HttpRequest) -> HttpResponse:
    """The same list across every host the user may see, hosts asked concurrently."""
    options = _list_options(request)
    view = _view_options(request)
    results = engine.fan_out(
        list(visible_hosts(request.user)),
        lambda h: _shape(
            engine_containers.list_containers(h, **options, platform_details=_windows(h)), view
        ),
    )
    if object_pages.wants_json(request):
        return object_pages.across_hosts_json("containers", results, list, object_pages.row_json)
    context = {"results": results, "options": options, "view": view}
    return render(request, "containers/all.html", context)


@require_http_methods(["GET", "POST"])
def container_detail(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """The summary; env values masked, a POST (operators and up) shows them."""
    host, role, reveal = object_pages.host_for_secrets(request, slug, "container")
    detail = _inspect_or_404(host, ref, with_image=True, reveal=reveal)
    _audit_reveal(request, host, detail)
    context = {
        "host": host,
        "c": detail,
        "caps": Capabilities(role),
    }
    return render(request, "containers/detail.html", context)


def _inspect_or_404(host, ref: str, *, with_image: bool = False, reveal: bool = False):
    try:
        return engine_containers.inspect_container(host, ref, with_image=with_image, reveal=reveal)
    except NotFound:
        raise Http404(f"No container {ref} on {host.name}.") from None


def _audit_reveal(request: HttpRequest, host, detail) -> None:
    if detail.revealed:
        keys = [key for key, _ in detail.env]
        object_pages.audit_reveal(request, "container", host, detail.name, keys)


@require_http_methods(["GET", "POST"])
def container_inspect(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """`docker inspect`, as a page or JSON; secrets masked, a POST (operators and up)
    shows them."""
    host, role, reveal = object_pages.host_for_secrets(request, slug, "container")
    detail = _inspect_or_404(host, ref, reveal=reveal)
    _audit_reveal(request, host, detail)
    if request.GET.get("format") == "json":
        return HttpResponse(detail.inspect_json, content_type="application/json")
    context = {"host": host, "c": detail, "caps": Capabilities(role)}
    return render(request, "containers/inspect.html", context)


@require_GET
def container_top(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    host, _ = host_for(request.user, slug, "container.view")
    # Windows engines refuse ps arguments: the page does not offer them, none is sent.
    ps_args = "" if _windows(host) else request.GET.get("ps_args", "").strip()
    context = {"host": host, "ref": ref, "ps_args": ps_args, "windows": _windows(host)}
    try:
        context["top"] = engine_containers.top(host, ref, ps_args or None)
    except NotFound:
        raise Http404(f"No container {ref} on {host.name}.") from None
    except EngineError as exc:
        context["error"] = exc
    template = "containers/top.html#top" if request.htmx else "containers/top.html"
    return render(request, template, context)


# Seconds a stop or restart may wait for the container before killing it. The request
# waits as long (the CLI has no bound); ten minutes is already longer than most proxies
# keep a request open.
STOP_TIMEOUT_MAX = 600


def _action_params(request: HttpRequest, action: str) -> dict:
    """The action's options from the form; ValueError when one is out of bounds."""
    post = request.POST
    if action in ("stop", "restart") and (timeout := post.get("timeout", "").strip()):
        if not (timeout.isascii() and timeout.isdigit() and int(timeout) <= STOP_TIMEOUT_MAX):
            raise ValueError(
                f"The timeout must be a whole number between 0 and {STOP_TIMEOUT_MAX} "
                "seconds: the request waits that long at most."
            )
        return {"timeout": int(timeout)}
    if action == "kill" and post.get("signal"):
        return {"signal": post["signal"].strip().upper()}
    if action == "remove":
        return {"force": post.get("force") == "on", "volumes": post.get("volumes") == "on"}
    return {}


def _run_action(request: HttpRequest, host, ref: str, action: str, params: dict) -> bool:
    """Do one action, record it, and say how it went in a flash message."""
    error = audit.attempt(
        request.user,
        f"container.{action}",
        lambda: engine_containers.act(host, ref, action, **params),
        host=host,
        target=ref,
        params=params,
        gone=f"Container {ref} no longer exists.",
    )
    return object_pages.report(request, action, ref, error)


@require_POST
def container_action(request: HttpRequest, slug: str, ref: str, action: str) -> HttpResponse:
    if action not in engine_containers.ACTIONS:
        raise Http404("No such action.")
    host, role = host_for(request.user, slug, "container.change")
    try:
        params = _action_params(request, action)
    except ValueError as exc:
        return HttpResponse(f"{exc}\n", status=400, content_type="text/plain; charset=utf-8")
    _run_action(request, host, ref, action, params)
    if request.htmx:
        # The row again, as the engine now has it; nothing if the container is gone.
        try:
            row = engine_containers.container_row(host, ref, platform_details=_windows(host))
        except EngineError:
            row = None
        row_html = (
            render_row(row, _row_options(request, host, role, _view_options(request)))
            if row
            else ""
        )
        return render(request, "containers/row_response.html", {"row_html": row_html})
    list_url = reverse("containers:list", args=[host.slug])
    if action == "remove":
        return redirect_back(request, list_url + "?all=1")
    return redirect_back(request, reverse("containers:detail", args=[host.slug, ref]))


@require_http_methods(["GET", "POST"])
def container_remove(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """GET asks for confirmation (and force / anonymous volumes); POST removes."""
    if request.method == "POST":
        return container_action(request, slug, ref, "remove")
    host, _ = host_for(request.user, slug, "container.change")
    detail = _inspect_or_404(host, ref)
    return render(request, "containers/remove.html", {"host": host, "c": detail})


@require_http_methods(["GET", "POST"])
def container_rename(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    host, _ = host_for(request.user, slug, "container.change")
    detail = _inspect_or_404(host, ref)
    error = None
    if request.method == "POST":
        new_name = request.POST.get("name", "").strip()
        error = audit.attempt(
            request.user,
            "container.rename",
            lambda: engine_containers.rename(host, detail.id, new_name),
            host=host,
            target=detail.name,
            params={"new_name": new_name},
        )
        if not error:
            messages.success(request, f"Renamed {detail.name} to {new_name}.")
            return redirect("containers:detail", host.slug, new_name)
    context = {"host": host, "c": detail, "error": error}
    return render(request, "containers/rename.html", context)


@require_POST
def bulk_action(request: HttpRequest, slug: str) -> HttpResponse:
    """The list's checked rows, one action each, every outcome reported."""
    host, _ = host_for(request.user, slug, "container.change")
    action = request.POST.get("action", "")
    if action not in engine_containers.ACTIONS:
        raise Http404("No such action.")
    ids = request.POST.getlist("ids")
    if not ids:
        messages.warning(request, "No container was selected.")
    params = {"force": True} if action == "remove" else {}
    for ref in ids:
        _run_action(request, host, ref, action, params)
    return redirect_back(request, reverse("containers:list", args=[host.slug]))
