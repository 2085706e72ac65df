"""`docker events`: the engine's event stream as plain records."""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass

from console.engine.client import client_for, translate
from console.engine.wire import hard_close, own_connection

EVENT_TYPES = (
    "container",
    "image",
    "volume",
    "network",
    "daemon",
    "plugin",
    "node",
    "service",
    "secret",
    "config",
)


@dataclass(frozen=True)
class EngineEvent:
    time_nano: int
    type: str
    action: str
    actor_id: str
    name: str
    attributes: dict[str, str]

    def as_dict(self) -> dict:
        return asdict(self)


def _event(raw: dict) -> EngineEvent:
    actor = raw.get("Actor") or {}
    attributes = {
        str(k)[:200]: str(v)[:1000] for k, v in list((actor.get("Attributes") or {}).items())[:50]
    }
    return EngineEvent(
        time_nano=int(raw.get("timeNano") or int(raw.get("time") or 0) * 10**9),
        type=str(raw.get("Type", "")),
        action=str(raw.get("Action", ""))[:200],
        actor_id=str(actor.get("ID", ""))[:200],
        name=attributes.get("name", ""),
        attributes=attributes,
    )


class EventSource:
    """Events from `since` (CLI time syntax, already parsed) on, live, engine-filtered."""

    def __init__(self, host, *, since: str | None = None, filters: dict | None = None):
        api = client_for(host)
        params = {}
        if since:
            params["since"] = since
        if filters:
            params["filters"] = json.dumps(filters)
        with translate():
            self._response = api._get(api._url("/events"), params=params, stream=True, timeout=None)
            self._socket = own_connection(api, self._response)
        self._api = api

    def __iter__(self):
        with translate():
            for raw in self._api._stream_helper(self._response, decode=True):
                yield _event(raw)

    def close(self) -> None:
        hard_close(self._socket)
        with contextlib.suppress(Exception):
            self._response.close()
