"""Query parameters read as the browser sent them."""

from __future__ import annotations

from urllib.parse import parse_qs

from django.http import HttpRequest


def query_text(request: HttpRequest, name: str) -> str | None:
    """The query parameter `name` (its last value) with bytes that are not UTF-8 kept as
    surrogates, where request.GET replaces them: links to files whose names are not
    UTF-8 carry those bytes (%FF)."""
    values = parse_qs(
        request.META.get("QUERY_STRING", ""), keep_blank_values=True, errors="surrogateescape"
    ).get(name)
    return values[-1] if values else None
