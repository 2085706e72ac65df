"""`docker run` in the console: the form, pull-and-run for a missing image, and
duplicate/edit of an existing container (`?from=<ref>`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from console.access import audit
from console.access.permissions import container_policy, host_for
from console.containers.forms import RunForm, initial_from
from console.engine import image_progress
from console.engine import run as engine_run
from console.engine import volumes as engine_volumes
from console.engine.errors import (
    CONNECTION_ERRORS,
    Conflict,
    EngineError,
    NotFound,
)
from console.images.models import credentials_for
from console.web import object_pages


def _volume_names(host) -> list[str] | None:
    """The host's volumes, for the -v picker; None when the engine cannot say (the form
    works without them)."""
    try:
        listing = engine_volumes.list_volumes(host)
    except EngineError:
        return None
    return [v.name for v in listing.volumes]


def _page(request: HttpRequest, host, form: RunForm, **context) -> HttpResponse:
    names = None
    # After failing to reach the engine, asking it for its volumes would only fail (or wait) again.
    if not isinstance(context.get("error"), CONNECTION_ERRORS):
        names = _volume_names(host)
    if names is not None:
        form.offer_volumes(names)
    context = {"host": host, "form": form, "volume_names": names or [], **context}
    return render(request, "containers/run.html", context)


def _prefill(request: HttpRequest, host, ref: str) -> HttpResponse:
    """The form filled from an existing container, to change and run a copy."""
    try:
        spec = engine_run.spec_from_container(host, ref)
    except NotFound:
        raise Http404(f"No container {ref} on {host.name}.") from None
    except EngineError as exc:
        return _page(request, host, RunForm(), error=exc)
    if spec.env:  # the form shows the environment values: a reveal like the detail page's
        keys = [item.partition("=")[0] for item in spec.env]
        object_pages.audit_reveal(request, "container", host, ref, keys)
    return _page(request, host, RunForm(initial=initial_from(spec)), source=ref)


def _failed(
    request: HttpRequest,
    host,
    form: RunForm,
    spec: engine_run.RunSpec,
    exc: EngineError,
    *,
    step: str,
) -> HttpResponse:
    """Give the form back with the engine's words."""
    retry = form.carried_over()
    if isinstance(exc, Conflict) and spec.name:
        retry.add_error("name", exc.message)
    return _page(request, host, retry, error=exc, failed_step=step)


def _submit(request: HttpRequest, host, role, form: RunForm) -> HttpResponse:
    """Checks first (allowed, name free, image there), then pull if asked, then create
    and start: one change, one audit entry (env values never reach it)."""
    spec = form.run_spec()
    policy = container_policy(host, role)
    step = "run"
    try:
        with audit.change(
            request.user,
            "container.run",
            host=host,
            target=spec.name or spec.image,
            params=spec.audit_params() | {"pulled": False},
        ) as entry:
            engine_run.check_allowed(host, spec, policy)
            if spec.name and engine_run.name_taken(host, spec.name):
                raise Conflict(f"The name “{spec.name}” is already in use on {host.name}.")
            missing = not engine_run.image_present(host, spec.image)
            if missing and request.POST.get("pull") != "1":
                entry.abandon()
                return _page(request, host, form.carried_over(), missing_image=spec.image)
            if missing:
                step, entry.params["pulled"] = "pull", True
                status = image_progress.pull_image(host, spec.image, credentials_for(spec.image))
                messages.info(request, f"Pulled {spec.image}: {status}")
                step = "run"
            started = engine_run.run_container(host, spec, policy)
            entry.target, entry.params["id"] = started.name, started.id
    except EngineError as exc:
        return _failed(request, host, form, spec, exc, step=step)
    messages.success(request, f"Started {started.name} ({started.id[:12]}) from {spec.image}.")
    if spec.tty and spec.stdin_open:
        # `docker run -it` puts the person in the main process: the attach page.
        return redirect("containers:attach", host.slug, started.name)
    return redirect("containers:detail", host.slug, started.name)


@require_http_methods(["GET", "POST"])
def run_container_view(request: HttpRequest, slug: str) -> HttpResponse:
    host, role = host_for(request.user, slug, "container.run")
    if request.method == "GET":
        if source := request.GET.get("from", "").strip():
            return _prefill(request, host, source)
        return _page(request, host, RunForm())
    form = RunForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, host, form)
    return _submit(request, host, role, form)
