"""`docker build`: a build context (a tar on disk) streamed to the engine, its output
as a stream of log lines and, at the end, the new image's id.

The classic builder's API is used (what `DOCKER_BUILDKIT=0 docker build` does); its
output is JSON lines: `stream` (log text), `status`/`progress` (pulls for FROM),
`aux.ID` (the built image) and `error`.
"""

from __future__ import annotations

import contextlib
import json
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from console.engine.client import client_for, translate
from console.engine.errors import EngineError
from console.engine.text import bounded
from console.engine.wire import hard_close, own_connection

CHUNK = 1 << 20
MAX_LINE = 4000


class BadContext(EngineError):
    """The uploaded context cannot be a build context; nothing was sent to the engine."""

    title = "Not a build context"


@dataclass(frozen=True)
class BuildOptions:
    tags: list[str] = field(default_factory=list)
    dockerfile: str = "Dockerfile"  # path inside the context
    build_args: dict[str, str] = field(default_factory=dict)
    target: str = ""
    no_cache: bool = False
    pull: bool = False
    network: str = ""  # the RUN steps' network (--network); "" is the engine's default

    def params(self) -> dict:
        params = {
            "t": self.tags,
            "dockerfile": self.dockerfile,
            "nocache": int(self.no_cache),
            "pull": int(self.pull),
            # Intermediate containers go, also after a failed step: nothing half-made stays.
            "rm": 1,
            "forcerm": 1,
        }
        if self.build_args:
            params["buildargs"] = json.dumps(self.build_args)
        if self.target:
            params["target"] = self.target
        if self.network:
            params["networkmode"] = self.network
        return params


@dataclass(frozen=True)
class BuildEvent:
    text: str = ""  # a piece of log output (may hold several lines, or part of one)
    image_id: str = ""  # set once, when the image is built


def dockerfile_context(dockerfile: IO[bytes], out: IO[bytes], size: int) -> None:
    """Write to `out` a context holding only `dockerfile` (as "Dockerfile")."""
    with tarfile.open(fileobj=out, mode="w|", bufsize=CHUNK) as tar:
        info = tarfile.TarInfo("Dockerfile")
        info.size, info.mode, info.mtime = size, 0o644, int(time.time())
        tar.addfile(info, dockerfile)


def check_context(context: IO[bytes], dockerfile: str) -> int:
    """Read the whole context (a tar, plain or gzip/bzip2/xz-compressed) and say what is
    wrong with it before the engine sees it: not a tar, truncated, or without the
    Dockerfile. Returns its entry count."""
    wanted = dockerfile.removeprefix("./")
    found, count = False, 0
    try:
        with tarfile.open(fileobj=context, mode="r|*", bufsize=CHUNK) as tar:
            for member in tar:
                count += 1
                if member.name.removeprefix("./") == wanted and not member.isdir():
                    found = True
    except (EOFError, OSError, tarfile.TarError) as exc:
        message = str(exc) or type(exc).__name__
        if count == 0 and "unexpected end" not in message:
            raise BadContext(
                f"The upload is not a tar archive (.tar, .tar.gz, .tar.bz2, .tar.xz): {message}."
            ) from exc
        raise BadContext(f"The archive is truncated or damaged ({message}).") from exc
    finally:
        context.seek(0)
    if count == 0:
        raise BadContext("The archive is empty.")
    if not found:
        raise BadContext(f"The archive has no {dockerfile} (give the Dockerfile's path in it).")
    return count


def _file_chunks(context: IO[bytes]) -> Iterator[bytes]:
    while chunk := context.read(CHUNK):
        yield chunk


class BuildSource:
    """`docker build` of the context in the file `context_path`, as BuildEvents; an
    error from the engine ends it with the engine's words."""

    def __init__(self, host, context_path: str, options: BuildOptions):
        api = client_for(host)
        self._file = open(context_path, "rb")  # closed in close()
        try:
            with translate():
                self._response = api._post(
                    api._url("/build"),
                    params=options.params(),
                    data=_file_chunks(self._file),
                    headers={"Content-Type": "application/x-tar"},
                    stream=True,
                    timeout=None,
                )
                self._socket = own_connection(api, self._response)
        except BaseException:
            self._file.close()
            raise
        self._api = api

    def __iter__(self) -> Iterator[BuildEvent]:
        with translate():
            for event in self._api._stream_helper(self._response, decode=True):
                if "error" in event or "errorDetail" in event:
                    detail = event.get("errorDetail") or {}
                    raise EngineError(bounded(detail.get("message") or event.get("error"), 2000))
                if text := event.get("stream"):
                    yield BuildEvent(text=bounded(text, MAX_LINE))
                elif status := event.get("status"):
                    layer = f"{event['id']}: " if event.get("id") else ""
                    if event.get("progressDetail"):
                        continue  # download progress of a FROM image: the end line suffices
                    yield BuildEvent(text=bounded(f"{layer}{status}\n", MAX_LINE))
                elif image_id := (event.get("aux") or {}).get("ID"):
                    yield BuildEvent(image_id=bounded(image_id, 100))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            hard_close(self._socket)
        with contextlib.suppress(Exception):
            self._response.close()
        self._file.close()
