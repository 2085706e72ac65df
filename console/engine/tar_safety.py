"""What the console lets through to the engine's archive API: container paths, and
tars checked entry by entry before anything is sent, then written afresh from what the
check saw."""

from __future__ import annotations

import posixpath
import tarfile
from collections.abc import Iterable, Iterator
from typing import IO

from console.engine.byte_streams import CHUNK
from console.engine.errors import EngineError

_NUL = b"\0"


class Refused(EngineError):
    """The console itself refuses: a path or archive that could escape, or too much data."""

    title = "Refused"


def as_bytes(path: str) -> bytes:
    """A path as the engine takes it. Names that are not UTF-8 (any process in a container
    can make them) are read from the engine's tars as os.fsdecode reads them, their odd
    bytes kept as surrogates; here they become those bytes again."""
    return path.encode("utf-8", "surrogateescape")


def printable(text: str) -> str:
    r"""A name or path as a page, a header or the audit log can hold it: the odd bytes
    of a name that is not UTF-8 written as \xNN."""
    return as_bytes(text).decode("utf-8", "backslashreplace")


def normalize_path(text: str) -> str:
    """An absolute, normalised container path; `..` stops at `/`."""
    if not text.startswith("/"):
        raise Refused(f"Paths must be absolute (start with /): {text!r}.")
    if "\0" in text:
        raise Refused("Paths cannot contain NUL bytes.")
    # normpath keeps a leading "//" (POSIX leaves it implementation-defined); the
    # engine does not, so neither does the console.
    return "/" + posixpath.normpath(text).lstrip("/")


def _within(path: str, directory: str) -> bool:
    return directory == "/" or path == directory or path.startswith(directory + "/")


class EscapeCheck:
    """Whether the entries of one upload, in the order the engine unpacks them, stay in
    the directory `destination` (and create no device node).

    The check is on names, but the engine follows the symbolic links an archive has just
    made ("c -> ." then "a -> c/.." then "a/x" lands above the directory), so no entry
    may pass through a link made earlier in the same upload, and no hard link may copy
    one elsewhere.
    """

    def __init__(self, destination: str):
        self.destination = destination
        self._links: set[str] = set()  # absolute paths of the links made so far

    def _absolute(self, name: str) -> str:
        return posixpath.normpath(posixpath.join(self.destination, name))

    def _link_on_the_way(self, path: str) -> str | None:
        """The link made earlier that the absolute `path` passes through, if any."""
        parent = posixpath.dirname(path)
        while parent != posixpath.dirname(parent):
            if parent in self._links:
                return posixpath.relpath(parent, self.destination)
            parent = posixpath.dirname(parent)
        return None

    def _walks_through(self, here: str, target: str) -> str | None:
        """The link made earlier that the symbolic link target `target`, read from the
        directory `here`, goes through on its way (a link it ends at is fine)."""
        parts = [p for p in target.split("/") if p not in ("", ".")]
        current = "/" if target.startswith("/") else here
        for i, part in enumerate(parts):
            current = posixpath.dirname(current) if part == ".." else posixpath.join(current, part)
            if current in self._links and i < len(parts) - 1:
                return posixpath.relpath(current, self.destination)
        return None

    def reason(self, member: tarfile.TarInfo) -> str | None:
        """Why unpacking `member` after the entries checked before could write outside
        the directory, or None when it cannot."""
        name = member.name
        if name.startswith("/"):
            return f"{name!r} is an absolute path"
        if ".." in name.split("/"):
            return f"{name!r} contains a '..' component"
        if not (member.isreg() or member.isdir() or member.issym() or member.islnk()):
            if not member.isfifo():
                return f"{name!r} is a device node or an entry of unknown type"
        path = self._absolute(name)
        if link := self._link_on_the_way(path):
            return f"{name!r} passes through the symbolic link {link!r} of the same upload"
        if member.islnk():
            if member.linkname.startswith("/") or ".." in member.linkname.split("/"):
                return f"hard link {name!r} points outside the directory ({member.linkname!r})"
            linked = self._absolute(member.linkname)
            if link := self._link_on_the_way(linked):
                return f"hard link {name!r} passes through the symbolic link {link!r}"
            if linked in self._links:
                return f"hard link {name!r} copies the symbolic link {member.linkname!r}"
        if member.issym():
            # An absolute target means what it means inside the container: from its root.
            here = posixpath.dirname(path)
            target = normalize_path(posixpath.join(here, member.linkname))
            if not _within(target, self.destination):
                return f"symbolic link {name!r} points outside the directory ({member.linkname!r})"
            if link := self._walks_through(here, member.linkname):
                return f"symbolic link {name!r} goes through the symbolic link {link!r}"
            self._links.add(path)
        return None


def tar_headers(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """Every header of a tar read as a stream; data not read is skipped."""
    while (member := tar.next()) is not None:
        yield member
        # tarfile keeps every header it has read; a stream read once needs none of them.
        tar.members.clear()


def check_archive(archive: IO[bytes], check: EscapeCheck, size_limit: int) -> tuple[int, int]:
    """Read every header of the tar (plain, gzip, bzip2 or xz) in `archive`: raise Refused
    for the first entry that `check` finds could escape, or when the contents are larger
    than `size_limit`. Returns (entries, bytes of content)."""
    entries = total = 0
    archive.seek(0)
    try:
        with tarfile.open(fileobj=archive, mode="r|*", bufsize=CHUNK) as tar:
            for member in tar_headers(tar):
                if reason := check.reason(member):
                    raise Refused(f"Nothing was written: {reason}.")
                entries += 1
                total += member.size if member.isreg() else 0
                if total > size_limit:
                    raise Refused(
                        "Nothing was written: the archive unpacks to more than the upload limit."
                    )
    except tarfile.TarError as exc:
        raise Refused(f"Nothing was written: not a readable tar archive ({exc}).") from exc
    return entries, total


def _tar_entry(header: tarfile.TarInfo, data: Iterable[bytes]) -> Iterator[bytes]:
    yield header.tobuf(format=tarfile.PAX_FORMAT)
    written = 0
    for chunk in data:
        written += len(chunk)
        # Bytes beyond the declared size would be read by the engine as further headers
        # that were never checked.
        if written > header.size:
            raise Refused(f"{header.name!r} grew while it was being sent.")
        yield chunk
    if written != header.size:
        raise Refused(f"{header.name!r} shrank while it was being sent.")
    if remainder := written % tarfile.BLOCKSIZE:
        yield _NUL * (tarfile.BLOCKSIZE - remainder)


def tar_stream(entries: Iterable[tuple[tarfile.TarInfo, Iterable[bytes]]]) -> Iterator[bytes]:
    """A tar archive made on the fly: each header, its data, padding, the end marker."""
    for header, data in entries:
        yield from _tar_entry(header, data)
    yield _NUL * (2 * tarfile.BLOCKSIZE)


def member_data(tar: tarfile.TarFile, member: tarfile.TarInfo) -> Iterator[bytes]:
    data = tar.extractfile(member)
    while data is not None and (chunk := data.read(CHUNK)):
        yield chunk


def _fresh_header(member: tarfile.TarInfo) -> tarfile.TarInfo:
    """`member` with only the fields the check saw: no extended header passes through, so
    nothing else (a second path, a sparse map, xattrs) reaches the engine."""
    header = tarfile.TarInfo(member.name)
    header.type = tarfile.REGTYPE if member.isreg() else member.type
    header.size = member.size if member.isreg() else 0
    header.linkname = member.linkname
    header.mode, header.mtime = member.mode, member.mtime
    header.uid, header.gid, header.uname, header.gname = (
        member.uid,
        member.gid,
        member.uname,
        member.gname,
    )
    return header


def checked_entries(archive: IO[bytes]) -> Iterator[tuple[tarfile.TarInfo, Iterable[bytes]]]:
    """The entries of a checked tar (read again from the start), headers encoded afresh."""
    archive.seek(0)
    with tarfile.open(fileobj=archive, mode="r|*", bufsize=CHUNK) as tar:
        for member in tar_headers(tar):
            data = member_data(tar, member) if member.isreg() else ()
            yield _fresh_header(member), data
