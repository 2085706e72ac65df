"""Images: `docker pull` as a stream of progress records."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from docker import auth
from docker.utils import parse_repository_tag

from console.engine.client import client_for, translate
from console.engine.errors import EngineError
from console.engine.streams import hard_close
from console.engine.text import bounded


@dataclass(frozen=True)
class PullProgress:
    layer: str  # empty for lines about the whole image ("Digest: …", "Status: …")
    status: str
    current: int | None = None
    total: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class PullSource:
    """`docker pull REF` (tag `latest` when none is given), one record per engine line.
    An error line from the engine ends it with the engine's words."""

    def __init__(self, host, ref: str):
        repository, tag = parse_repository_tag(ref)
        api = client_for(host)
        with translate():
            self._response = api._post(
                api._url("/images/create"),
                params={"fromImage": repository, "tag": tag or "latest"},
                # Anonymous: registry logins of the console's own machine are not lent out.
                headers={"X-Registry-Auth": auth.encode_header({})},
                stream=True,
                timeout=None,
            )
            api._raise_for_status(self._response)
            self._socket = api._get_raw_response_socket(self._response)
        self._api = api

    def __iter__(self) -> Iterator[PullProgress]:
        with translate():
            for event in self._api._stream_helper(self._response, decode=True):
                if "error" in event:
                    detail = event.get("errorDetail") or {}
                    raise EngineError(bounded(detail.get("message") or event["error"], 2000))
                detail = event.get("progressDetail") or {}
                yield PullProgress(
                    layer=bounded(event.get("id", ""), 100),
                    status=bounded(event.get("status", ""), 500),
                    current=detail.get("current"),
                    total=detail.get("total"),
                )

    def close(self) -> None:
        hard_close(self._socket)
        with contextlib.suppress(Exception):
            self._response.close()


def pull_image(host, ref: str) -> str:
    """`docker pull`, waiting for its end; returns the engine's closing lines."""
    source = PullSource(host, ref)
    try:
        summary = [p.status for p in source if not p.layer]
    finally:
        source.close()
    return "; ".join(summary[-2:])
