"""An engine error that a view did not handle is a page saying so, never a 500."""

from __future__ import annotations

from django.shortcuts import render

from console.engine.errors import EngineError, NotFound


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
