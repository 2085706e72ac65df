"""`docker build` from an uploaded Dockerfile or context archive (admins): the form's POST
spools the context to a file on disk and starts a build job (build_job.py);
the build's page follows its log over a websocket, or reloads itself without JavaScript."""

from __future__ import annotations

import os
import re
import shutil
import tempfile

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from console.access import audit
from console.access.permissions import host_for
from console.access.policy import Capabilities
from console.engine import build
from console.images import build_job
from console.images.forms import field_reference
from console.streams import jobs

_ARG_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class BuildForm(forms.Form):
    dockerfile = forms.FileField(
        required=False, label="Dockerfile", help_text="Alone: the build then has no other files."
    )
    context = forms.FileField(
        required=False,
        label="…or a build context",
        help_text=".tar, .tar.gz, .tar.bz2 or .tar.xz of the build directory.",
    )
    dockerfile_path = forms.CharField(
        initial="Dockerfile",
        required=False,
        max_length=500,
        label="Dockerfile path in the context",
    )
    tags = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One name[:tag] per line (or separated by spaces), like -t.",
    )
    build_args = forms.CharField(
        required=False,
        label="Build arguments",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="KEY=VALUE per line, like --build-arg. Values are not kept in the audit log.",
    )
    target = forms.CharField(required=False, max_length=200, help_text="Stage to build (--target).")
    no_cache = forms.BooleanField(required=False, label="Do not use the cache (--no-cache)")
    pull = forms.BooleanField(required=False, label="Always pull newer base images (--pull)")
    network = forms.ChoiceField(
        choices=[("", "default (bridge)"), ("none", "none"), ("host", "host")],
        required=False,
        label="Network for RUN steps (--network)",
    )

    def clean_tags(self) -> list[str]:
        tags = self.cleaned_data["tags"].split()
        return [str(field_reference(tag, allow_digest=False)) for tag in tags]

    def clean_build_args(self) -> dict[str, str]:
        args = {}
        for line in _lines(self.cleaned_data["build_args"]):
            name, equals, value = line.partition("=")
            if not _ARG_NAME.fullmatch(name.strip()):
                raise ValidationError(f"“{line[:60]}” is not KEY=VALUE.")
            args[name.strip()] = value if equals else ""
        return args

    def clean_dockerfile_path(self) -> str:
        path = self.cleaned_data["dockerfile_path"].strip() or "Dockerfile"
        if path.startswith("/") or ".." in path.split("/") or "\0" in path:
            raise ValidationError("A path inside the context, e.g. Dockerfile or docker/app.")
        return path

    def clean(self):
        data = super().clean()
        if bool(data.get("dockerfile")) == bool(data.get("context")):
            raise ValidationError("Upload a Dockerfile or a context archive (one of the two).")
        return data

    def options(self) -> build.BuildOptions:
        data = self.cleaned_data
        return build.BuildOptions(
            tags=data["tags"],
            dockerfile="Dockerfile" if data["dockerfile"] else data["dockerfile_path"],
            build_args=data["build_args"],
            target=data["target"].strip(),
            no_cache=data["no_cache"],
            pull=data["pull"],
            network=data["network"],
        )


def spool_context(form: BuildForm) -> str:
    """The context as a tar file on disk (the job deletes it): the uploaded archive
    copied and checked, or a tar made around the uploaded Dockerfile."""
    handle, path = tempfile.mkstemp(
        prefix="console-build-", suffix=".tar", dir=settings.FILE_UPLOAD_TEMP_DIR
    )
    try:
        with os.fdopen(handle, "w+b") as out:
            if dockerfile := form.cleaned_data["dockerfile"]:
                dockerfile.seek(0)
                build.dockerfile_context(dockerfile, out, dockerfile.size)
            else:
                context = form.cleaned_data["context"]
                context.seek(0)
                shutil.copyfileobj(context, out, build.CHUNK)
                out.seek(0)
                build.check_context(out, form.cleaned_data["dockerfile_path"])
    except BaseException:
        os.unlink(path)
        raise
    return path


def _audit_params(form: BuildForm, options: build.BuildOptions) -> dict:
    data = form.cleaned_data
    upload = data["dockerfile"] or data["context"]
    return {
        "upload": upload.name[:200],
        "size": upload.size,
        "dockerfile": options.dockerfile,
        "tags": options.tags,
        "build_args": sorted(options.build_args),  # names only: values can be secrets
        "target": options.target,
        "no_cache": options.no_cache,
        "pull": options.pull,
        "network": options.network,
    }


@require_http_methods(["GET", "POST"])
def build_page(request: HttpRequest, slug: str) -> HttpResponse:
    host, role = host_for(request.user, slug, "image.build")
    form = BuildForm(*([request.POST, request.FILES] if request.method == "POST" else []))
    if request.method == "POST" and form.is_valid():
        options = form.options()
        params = _audit_params(form, options)
        try:
            path = spool_context(form)
        except build.BadContext as exc:
            # The context never reached the engine; the build job records a build that did.
            audit.record(request.user, "image.build", host=host, params=params, error=exc.message)
            form.add_error("context", exc.message)
        else:
            job = build_job.start(host, request.user, path, options, params)
            return redirect("images:build_status", host.slug, job.id)
    status = 400 if form.errors else 200
    return render(
        request,
        "images/build.html",
        {"host": host, "caps": Capabilities(role), "form": form},
        status=status,
    )


@require_GET
def build_status(request: HttpRequest, slug: str, job: str) -> HttpResponse:
    host, role = host_for(request.user, slug, "image.build")
    found = jobs.find(job, host, build_job.BuildJob)
    if found is None:
        raise Http404("No such build here (finished builds are kept for 15 minutes).")
    finished = found.finished.is_set()
    text, extra = found.outcome() if finished else ("", {})
    context = {
        "host": host,
        "caps": Capabilities(role),
        "job": found,
        "log": found.log(),
        "finished": finished,
        "outcome": text,
        "failed": bool(extra.get("error")),
        "image_url": extra.get("url", ""),
        "socket": f"/ws/hosts/{host.slug}/images/build/?job={found.id}",
    }
    return render(request, "images/build_status.html", context)
