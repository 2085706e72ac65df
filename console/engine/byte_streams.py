"""The engine's big answers (downloads: files, exports, saved images) as byte streams,
handed on chunk by chunk so memory stays flat whatever their size."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import requests

# Bytes per read from the engine and per piece handed on; a few of these are in memory
# per transfer.
CHUNK = 1 << 20


@dataclass(frozen=True)
class Transfer:
    """A download: what to call it, and its bytes as the engine sends them."""

    filename: str
    content_type: str
    size: int | None  # known for a single file, not for a tar made on the fly
    chunks: Generator[bytes, None, None]


def open_stream(api, endpoint: str, ref: str, **params) -> requests.Response:
    """The engine's streamed answer. docker-py's get_archive and export hide the response;
    the console needs it to close the connection when a browser stops reading or a
    listing has seen enough."""
    response = api._get(
        api._url(endpoint, ref),
        params=params,
        stream=True,
        headers={"Accept-Encoding": "identity"},
    )
    try:
        api._raise_for_status(response)
    except Exception:
        response.close()
        raise
    return response


def stream_chunks(response: requests.Response) -> Generator[bytes, None, None]:
    """The body in CHUNK pieces; closing the generator closes the engine connection."""
    try:
        # Not iter_content: it yields each HTTP chunk as the engine framed it (32 KiB),
        # and every piece costs a thread hop and a write further on.
        while chunk := response.raw.read(CHUNK):
            yield chunk
    finally:
        response.close()
