"""`docker cp` as a file browser (list, download, upload) and `docker export`, for one
container. Everything here needs the operator role: a container's files can hold secrets."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from console.access import audit
from console.access.models import Role
from console.access.permissions import host_for
from console.access.policy import Capabilities
from console.containers.paths import PathStyle, path_style
from console.engine import archive, byte_streams, tar_safety
from console.engine import containers as engine_containers
from console.engine.errors import EngineError, NotFound
from console.hosts.models import Host
from console.web.downloads import attachment
from console.web.query import query_text
from console.web.uploads import too_large


def _upload_limit() -> int:
    return int(getattr(settings, "CONSOLE_UPLOAD_LIMIT", 1 << 30))


def _list_limit() -> int:
    return int(getattr(settings, "CONSOLE_LIST_LIMIT", 5000))


def _style(host: Host) -> PathStyle:
    r"""Windows engines run Windows containers, whose paths the page writes C:\..."""
    return path_style(host.platform)


def _engine_path(host: Host, text: str) -> str:
    r"""A path from the page or the URL (C:\... on Windows hosts) as the archive layer
    takes it: absolute, normalised, /-separated."""
    try:
        return tar_safety.normalize_path(_style(host).to_engine(text))
    except ValueError as exc:
        raise tar_safety.Refused(str(exc)) from None


def _shown(style: PathStyle, context: dict) -> None:
    """Every path the page shows or links to, in the host's own spelling."""
    if not style.windows:
        return
    show = style.to_display
    if target := context.get("target"):
        context["target"] = replace(target, path=show(target.path))
    if listing := context.get("listing"):
        entries = [replace(e, path=show(e.path)) for e in listing.entries]
        context["listing"] = replace(listing, path=show(listing.path), entries=entries)
    if "parent" in context:
        context["parent"] = show(context["parent"])


def _files_url(host: Host, ref: str, path: str) -> str:
    """The file browser at `path` (as the page or the URL wrote it)."""
    query = urlencode({"path": tar_safety.as_bytes(path)})
    return reverse("containers:files", args=[host.slug, ref]) + "?" + query


def _parent(path: str) -> str:
    return posixpath.dirname(path) if path.startswith("/") else "/"


def _container_gone(exc: EngineError) -> bool:
    return isinstance(exc, NotFound) and not isinstance(exc, archive.PathNotFound)


def _gone(request: HttpRequest, host: Host, role: Role, ref: str) -> HttpResponse:
    """A 404 that says the container went away, rather than Django's bare one."""
    error = NotFound(f"Container {ref} no longer exists on {host.name}.")
    context = {"host": host, "caps": Capabilities(role), "ref": ref, "error": error}
    return render(request, "containers/files.html", context, status=404)


@require_GET
def files(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    host, role = host_for(request.user, slug, "container.files")
    style = _style(host)
    context: dict = {
        "host": host,
        "caps": Capabilities(role),
        "ref": ref,
        "upload_limit": _upload_limit(),
        "separator": "\\" if style.windows else "/",
    }
    try:
        c = context["c"] = engine_containers.inspect_container(host, ref)
        path = _engine_path(host, query_text(request, "path") or style.root)
        context.update(
            path=path, at_root=path == "/", parent=_parent(path), crumbs=style.crumbs(path)
        )
        if c.rules.files_refused:
            # The engine would refuse; say why instead of passing its error on.
            raise tar_safety.Refused(c.rules.files_reason)
        target = context["target"] = archive.stat_path(host, ref, path)
        if target.is_dir:
            context["listing"] = archive.list_directory(host, ref, path, _list_limit())
    except EngineError as exc:
        if _container_gone(exc):
            return _gone(request, host, role, ref)
        context["error"] = exc
    _shown(style, context)
    status = 404 if isinstance(context.get("error"), archive.PathNotFound) else 200
    return render(request, "containers/files.html", context, status=status)


def _attachment(request: HttpRequest, transfer: byte_streams.Transfer) -> StreamingHttpResponse:
    return attachment(
        request, transfer.chunks, transfer.filename, transfer.content_type, transfer.size
    )


def _send(
    request: HttpRequest,
    host: Host,
    role: Role,
    ref: str,
    action: str,
    params: dict,
    start: Callable[[], byte_streams.Transfer],
    back: str,
) -> HttpResponse:
    """Open one transfer, record it, and stream it; or say why not on the `back` page.

    The audit entry records whether the engine started sending, not whether the
    browser received every byte.
    """
    try:
        with audit.change(request.user, action, host=host, target=ref, params=params):
            transfer = start()
    except EngineError as exc:
        if _container_gone(exc):
            return _gone(request, host, role, ref)
        messages.error(request, f"{exc.title}: {exc.message}")
        return redirect(back)
    return _attachment(request, transfer)


@require_GET
def download(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """A file as itself, a directory as a tar."""
    host, role = host_for(request.user, slug, "container.files")
    style = _style(host)
    path = query_text(request, "path") or style.root
    try:
        parent = style.to_display(_parent(style.to_engine(path)))
    except ValueError:
        parent = style.root
    return _send(
        request,
        host,
        role,
        ref,
        "container.cp_download",
        {"path": tar_safety.printable(path)},
        lambda: archive.download(host, ref, _engine_path(host, path)),
        _files_url(host, ref, parent),
    )


@require_GET
def export(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """`docker export` as a .tar download."""
    host, role = host_for(request.user, slug, "container.export")
    back = reverse("containers:detail", args=[host.slug, ref])
    return _send(
        request, host, role, ref, "container.export", {}, lambda: archive.export(host, ref), back
    )


@require_POST
def upload(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """Files into a directory, as they are or unpacked from tar archives."""
    host, role = host_for(request.user, slug, "container.files")
    # The page names the directory in the form's URL (any bytes fit there); a script may
    # post it as a field.
    directory = query_text(request, "path") or request.POST.get("path") or _style(host).root
    shown = tar_safety.printable(directory)
    uploads = request.FILES.getlist("files")
    extract = request.POST.get("extract") == "on"
    params = {
        "path": shown,
        "extract": extract,
        "files": [{"name": f.name, "size": f.size} for f in uploads],
    }
    limit = _upload_limit()
    size = sum(f.size for f in uploads)
    written, error, gone = 0, "", False
    try:
        with audit.change(
            request.user, "container.cp_upload", host=host, target=ref, params=params
        ):
            # Refused before the engine is asked, and recorded as a failed upload all the same.
            if size > limit:
                raise tar_safety.Refused(too_large(size, limit))
            if not uploads:
                raise tar_safety.Refused("Choose at least one file to upload.")
            path = _engine_path(host, directory)
            written = archive.upload(host, ref, path, uploads, extract=extract, size_limit=limit)
    except EngineError as exc:
        error, gone = exc.message, _container_gone(exc)
    if gone:
        return _gone(request, host, role, ref)
    if error:
        messages.error(request, f"Upload into {shown}: {error}")
    else:
        done = "unpacked" if extract else "uploaded"
        entries = "entry" if written == 1 else "entries"
        messages.success(request, f"{written} {entries} {done} into {shown}.")
    return redirect(_files_url(host, ref, directory))
