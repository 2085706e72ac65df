"""Small web-layer pieces every app's views share."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme


def redirect_back(request: HttpRequest, default: str) -> HttpResponse:
    """To the form's `next` when it is a URL of this site, else to `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def query_text(request: HttpRequest, name: str) -> str | None:
    """The query parameter `name` (its last value) with bytes that are not UTF-8 kept as
    surrogates, where request.GET replaces them: links to files whose names are not
    UTF-8 carry those bytes (%FF)."""
    values = parse_qs(
        request.META.get("QUERY_STRING", ""), keep_blank_values=True, errors="surrogateescape"
    ).get(name)
    return values[-1] if values else None


class ThreadedChunks:
    """A blocking chunk generator (an engine stream) served as an async iterator.

    Under ASGI, Django drains a plain iterator into one list before sending it (a whole
    export in memory); it streams an async iterator chunk by chunk. Each chunk is read
    in a worker thread, one ahead of the one being sent. Django calls `close()` when the
    response ends, also when the browser went away, which ends the engine stream.
    """

    _pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="download")

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._lock = threading.Lock()  # held by the read in flight; close() waits for it
        self._closed = False

    def _next(self) -> bytes | None:
        with self._lock:
            if self._closed:
                return None
            return next(self._chunks, None)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        ahead = self._pool.submit(self._next)
        # Shielded: a cancelled response must not cancel the read in its thread.
        while (chunk := await asyncio.shield(asyncio.wrap_future(ahead))) is not None:
            ahead = self._pool.submit(self._next)
            yield chunk

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                close = getattr(self._chunks, "close", None)
                if close is not None:
                    close()


def attachment(
    request: HttpRequest,
    chunks: Iterator[bytes],
    filename: str,
    content_type: str = "application/octet-stream",
    size: int | None = None,
) -> StreamingHttpResponse:
    """A download streamed from `chunks`, memory flat whatever its size."""
    body = ThreadedChunks(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    if size is not None:
        response["Content-Length"] = str(size)
    return response


# Django parses uploads in 64 KiB pieces, the smallest chunk size of its handlers; a
# 300 MB `docker load` parses a third faster in 1 MiB pieces.
class MemoryUpload(MemoryFileUploadHandler):
    chunk_size = 1 << 20


class DiskUpload(TemporaryFileUploadHandler):
    chunk_size = 1 << 20
