"""`docker save` (a streamed .tar download), `docker load` and `docker import` (a .tar
upload streamed to the engine).

Save needs the operator role, not viewer: an image's layers can hold secrets (keys,
tokens baked in by a build) that its metadata does not show. Load and import change the
engine's images: admins, like build.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from console.access import audit
from console.access.permissions import host_for
from console.access.policy import Capabilities
from console.engine import image_archives
from console.engine.errors import EngineError
from console.hosts.models import Host
from console.images.forms import field_reference
from console.web.downloads import attachment

MAX_SAVE = 100  # images in one save


def _save(request: HttpRequest, host: Host, refs: list[str], back: str) -> HttpResponse:
    """Open the engine's stream, record it, send it; or say why not on the `back` page.
    The audit entry records that the engine started sending."""
    params = {"images": refs}
    try:
        with audit.change(request.user, "image.save", host=host, params=params) as entry:
            download = image_archives.save(host, refs)
            entry.target = download.filename
    except EngineError as exc:
        messages.error(request, f"{exc.title}: {exc.message}")
        return redirect(back)
    return attachment(request, download.chunks, download.filename, download.content_type)


@require_GET
def save_one(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """`docker save` of one image (by id: with all its tags) as a .tar download."""
    host, _ = host_for(request.user, slug, "image.save")
    return _save(request, host, [ref], reverse("images:detail", args=[host.slug, ref]))


class SaveForm(forms.Form):
    refs = forms.CharField(
        label="Images",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Names (name:tag) or ids, one per line or separated by spaces.",
    )

    def clean_refs(self) -> list[str]:
        refs = list(dict.fromkeys(self.cleaned_data["refs"].split()))
        if len(refs) > MAX_SAVE:
            raise ValidationError(f"At most {MAX_SAVE} images in one archive.")
        return refs


@require_GET
def save_many(request: HttpRequest, slug: str) -> HttpResponse:
    """`docker save A B …`: the form, or (with ?ref=… given) the download."""
    host, role = host_for(request.user, slug, "image.save")
    refs = request.GET.getlist("ref")
    data = {"refs": " ".join(refs)} if refs else (request.GET if "refs" in request.GET else None)
    form = SaveForm(data)
    if data is not None and form.is_valid():
        return _save(request, host, form.cleaned_data["refs"], request.path)
    return render(
        request, "images/save.html", {"host": host, "caps": Capabilities(role), "form": form}
    )


class LoadForm(forms.Form):
    archive = forms.FileField(
        label="Image archive",
        help_text="A .tar made by docker save (gzip, bzip2 or xz compressed too).",
    )


def _upload_params(upload) -> dict:
    return {"upload": upload.name[:200], "size": upload.size}


@require_http_methods(["GET", "POST"])
def load_page(request: HttpRequest, slug: str) -> HttpResponse:
    host, role = host_for(request.user, slug, "image.load")
    form = LoadForm(*([request.POST, request.FILES] if request.method == "POST" else []))
    context: dict = {"host": host, "caps": Capabilities(role), "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["archive"]
        params = _upload_params(upload)
        try:
            with audit.change(request.user, "image.load", host=host, params=params) as entry:
                result = image_archives.load(host, upload)
                entry.target = ", ".join(result.loaded)[:200]
        except EngineError as exc:
            context["error"] = exc
        else:
            context["result"] = result
    status = 400 if form.errors or context.get("error") else 200
    return render(request, "images/load.html", context, status=status)


class ImportForm(forms.Form):
    archive = forms.FileField(
        label="Filesystem archive",
        help_text="A .tar of a root filesystem, e.g. a container's export (gzip, bzip2, xz too).",
    )
    reference = forms.CharField(
        required=False,
        max_length=512,
        label="Repository[:tag]",
        help_text="e.g. team/app:1.0; without a tag, “latest”; empty: an untagged image.",
    )
    message = forms.CharField(required=False, max_length=500, label="Commit message")
    changes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='Dockerfile lines, one per line, like --change: CMD ["/bin/sh"], '
        "ENV PATH=/usr/bin:/bin, WORKDIR /app, EXPOSE 80, USER nobody …",
    )

    def clean_reference(self) -> tuple[str, str]:
        text = self.cleaned_data["reference"].strip()
        if not text:
            return "", ""
        ref = field_reference(text, allow_digest=False)
        return ref.name, ref.tag or "latest"

    def clean_changes(self) -> list[str]:
        changes = [c.strip() for c in self.cleaned_data["changes"].splitlines() if c.strip()]
        try:
            image_archives.check_changes(changes)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        return changes


@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest, slug: str) -> HttpResponse:
    host, role = host_for(request.user, slug, "image.import")
    form = ImportForm(*([request.POST, request.FILES] if request.method == "POST" else []))
    context: dict = {"host": host, "caps": Capabilities(role), "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["archive"]
        repository, tag = data["reference"]
        params = {**_upload_params(upload), "message": data["message"], "changes": data["changes"]}
        target = f"{repository}:{tag}" if repository else ""
        try:
            with audit.change(
                request.user, "image.import", host=host, target=target, params=params
            ) as entry:
                result = image_archives.import_image(
                    host,
                    upload,
                    repository=repository,
                    tag=tag,
                    message=data["message"],
                    changes=data["changes"],
                )
                entry.target = target or result.image_id
                entry.params["image_id"] = result.image_id
        except EngineError as exc:
            context["error"] = exc
        else:
            context["result"] = result
    status = 400 if form.errors or context.get("error") else 200
    return render(request, "images/import.html", context, status=status)
