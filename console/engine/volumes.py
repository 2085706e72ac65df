"""`docker volume ls/create/inspect/rm/prune`, and reading a volume's files through a
short-lived helper container, as plain data."""

from __future__ import annotations

import contextlib
import json
import logging
import posixpath
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime

import docker.errors
import requests
from django.conf import settings
from docker.utils import version_gte

from console.engine import acting, archive, byte_streams, tar_safety
from console.engine.client import client_for, translate
from console.engine.errors import EngineError, NotFound
from console.engine.masking import masked_values
from console.engine.text import bounded, parse_timestamp

logger = logging.getLogger(__name__)

# Helper containers carry this label, so a leftover (engine gone mid-removal) can be found.
HELPER_LABELS = {"console.helper": "volume-browser"}
MOUNT_POINT = "/volume"


@dataclass(frozen=True)
class VolumeUser:
    """A container that mounts the volume."""

    id: str
    name: str
    state: str

    @property
    def running(self) -> bool:
        return self.state == "running"


@dataclass(frozen=True)
class Volume:
    name: str
    driver: str
    mountpoint: str
    created: datetime | None
    scope: str
    labels: dict[str, str]
    options: dict[str, str]
    size: int | None  # bytes, when the engine's disk usage knows it
    users: list[VolumeUser]

    @property
    def in_use(self) -> bool:
        return bool(self.users)


@dataclass(frozen=True)
class VolumeListing:
    volumes: list[Volume]
    # Sizes come from a separate, slower call; its failure leaves the list usable.
    size_error: str = ""


@dataclass(frozen=True)
class VolumeDetail:
    volume: Volume
    status: dict[str, str]
    size_error: str = ""
    inspect_json: str = field(repr=False, default="")
    revealed: bool = False  # driver option values shown, not masked


def _users_by_volume(containers: list[dict]) -> dict[str, list[VolumeUser]]:
    users: dict[str, list[VolumeUser]] = {}
    for c in containers:
        names = c.get("Names") or []
        user = VolumeUser(
            id=c["Id"],
            name=bounded(names[0].lstrip("/") if names else c["Id"][:12], 300),
            state=str(c.get("State", "")),
        )
        for mount in c.get("Mounts") or []:
            if mount.get("Type") == "volume" and mount.get("Name"):
                users.setdefault(mount["Name"], []).append(user)
    return users


def _sizes(api) -> tuple[dict[str, int | None], str]:
    """`docker system df -v`'s volume sizes (the engine's -1: unknown), or why there are
    none: that call is slower and less needed than the rest of a page."""
    try:
        with translate():
            usage = api.df().get("Volumes") or []
    except EngineError as exc:
        return {}, exc.message
    sizes = {}
    for v in usage:
        size = (v.get("UsageData") or {}).get("Size", -1)
        sizes[v.get("Name")] = size if isinstance(size, int) and size >= 0 else None
    return sizes, ""


def _text_map(values: dict | None) -> dict[str, str]:
    return {bounded(k, 300): bounded(v) for k, v in (values or {}).items()}


def _masked(v: dict) -> dict:
    """The volume with its driver option values masked: they can hold credentials
    (`o=addr=…,password=…` of a CIFS volume)."""
    return v | {"Options": masked_values(v["Options"])} if v.get("Options") else v


def _volume(v: dict, users: dict[str, list[VolumeUser]], sizes: dict) -> Volume:
    name = str(v.get("Name", ""))
    return Volume(
        name=name,
        driver=bounded(v.get("Driver"), 300),
        mountpoint=bounded(v.get("Mountpoint"), 1000),
        created=parse_timestamp(v.get("CreatedAt")),
        scope=str(v.get("Scope") or ""),
        labels=_text_map(v.get("Labels")),
        options=_text_map(v.get("Options")),
        size=sizes.get(name),
        users=users.get(name, []),
    )


def list_volumes(host, filters: dict[str, list[str]] | None = None) -> VolumeListing:
    """`docker volume ls -f ...`, with each volume's size and the containers using it."""
    api = client_for(host)
    with translate():
        raw = api.volumes(filters=filters or None).get("Volumes") or []
        users = _users_by_volume(api.containers(all=True))
    sizes, size_error = _sizes(api)
    volumes = sorted((_volume(_masked(v), users, sizes) for v in raw), key=lambda v: v.name)
    return VolumeListing(volumes, size_error)


def inspect_volume(host, name: str, *, reveal: bool = False) -> VolumeDetail:
    """`docker volume inspect`, driver option values masked unless `reveal`."""
    api = client_for(host)
    with translate():
        raw = api.inspect_volume(name)
        users = _users_by_volume(api.containers(all=True, filters={"volume": [name]}))
    sizes, size_error = _sizes(api)
    if not reveal:
        raw = _masked(raw)
    return VolumeDetail(
        volume=_volume(raw, users, sizes),
        status=_text_map(raw.get("Status")),
        size_error=size_error,
        inspect_json=json.dumps(raw, indent=2, sort_keys=True, ensure_ascii=False),
        revealed=reveal,
    )


def volume_exists(host, name: str) -> bool:
    api = client_for(host)
    try:
        with translate():
            api.inspect_volume(name)
    except NotFound:
        return False
    return True


def create_volume(
    host, name: str, driver: str, driver_opts: dict[str, str], labels: dict[str, str]
) -> str:
    """`docker volume create`; returns the name (the engine picks one when `name` is empty).

    For an existing name the engine answers with that volume instead of an error, so
    callers check `volume_exists` first.
    """
    api = client_for(host)
    with translate():
        created = api.create_volume(
            name=name or None,
            driver=driver or None,
            driver_opts=driver_opts or None,
            labels=labels or None,
        )
    return str(created["Name"])


def remove_volume(host, name: str, force: bool = False) -> None:
    api = client_for(host)
    with translate():
        api.remove_volume(name, force=force)


@dataclass(frozen=True)
class PruneResult:
    deleted: list[str]
    reclaimed: int


def prune_volumes(host, *, label: str = "", include_named: bool = False) -> PruneResult:
    """`docker volume prune [-a] [--filter label=...]`.

    Engines before API 1.42 always prune named volumes too; newer ones only with -a
    (`include_named`).
    """
    api = client_for(host)
    filters: dict[str, list[str]] = {}
    if label:
        filters["label"] = [label]
    with translate():
        if include_named and version_gte(api.api_version, "1.42"):
            filters["all"] = ["true"]
        result = api.prune_volumes(filters=filters or None)
    return PruneResult(
        deleted=[str(n) for n in result.get("VolumesDeleted") or []],
        reclaimed=int(result.get("SpaceReclaimed") or 0),
    )


# ---------------------------------------------------------------- files, read-only
# A volume's files are read through a helper container that mounts it read-only at
# MOUNT_POINT and is only created, never started: the archive API (console.engine.archive,
# `docker cp`) reads created containers. Each helper lives as long as one listing or
# one download.


@dataclass(frozen=True)
class Folder:
    path: str  # relative to the volume's root; "" for the root
    entries: list[archive.FileEntry]  # their paths relative to the volume's root too
    truncated: bool

    @property
    def crumbs(self) -> list[tuple[str, str]]:
        """(name, path) of every folder from the root down to this one."""
        parts = self.path.split("/") if self.path else []
        return [(part, "/".join(parts[: i + 1])) for i, part in enumerate(parts)]

    @property
    def parent(self) -> str | None:
        return posixpath.dirname(self.path) if self.path else None


def relative(path: str) -> str:
    """A path inside the volume, normalised: no leading slash, no way above the root."""
    return posixpath.normpath("/" + path).lstrip("/")


def _outside_in(container_path: str) -> str:
    return relative(container_path.removeprefix(MOUNT_POINT))


def _create_helper(api, volume: str) -> str:
    # Binding an unknown name would create an empty volume of that name.
    api.inspect_volume(volume)
    image = settings.CONSOLE_VOLUME_HELPER_IMAGE
    host_config = api.create_host_config(
        binds={volume: {"bind": MOUNT_POINT, "mode": "ro"}}, network_mode="none"
    )
    try:
        created = api.create_container(
            image,
            command=["true"],
            host_config=host_config,
            labels=dict(HELPER_LABELS),
            network_disabled=True,
        )
    except docker.errors.ImageNotFound:
        raise EngineError(
            f"The helper image {image} is not on this host. Pull it there, or set "
            "CONSOLE_VOLUME_HELPER_IMAGE to an image the host has."
        ) from None
    return created["Id"]


def _remove_helper(api, helper_id: str) -> None:
    # Never raises: it runs in `finally` blocks, where an error would hide the first one.
    try:
        api.remove_container(helper_id, force=True)
    except (docker.errors.DockerException, requests.RequestException, OSError) as exc:
        logger.warning("%s helper container %s left behind: %s", acting.who(), helper_id[:12], exc)


def _start_helper(host, volume: str) -> tuple[docker.APIClient, str]:
    api = client_for(host)
    with translate():
        return api, _create_helper(api, volume)


@contextlib.contextmanager
def _helper(host, volume: str) -> Iterator[str]:
    api, helper_id = _start_helper(host, volume)
    try:
        yield helper_id
    finally:
        _remove_helper(api, helper_id)


def _in_volume(container_path: str) -> bool:
    return container_path == MOUNT_POINT or container_path.startswith(MOUNT_POINT + "/")


def _resolve(host, helper_id: str, volume: str, rel: str) -> tuple[str, archive.PathStat]:
    """Where `rel` leads in the volume (a helper path with no link left in it) and what is
    there. Links are followed one folder at a time, and only while they stay in the
    volume: the engine would follow any of them on the way, into the helper's own image."""
    real = MOUNT_POINT
    found = None
    walked = ""
    for part in rel.split("/") if rel else []:
        walked = posixpath.join(walked, part)
        try:
            found = archive.stat_path(host, helper_id, posixpath.join(real, part))
        except archive.PathNotFound:
            shown = tar_safety.printable(rel)
            raise archive.PathNotFound(f"Nothing at /{shown} in volume {volume}.") from None
        real = posixpath.normpath(found.real_path)
        if not _in_volume(real):
            shown = tar_safety.printable(walked)
            raise tar_safety.Refused(
                f"/{shown} is a link to {found.link_target}, outside the volume."
            )
    if found is None:
        found = archive.stat_path(host, helper_id, MOUNT_POINT)
    return real, found


def list_folder(host, volume: str, path: str, limit: int) -> Folder:
    """The direct children of one folder of the volume (at most `limit` of them)."""
    rel = relative(path)
    with _helper(host, volume) as helper_id:
        real, target = _resolve(host, helper_id, volume, rel)
        if not target.is_dir:
            raise tar_safety.Refused(f"/{tar_safety.printable(rel)} is a file, not a folder.")
        listing = archive.list_directory(host, helper_id, real, limit)
    folder_path = _outside_in(real)
    entries = [replace(e, path=posixpath.join(folder_path, e.name)) for e in listing.entries]
    return Folder(path=folder_path, entries=entries, truncated=listing.truncated)


class _HelperChunks:
    """A transfer's chunks that remove the helper once the transfer ends, fails or is
    closed (the browser went away, even before the first chunk).

    Under ASGI, `close` comes from another thread, possibly while a read is under way
    in a worker thread; a generator would refuse ("already executing"), so the read
    in flight finishes the close instead.
    """

    def __init__(self, chunks: Generator[bytes, None, None], api, helper_id: str):
        self._chunks = chunks
        self._api = api
        self._helper_id = helper_id
        self._lock = threading.Lock()
        self._reading = self._close_requested = self._done = False

    def __iter__(self) -> _HelperChunks:
        return self

    def __next__(self) -> bytes:
        with self._lock:
            if self._done:
                raise StopIteration
            self._reading = True
        ended = True
        try:
            chunk = next(self._chunks)
            ended = False
            return chunk
        finally:
            with self._lock:
                self._reading = False
                finish = ended or self._close_requested
            if finish:
                self._finish()

    def close(self) -> None:
        with self._lock:
            self._close_requested = True
            if self._reading:
                return
        self._finish()

    def _finish(self) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
        self._chunks.close()  # closes the engine's stream
        _remove_helper(self._api, self._helper_id)


def download(host, volume: str, path: str) -> byte_streams.Transfer:
    """A file of the volume as itself, a folder (or the whole volume) as a tar.

    The helper is removed when the transfer ends, fails, or is closed early (the
    browser went away).
    """
    rel = relative(path)
    api, helper_id = _start_helper(host, volume)
    try:
        real, target = _resolve(host, helper_id, volume, rel)
        transfer = archive.download(host, helper_id, real)
    except BaseException:
        _remove_helper(api, helper_id)
        raise
    # Named as asked for, also when a link led elsewhere in the volume.
    name = tar_safety.printable(posixpath.basename(rel)) or volume
    filename = f"{name}.tar" if target.is_dir else name
    chunks = _HelperChunks(transfer.chunks, api, helper_id)
    return replace(transfer, filename=filename, chunks=chunks)
