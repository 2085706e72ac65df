"""Downloads streamed from the engine, chunk by chunk, memory flat whatever the size."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.http import content_disposition_header


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
