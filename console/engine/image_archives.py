"""`docker save`, `docker load` and `docker import`: images as tar streams, in both
directions, chunk by chunk (memory stays flat whatever the size)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from console.engine.byte_streams import CHUNK, Transfer, open_stream, stream_chunks
from console.engine.client import client_for, translate
from console.engine.errors import EngineError, NotFound
from console.engine.text import bounded

# After the last byte is sent, how long the engine may take to answer (it unpacks and
# registers every layer first).
PROCESS_TIMEOUT = 600
# What is read of the engine's answer to a load or import (a few lines, normally).
ANSWER_LIMIT = 1_000_000
# `docker import --change` takes these Dockerfile instructions only.
CHANGE_INSTRUCTIONS = ("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "ONBUILD", "USER", "VOLUME", "WORKDIR")


class ArchiveRefused(EngineError):
    """The engine could not use the uploaded archive (not a tar, truncated, not an image)."""

    title = "Archive refused"


@dataclass(frozen=True)
class LoadResult:
    loaded: list[str]  # tags ("busybox:latest") or, for images saved by id, ids
    lines: list[str]  # everything the engine said


@dataclass(frozen=True)
class ImportResult:
    image_id: str
    reference: str  # repository:tag, or "" when untagged


def _upload_chunks(upload: IO[bytes]) -> Iterator[bytes]:
    upload.seek(0)
    while chunk := upload.read(CHUNK):
        yield chunk


def _save_names(api, refs: Sequence[str]) -> list[str]:
    """What to ask `docker save` for: a name as given; an id as every tag it has (so the
    archive keeps them), or the id itself when it has none. Unknown refs fail first."""
    names: list[str] = []
    for ref in refs:
        try:
            with translate():
                image = api.inspect_image(ref)
        except NotFound:
            raise NotFound(f"No image {ref} on this host.") from None
        image_id = image["Id"]
        given_id = ref.removeprefix("sha256:")
        if image_id.removeprefix("sha256:").startswith(given_id) and (image.get("RepoTags")):
            names.extend(image["RepoTags"])
        else:
            names.append(ref)
    return list(dict.fromkeys(names))


def _filename(names: list[str]) -> str:
    if len(names) != 1:
        return "images.tar"
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", names[0].removeprefix("sha256:")[:64])
    return f"{text.strip('_') or 'image'}.tar"


def save(host, refs: Sequence[str]) -> Transfer:
    """`docker save REF...`: one tar of the images, streamed."""
    if not refs:
        raise EngineError("Name at least one image to save.")
    api = client_for(host)
    names = _save_names(api, refs)
    with translate():
        response = open_stream(api, "/images/get", "", names=names)
    return Transfer(_filename(names), "application/x-tar", None, stream_chunks(response))


def _post_archive(api, path: str, upload: IO[bytes], params: dict):
    response = api._post(
        api._url(path),
        params=params,
        data=_upload_chunks(upload),
        headers={"Content-Type": "application/x-tar"},
        timeout=max(api.timeout or 0, PROCESS_TIMEOUT),
        stream=True,  # the answer is read bounded (`_answer`), not whole
    )
    try:
        api._raise_for_status(response)
    except Exception as exc:
        response.close()
        message = getattr(exc, "explanation", None)
        if getattr(exc, "status_code", None) in (400, 500) and message:
            raise _refused(message) from exc
        raise
    return response


def _answer(response) -> str:
    """The engine's answer to an upload, at most ANSWER_LIMIT bytes of it."""
    try:
        data = response.raw.read(ANSWER_LIMIT, decode_content=True)
    finally:
        response.close()
    return data.decode("utf-8", errors="replace")


def _events(text: str) -> Iterator[dict]:
    """The engine's JSON lines; anything else is ignored."""
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict):
            yield event


def _refused(message: str) -> ArchiveRefused:
    message = bounded(message, 2000)
    if "tar" in message:
        message = f"The upload is not a complete tar archive; the engine said: {message}"
    return ArchiveRefused(message)


def _raise_error(event: dict) -> None:
    if "error" in event or "errorDetail" in event:
        detail = event.get("errorDetail") or {}
        raise _refused(str(detail.get("message") or event.get("error")))


def load(host, upload: IO[bytes]) -> LoadResult:
    """`docker load`: the upload (a `docker save` tar, maybe compressed) into the engine."""
    api = client_for(host)
    with translate():
        response = _post_archive(api, "/images/load", upload, {"quiet": 1})
        text = _answer(response)
    loaded, lines = [], []
    for event in _events(text):
        _raise_error(event)
        for line in str(event.get("stream") or "").splitlines():
            line = bounded(line.strip(), 500)
            if not line:
                continue
            lines.append(line)
            for prefix in ("Loaded image: ", "Loaded image ID: "):
                if line.startswith(prefix):
                    loaded.append(line.removeprefix(prefix))
    if not loaded:
        raise ArchiveRefused("The engine loaded nothing from this archive.")
    return LoadResult(loaded=loaded, lines=lines)


def check_changes(changes: Sequence[str]) -> None:
    for change in changes:
        word = change.split(None, 1)[0].upper() if change.strip() else ""
        if word not in CHANGE_INSTRUCTIONS:
            raise ValueError(
                f"“{bounded(change, 80)}”: a change must be one of "
                f"{', '.join(CHANGE_INSTRUCTIONS)}, as a Dockerfile line."
            )


def import_image(
    host,
    upload: IO[bytes],
    *,
    repository: str = "",
    tag: str = "",
    message: str = "",
    changes: Sequence[str] = (),
) -> ImportResult:
    """`docker import`: a filesystem tar (e.g. a `docker export`) as a one-layer image."""
    check_changes(changes)
    params: dict = {"fromSrc": "-", "message": message, "changes": list(changes)}
    if repository:
        params.update(repo=repository, tag=tag or "latest")
    api = client_for(host)
    with translate():
        response = _post_archive(api, "/images/create", upload, params)
        text = _answer(response)
    image_id = ""
    for event in _events(text):
        _raise_error(event)
        status = str(event.get("status") or "")
        if status.startswith("sha256:"):
            image_id = bounded(status.strip(), 100)
    if not image_id:
        raise ArchiveRefused("The engine did not name an imported image.")
    return ImportResult(image_id, f"{repository}:{tag or 'latest'}" if repository else "")
