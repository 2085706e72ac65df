"""The pull and push pages. The work runs as a websocket job with per-layer progress
(pull_job.py, push_job.py); without JavaScript the form is sent and the server waits
for the end."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from console.access import audit
from console.access.permissions import host_for
from console.access.policy import Capabilities
from console.engine import image_progress
from console.engine import images as engine_images
from console.engine.errors import EngineError
from console.engine.reference import BadReference, parse_reference, pull_reference
from console.images.models import Registry, credentials_for
from console.images.views import IMAGES
from console.web import object_pages


class PullForm(forms.Form):
    ref = forms.CharField(
        label="Image",
        max_length=500,
        help_text="name[:tag] or name@digest; a registry address first for a private "
        "registry (127.0.0.1:5000/team/app:1.0). Without a tag: latest.",
        widget=forms.TextInput(attrs={"autofocus": True, "spellcheck": "false"}),
    )
    all_tags = forms.BooleanField(
        label="All tags (-a)", required=False, help_text="Every tag of the repository."
    )

    def clean(self):
        data = super().clean()
        if "ref" in data:
            try:
                data["ref"] = str(pull_reference(data["ref"], data.get("all_tags", False)))
            except BadReference as exc:
                self.add_error("ref", str(exc))
        return data


@require_http_methods(["GET", "POST"])
def pull_page(request: HttpRequest, slug: str) -> HttpResponse:
    host, role = host_for(request.user, slug, "image.pull")
    initial = {"ref": request.GET.get("ref", ""), "all_tags": request.GET.get("all_tags") == "1"}
    form = PullForm(request.POST or None, initial=initial)
    context = {"host": host, "caps": Capabilities(role), "form": form}
    if request.method == "POST" and form.is_valid():
        # Without JavaScript: pull here and now, then say how it ended.
        ref, all_tags = form.cleaned_data["ref"], form.cleaned_data["all_tags"]
        error = status = ""
        try:
            with audit.change(
                request.user,
                "image.pull",
                host=host,
                target=ref,
                params={"status": status, "all_tags": all_tags},
            ) as entry:
                status = image_progress.pull_image(host, ref, credentials_for(ref), all_tags)
                entry.params["status"] = status
        except EngineError as exc:
            error = exc.message
        if error:
            messages.error(request, f"Pull failed: {error}")
        else:
            messages.success(request, status or f"Pulled {ref}.")
        context["result"] = {"ref": ref, "status": status, "error": error}
    return render(request, "images/pull.html", context)


def _split_registry(name: str, registries: list[Registry]) -> tuple[Registry | None, str]:
    """A configured registry named at the start of `name`, and the rest of the name."""
    first, slash, rest = name.partition("/")
    for registry in registries:
        if slash and not registry.is_hub and registry.host == first.lower():
            return registry, rest
    return None, name


class PushForm(forms.Form):
    registry = forms.ModelChoiceField(
        queryset=Registry.objects.all(),
        required=False,
        empty_label="none: the repository says where (Docker Hub without a registry address)",
        help_text="Its address goes before the repository, and its credentials are used.",
    )
    repository = forms.CharField(
        max_length=255, help_text="e.g. team/app, or 127.0.0.1:5000/team/app"
    )
    tag = forms.CharField(max_length=128, initial="latest")

    def clean(self):
        data = super().clean()
        if "repository" not in data or "tag" not in data:
            return data
        registry = data.get("registry")
        name = data["repository"].strip().strip("/")
        if registry is not None and not registry.is_hub:
            name = f"{registry.host}/{name}"
        try:
            data["target"] = parse_reference(f"{name}:{data['tag'].strip()}", allow_digest=False)
        except BadReference as exc:
            self.add_error("repository", str(exc))
        return data


def _push_initial(detail) -> dict:
    """The image's first tag, split into registry, repository and tag."""
    if not detail or not detail.tags:
        return {"tag": "latest"}
    repository, _, tag = detail.tags[0].rpartition(":")
    registry, rest = _split_registry(repository, list(Registry.objects.all()))
    return {"registry": registry, "repository": rest, "tag": tag or "latest"}


@require_http_methods(["GET", "POST"])
def push_page(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """`docker tag` (when the image lacks the name) then `docker push`, followed live over
    the push websocket; without JavaScript the server pushes and waits."""
    host, role = host_for(request.user, slug, "image.push")
    detail, error = object_pages.inspect(IMAGES, host, ref)
    form = PushForm(request.POST or None, initial=_push_initial(detail))
    context = {
        "host": host,
        "caps": Capabilities(role),
        "ref": ref,
        "detail": detail,
        "error": error,
        "form": form,
    }
    if request.method == "POST" and detail is not None and form.is_valid():
        target = form.cleaned_data["target"]
        if str(target) not in detail.tags:
            error = audit.attempt(
                request.user,
                "image.tag",
                lambda: engine_images.tag_image(host, detail.id, target.name, target.tag),
                host=host,
                target=detail.id,
                params={"reference": str(target)},
            )
            if error:
                form.add_error(None, error)
                return render(request, "images/push.html", context)
        context |= {"target": str(target), "target_q": quote(str(target), safe="")}
        if request.POST.get("live") != "1":
            context["result"] = _push_now(request, host, str(target))
    return render(request, "images/push.html", context)


def _push_now(request: HttpRequest, host, target: str) -> dict:
    error = status = ""
    try:
        with audit.change(
            request.user, "image.push", host=host, target=target, params={"status": status}
        ) as entry:
            status = image_progress.push_image(host, target, credentials_for(target))
            entry.params["status"] = status
    except EngineError as exc:
        error = exc.message
    return {"status": status, "error": error}
