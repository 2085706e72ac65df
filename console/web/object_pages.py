"""What the pages of engine objects (volumes, networks, and containers where the logic is
the same) share: rows as JSON, lists on one host or on every host, inspect-or-404, a
detail page or its raw JSON, and engine changes recorded in the audit log."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from console import engine
from console.access import audit
from console.access.models import Role
from console.access.permissions import host_for, visible_hosts
from console.access.policy import Capabilities
from console.engine.errors import EngineError, NotFound

if TYPE_CHECKING:
    from django import forms

    from console.hosts.models import Host
    from console.web.forms import EngineFilterForm


def row_json(row: Any, host: Host | None = None, **extra: Any) -> dict:
    """A row dataclass as JSON, `created` in ISO 8601; with `host` on multi-host lists."""
    data = asdict(row) | extra
    data["created"] = row.created.isoformat() if row.created else None
    if host is not None:
        data["host"] = host.slug
    return data


@dataclass(frozen=True)
class ObjectKind:
    """One sort of engine object, with the engine calls its pages make.

    `noun` names it in messages and audit actions ("volume.create"), `app` is its URL
    namespace, its templates' folder and its JSON list's key ("volumes")."""

    noun: str
    app: str
    filter_form: type[EngineFilterForm]
    list_on: Callable[[Host, dict[str, list[str]]], Any]
    inspect: Callable[[Host, str], Any]
    exists: Callable[[Host, str], bool]
    rows: Callable[[Any], Iterable[Any]] = iter  # the rows of what `list_on` returns
    row_json: Callable[[Any, Host | None], dict] = row_json


@dataclass(frozen=True)
class Creation:
    """What a valid create form asks of the engine."""

    name: str  # empty: the engine picks one
    params: dict  # what the audit log keeps (never a secret)
    create: Callable[[], str]  # makes it; returns the reference of its page


def wants_json(request: HttpRequest) -> bool:
    return request.GET.get("format") == "json"


def error_json(error: EngineError) -> JsonResponse:
    """Why the engine gave no answer, as the answer of a JSON page."""
    return JsonResponse({"error": error.title, "reason": error.message}, status=502)


def across_hosts_json(
    key: str,
    results: list[engine.HostResult],
    rows: Callable[[Any], Iterable[Any]],
    to_json: Callable[[Any, Host], dict],
) -> JsonResponse:
    """Every host's rows under `key`, and why the hosts that gave none did not."""
    return JsonResponse(
        {
            key: [to_json(row, r.host) for r in results if r.ok for row in rows(r.value)],
            "errors": [
                {"host": r.host.slug, "error": r.error.title, "reason": r.error.message}
                for r in results
                if not r.ok
            ],
        }
    )


def host_list(request: HttpRequest, slug: str, kind: ObjectKind) -> HttpResponse:
    """`docker <kind> ls -f ...` on one host, as a page or JSON."""
    host, role = host_for(request.user, slug, f"{kind.noun}.view")
    filter_form = kind.filter_form(request.GET)
    listing, error = None, None
    try:
        listing = kind.list_on(host, filter_form.engine_filters())
    except EngineError as exc:
        error = exc
    if wants_json(request):
        if error:
            return error_json(error)
        return JsonResponse({kind.app: [kind.row_json(row, None) for row in kind.rows(listing)]})
    context = {
        "kind": kind,
        "host": host,
        "listing": listing,
        "error": error,
        "filter_form": filter_form,
        "caps": Capabilities(role),
        "query": request.GET.urlencode(),
    }
    return render(request, f"{kind.app}/list.html", context)


def all_hosts_list(request: HttpRequest, kind: ObjectKind) -> HttpResponse:
    """The same list across every host the user may see, hosts asked concurrently."""
    filter_form = kind.filter_form(request.GET)
    filters = filter_form.engine_filters()
    results = engine.fan_out(list(visible_hosts(request.user)), lambda h: kind.list_on(h, filters))
    if wants_json(request):
        return across_hosts_json(kind.app, results, kind.rows, kind.row_json)
    context = {
        "kind": kind,
        "results": results,
        "filter_form": filter_form,
        "query": request.GET.urlencode(),
    }
    return render(request, f"{kind.app}/all.html", context)


def inspect(kind: ObjectKind, host: Host, ref: str) -> tuple[Any, EngineError | None]:
    """The object, or why the engine could not say; one that is not there is a 404."""
    try:
        return kind.inspect(host, ref), None
    except NotFound:
        raise not_found(kind, host, ref) from None
    except EngineError as exc:
        return None, exc


def not_found(kind: ObjectKind, host: Host, ref: str) -> Http404:
    return Http404(f"No {kind.noun} {ref} on {host.name}.")


def detail_page(
    request: HttpRequest, kind: ObjectKind, host: Host, ref: str, **context: Any
) -> HttpResponse:
    """The object's page, or with ?format=json the engine's inspect JSON."""
    detail, error = inspect(kind, host, ref)
    return detail_response(request, kind, host, ref, detail, error, **context)


def detail_response(
    request: HttpRequest,
    kind: ObjectKind,
    host: Host,
    ref: str,
    detail: Any,
    error: EngineError | None,
    **context: Any,
) -> HttpResponse:
    """The page of an object `inspect` gave, or with ?format=json its inspect JSON."""
    if wants_json(request):
        if error:
            return error_json(error)
        return HttpResponse(detail.inspect_json, content_type="application/json")
    context |= {"host": host, "ref": ref, "detail": detail, "error": error}
    return render(request, f"{kind.app}/detail.html", context, status=502 if error else 200)


def host_for_secrets(request: HttpRequest, slug: str, noun: str) -> tuple[Host, Role, bool]:
    """For a page that holds secrets: the host, the role, and whether to reveal them.

    A GET shows everyone with a role the page with the secret values masked; a POST to
    the same page (a form, so never a link followed or prefetched) reveals them, to
    operators and up only. The view records each reveal with `audit_reveal`."""
    reveal = request.method == "POST"
    host, role = host_for(request.user, slug, f"{noun}.reveal" if reveal else f"{noun}.view")
    return host, role, reveal


def audit_reveal(request: HttpRequest, noun: str, host: Host, target: str, keys) -> None:
    """Who saw which secret values: the keys, never the values."""
    audit.record(
        request.user, f"{noun}.reveal", host=host, target=target, params={"keys": sorted(keys)}
    )


def remove_confirmation(
    request: HttpRequest, kind: ObjectKind, host: Host, ref: str
) -> HttpResponse:
    detail, error = inspect(kind, host, ref)
    context = {"host": host, "ref": ref, "detail": detail, "error": error}
    return render(request, f"{kind.app}/remove.html", context)


def after_removal(
    request: HttpRequest, kind: ObjectKind, host: Host, ref: str, name: str, error: str
) -> HttpResponse:
    """To the list when `name` went; back to its page, with the engine's reason, if not."""
    if error:
        messages.error(request, f"Remove {ref}: {error}")
        return redirect(f"{kind.app}:detail", host.slug, ref)
    messages.success(request, f"{kind.noun.capitalize()} {name} removed.")
    return redirect(f"{kind.app}:list", host.slug)


def create_page(
    request: HttpRequest,
    kind: ObjectKind,
    host: Host,
    form: forms.Form,
    creation: Callable[[], Creation],
) -> HttpResponse:
    """The create form; when valid and the name is free, the object made, recorded, and
    its page. `creation` reads the valid form."""
    if request.method == "POST" and form.is_valid():
        asked = creation()
        made = _create(request, kind, host, form, asked)
        if made is not None:
            messages.success(request, f"{kind.noun.capitalize()} {asked.name or made} created.")
            return redirect(f"{kind.app}:detail", host.slug, made)
    return render(request, f"{kind.app}/create.html", {"kind": kind, "host": host, "form": form})


def _create(
    request: HttpRequest, kind: ObjectKind, host: Host, form: forms.Form, asked: Creation
) -> str | None:
    """Make what was asked and record it; None, with the reason on the form, when it was
    not made."""
    action = f"{kind.noun}.create"
    try:
        with audit.change(
            request.user, action, host=host, target=asked.name, params=asked.params
        ) as entry:
            # The engine would hand back an existing volume instead of refusing.
            if asked.name and kind.exists(host, asked.name):
                form.add_error("name", f"A {kind.noun} named {asked.name} exists.")
                entry.abandon()
                return None
            made = asked.create()
            entry.target = asked.name or made
    except EngineError as exc:
        form.add_error(None, exc.message)
        return None
    return made


def report(request: HttpRequest, verb: str, target: str, error: str) -> bool:
    """How one change went, as a flash message ("stop web-1: done.")."""
    if error:
        messages.error(request, f"{verb} {target}: {error}")
    else:
        messages.success(request, f"{verb} {target}: done.")
    return not error


def prune_page(
    request: HttpRequest,
    kind: ObjectKind,
    host: Host,
    role: Role,
    form: forms.Form,
    prune: Callable[..., Any],
    result_name: str,
    went: Callable[[Any], dict],
) -> HttpResponse:
    """`docker <kind> prune`: GET asks, POST prunes with the form's flags and shows what
    went (`result_name` in the context); the audit entry adds what `went` reads of it."""
    context: dict = {
        "kind": kind,
        "host": host,
        "caps": Capabilities(role),
        "form": form,
        "pruned": False,
    }
    if request.method == "POST" and form.is_valid():
        params = dict(form.cleaned_data)
        try:
            with audit.change(
                request.user, f"{kind.noun}.prune", host=host, params=params
            ) as entry:
                result = prune(host, **params)
                entry.params |= went(result)
        except EngineError as exc:
            context["error"] = exc
        else:
            context |= {result_name: result, "pruned": True}
    return render(request, f"{kind.app}/prune.html", context)
