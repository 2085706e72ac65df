"""`docker cp` and `docker export`: the engine's archive API as plain data and byte streams.

Everything the engine sends or receives here is a tar stream; it is read and written
chunk by chunk, so memory stays flat whatever the size of the files. What an upload may
contain is checked in `tar_safety`.
"""

from __future__ import annotations

import contextlib
import posixpath
import stat
import tarfile
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from typing import Protocol

import docker.errors
import requests
from docker.utils import decode_json_header

from console.engine.byte_streams import CHUNK, Transfer, open_stream, stream_chunks
from console.engine.client import client_for, translate
from console.engine.errors import EngineError, NotFound, NotOnWindows
from console.engine.platforms import container_rules
from console.engine.tar_safety import (
    EscapeCheck,
    Refused,
    as_bytes,
    check_archive,
    checked_entries,
    member_data,
    printable,
    tar_headers,
    tar_stream,
)
from console.engine.text import parse_timestamp

ARCHIVE = "/containers/{0}/archive"
EXPORT = "/containers/{0}/export"


class PathNotFound(NotFound):
    """The container is there, the path in it is not."""

    title = "No such file or directory"


@dataclass(frozen=True)
class PathStat:
    path: str
    name: str
    is_dir: bool  # of what the path leads to, symbolic links followed
    size: int
    mode_text: str
    mtime: datetime | None
    link_target: str  # "" unless the path itself is a symbolic link

    @property
    def real_path(self) -> str:
        """The path with symbolic links resolved (the engine resolves them in the container)."""
        return self.link_target or self.path


@dataclass(frozen=True)
class FileEntry:
    name: str
    path: str
    type: str  # directory, file, symlink, hardlink, fifo, char device, block device
    size: int
    mode_text: str
    mtime: datetime
    link_target: str

    @property
    def is_dir(self) -> bool:
        return self.type == "directory"


@dataclass(frozen=True)
class DirectoryListing:
    path: str
    entries: list[FileEntry]
    truncated: bool  # more direct children than the limit; the rest are not listed


class Upload(Protocol):
    """An uploaded file as Django hands it over (UploadedFile), or any file object with a
    name and size."""

    name: str
    size: int

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...

    def read(self, size: int = -1) -> bytes: ...

    def seek(self, offset: int, whence: int = 0) -> int: ...


def _plain_header(upload: Upload) -> tarfile.TarInfo:
    header = tarfile.TarInfo(upload.name)
    header.size = upload.size
    header.mode = 0o644
    header.mtime = int(time.time())
    return header


def _container_exists(api, ref: str) -> bool:
    try:
        api.inspect_container(ref)
    except docker.errors.NotFound:
        return False
    return True


@contextlib.contextmanager
def _archive_errors(api, ref: str, path: str) -> Iterator[None]:
    """translate(), telling a missing path from a missing container (the archive API
    answers 404 to both) and an unreadable tar from the engine's own errors."""
    try:
        with translate():
            try:
                yield
            except tarfile.TarError as exc:
                raise EngineError(f"The engine sent an unreadable archive ({exc}).") from exc
    except PathNotFound:
        raise
    except NotFound:
        with translate():
            exists = _container_exists(api, ref)
        if not exists:
            raise NotFound(f"Container {ref} no longer exists.") from None
        raise PathNotFound(f"Nothing at {printable(path)} in the container.") from None


# Go's os.FileMode bits, as the engine sends them in a path stat.
_GO_DIR, _GO_SYMLINK, _GO_DEVICE, _GO_PIPE, _GO_SOCKET = 1 << 31, 1 << 27, 1 << 26, 1 << 25, 1 << 24
_GO_SETUID, _GO_SETGID, _GO_CHARDEV, _GO_STICKY = 1 << 23, 1 << 22, 1 << 21, 1 << 20


def _go_mode_text(mode: int) -> str:
    """`ls -l` style text for a Go file mode."""
    if mode & _GO_DIR:
        kind = stat.S_IFDIR
    elif mode & _GO_SYMLINK:
        kind = stat.S_IFLNK
    elif mode & _GO_DEVICE:
        kind = stat.S_IFCHR if mode & _GO_CHARDEV else stat.S_IFBLK
    elif mode & _GO_PIPE:
        kind = stat.S_IFIFO
    elif mode & _GO_SOCKET:
        kind = stat.S_IFSOCK
    else:
        kind = stat.S_IFREG
    special = (
        (stat.S_ISUID if mode & _GO_SETUID else 0)
        | (stat.S_ISGID if mode & _GO_SETGID else 0)
        | (stat.S_ISVTX if mode & _GO_STICKY else 0)
    )
    return stat.filemode(kind | special | (mode & 0o777))


def _head_stat(api, ref: str, path: str) -> dict:
    response = api.head(
        api._url(ARCHIVE, ref), params={"path": as_bytes(path)}, timeout=api.timeout
    )
    api._raise_for_status(response)
    return decode_json_header(response.headers["X-Docker-Container-Path-Stat"])


def stat_path(host, ref: str, path: str) -> PathStat:
    """What is at `path` in the container (running or stopped), links followed for is_dir."""
    api = client_for(host)
    with _archive_errors(api, ref, path):
        found = _head_stat(api, ref, path)
    link_target = str(found.get("linkTarget") or "")
    mode = int(found.get("mode") or 0)
    is_dir = bool(mode & _GO_DIR)
    if link_target:
        try:
            with _archive_errors(api, ref, link_target):
                is_dir = bool(int(_head_stat(api, ref, link_target).get("mode") or 0) & _GO_DIR)
        except PathNotFound:
            is_dir = False  # a dangling link
    return PathStat(
        path=path,
        name=posixpath.basename(path) or "/",
        is_dir=is_dir,
        size=int(found.get("size") or 0),
        mode_text=_go_mode_text(mode),
        mtime=parse_timestamp(found.get("mtime")),
        link_target=link_target,
    )


_KINDS = {
    tarfile.DIRTYPE: ("directory", stat.S_IFDIR),
    tarfile.SYMTYPE: ("symlink", stat.S_IFLNK),
    tarfile.LNKTYPE: ("hardlink", stat.S_IFREG),
    tarfile.FIFOTYPE: ("fifo", stat.S_IFIFO),
    tarfile.CHRTYPE: ("char device", stat.S_IFCHR),
    tarfile.BLKTYPE: ("block device", stat.S_IFBLK),
}


def _file_entry(directory: str, name: str, member: tarfile.TarInfo) -> FileEntry:
    kind, mode_type = _KINDS.get(member.type, ("file", stat.S_IFREG))
    return FileEntry(
        name=name,
        path=posixpath.join(directory, name),
        type=kind,
        size=member.size if member.isreg() else 0,
        mode_text=stat.filemode(mode_type | member.mode),
        mtime=datetime.fromtimestamp(member.mtime, tz=UTC),
        link_target=member.linkname if (member.issym() or member.islnk()) else "",
    )


def _child_name(member_name: str) -> str | None:
    """The name of a direct child in a tar of "DIR/.", whose names are "./NAME..."."""
    relative = member_name.removeprefix("./").rstrip("/")
    if relative in ("", ".") or "/" in relative:
        return None
    return relative


def list_directory(host, ref: str, path: str, limit: int) -> DirectoryListing:
    """The direct children of the directory `path`, directories first.

    The archive API can only send the whole subtree, so its headers are read and the
    contents skipped; reading stops (and the connection closes) after `limit` children.
    """
    api = client_for(host)
    entries: list[FileEntry] = []
    truncated = False
    with _archive_errors(api, ref, path):
        # "DIR/." follows a symbolic link to a directory and names entries "./NAME".
        response = open_stream(api, ARCHIVE, ref, path=as_bytes(posixpath.join(path, ".")))
        try:
            with tarfile.open(fileobj=response.raw, mode="r|") as tar:
                for member in tar_headers(tar):
                    name = _child_name(member.name)
                    if name is None:
                        continue
                    if len(entries) == limit:
                        truncated = True
                        break
                    entries.append(_file_entry(path, name, member))
        finally:
            response.close()
    entries.sort(key=lambda e: (not e.is_dir, e.name))
    return DirectoryListing(path=path, entries=entries, truncated=truncated)


def _file_chunks(
    response: requests.Response, tar: tarfile.TarFile, member: tarfile.TarInfo
) -> Generator[bytes, None, None]:
    try:
        yield from member_data(tar, member)
    finally:
        response.close()


def download(host, ref: str, path: str) -> Transfer:
    """A file as itself, a directory as the engine's tar of it (entries named "./...")."""
    target = stat_path(host, ref, path)
    api = client_for(host)
    filename = printable(posixpath.basename(path)) or "root"
    with _archive_errors(api, ref, target.real_path):
        if target.is_dir:
            response = open_stream(
                api, ARCHIVE, ref, path=as_bytes(posixpath.join(target.real_path, "."))
            )
            return Transfer(f"{filename}.tar", "application/x-tar", None, stream_chunks(response))
        response = open_stream(api, ARCHIVE, ref, path=as_bytes(target.real_path))
        try:
            tar = tarfile.open(fileobj=response.raw, mode="r|", bufsize=CHUNK)
            member = tar.next()
        except Exception:
            response.close()
            raise
        if member is None:
            response.close()
            if printable(path) != path:
                # Seen with dockerd 20.10: a file named so is left out of its own tar.
                raise Refused(
                    f"The engine does not send {printable(path)} on its own, as its name is "
                    "not UTF-8: download the directory that holds it (.tar)."
                )
            raise EngineError(f"The engine sent an empty archive for {printable(path)}.")
    size = member.size if member.isreg() else 0
    # Never a type the browser would render: a container's file is data.
    return Transfer(filename, "application/octet-stream", size, _file_chunks(response, tar, member))


def upload(
    host, ref: str, directory: str, files: Sequence[Upload], *, extract: bool, size_limit: int
) -> int:
    """Put `files` into the existing `directory`, as they are or (extract) unpacked from
    tar archives, streamed into the engine in one archive. Every entry is checked before
    anything is sent, so a refused upload writes nothing. Returns the entries written."""
    target = stat_path(host, ref, directory)
    if not target.is_dir:
        raise Refused(f"{printable(directory)} is not a directory.")
    destination = target.real_path
    check = EscapeCheck(destination)
    if extract:
        written = unpacked = 0
        for archive in files:
            count, size = check_archive(archive, check, size_limit - unpacked)
            written, unpacked = written + count, unpacked + size
        entries = chain.from_iterable(checked_entries(f) for f in files)
    else:
        headers = [_plain_header(f) for f in files]
        for header in headers:
            if reason := check.reason(header):
                raise Refused(f"Nothing was written: {reason}.")
        entries = ((header, f.chunks(CHUNK)) for header, f in zip(headers, files, strict=True))
        written = len(headers)
    api = client_for(host)
    with _archive_errors(api, ref, destination):
        api.put_archive(ref, as_bytes(destination), tar_stream(entries))
    return written


def export(host, ref: str) -> Transfer:
    """`docker export`: the container's filesystem as a tar, streamed."""
    api = client_for(host)
    try:
        with translate():
            container = api.inspect_container(ref)
            rules = container_rules(str(container.get("Platform") or ""), "")
            if not rules.can_export:
                raise NotOnWindows(rules.export_reason)
            response = open_stream(api, EXPORT, container["Id"])
    except NotFound:
        raise NotFound(f"Container {ref} no longer exists.") from None
    name = str(container.get("Name") or container["Id"][:12]).lstrip("/")
    return Transfer(f"{name}.tar", "application/x-tar", None, stream_chunks(response))
