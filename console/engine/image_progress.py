"""`docker pull` and `docker push` as streams of progress records."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from urllib.parse import quote

from docker.utils import parse_repository_tag

from console.engine.client import client_for, translate
from console.engine.errors import EngineError
from console.engine.registry import registry_auth_header
from console.engine.text import bounded
from console.engine.wire import hard_close, own_connection


@dataclass(frozen=True)
class PullProgress:
    layer: str  # empty for lines about the whole image ("Digest: …", "Status: …")
    status: str
    current: int | None = None
    total: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class ProgressSource:
    """A streaming engine call that answers one JSON record per line (pull, push), as
    `PullProgress` records. An error line from the engine ends it with the engine's words."""

    def _open(self, host, path: str, params: dict, credentials) -> None:
        api = client_for(host)
        with translate():
            self._response = api._post(
                api._url(path),
                params=params,
                headers={"X-Registry-Auth": registry_auth_header(credentials)},
                stream=True,
                timeout=None,
            )
            self._socket = own_connection(api, self._response)
        self._api = api

    def __iter__(self) -> Iterator[PullProgress]:
        with translate():
            for event in self._api._stream_helper(self._response, decode=True):
                if "error" in event:
                    detail = event.get("errorDetail") or {}
                    raise EngineError(bounded(detail.get("message") or event["error"], 2000))
                if "status" not in event:
                    continue  # "aux" records repeat what a status line says
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


class PullSource(ProgressSource):
    """`docker pull REF` (tag `latest` when none is given; every tag with `all_tags`),
    one record per engine line. `credentials` are lent to the engine for this pull only."""

    def __init__(self, host, ref: str, credentials=None, all_tags: bool = False):
        repository, tag = parse_repository_tag(ref)
        params = {"fromImage": repository}
        if not all_tags:
            params["tag"] = tag or "latest"
        self._open(host, "/images/create", params, credentials)


class PushSource(ProgressSource):
    """`docker push REPOSITORY:TAG`, one record per engine line."""

    def __init__(self, host, ref: str, credentials=None):
        repository, tag = parse_repository_tag(ref)
        self._open(
            host,
            f"/images/{quote(repository, safe='/:')}/push",
            {"tag": tag or "latest"},
            credentials,
        )


def _closing_lines(source: ProgressSource) -> str:
    """Read `source` to its end; the engine's closing lines about the whole image."""
    try:
        summary = [p.status for p in source if not p.layer]
    finally:
        source.close()
    return "; ".join(summary[-2:])


def pull_image(host, ref: str, credentials=None, all_tags: bool = False) -> str:
    """`docker pull`, waiting for its end; returns the engine's closing lines."""
    return _closing_lines(PullSource(host, ref, credentials, all_tags))


def push_image(host, ref: str, credentials=None) -> str:
    """`docker push`, waiting for its end; returns the engine's closing lines."""
    return _closing_lines(PushSource(host, ref, credentials))
