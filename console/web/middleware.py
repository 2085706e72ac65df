"""The console's own middleware: log lines that name the request's host and user; an
engine error that a view did not handle is a page saying so, never a 500."""

from __future__ import annotations

from django.shortcuts import render

from console.engine import acting
from console.engine.errors import EngineError, NotFound


class ActingMiddleware:
    """Log lines written while a request is served name its user and, once the URL is
    resolved, its host (console.engine.acting)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user.get_username() if request.user.is_authenticated else None
        with acting.naming(user=user):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if slug := view_kwargs.get("slug"):
            acting.name(host=slug)  # undone as __call__'s block ends


class EngineErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, EngineError):
            return None
        status = 404 if isinstance(exception, NotFound) else 502
        return render(request, "web/engine_error.html", {"error": exception}, status=status)
