"""How container paths are written on the files page: C:\\... with backslashes for
Windows containers, /-rooted for the engine."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DRIVE = re.compile(r"^([A-Za-z]):")


@dataclass(frozen=True)
class PathStyle:
    """How container paths are written on the page. The archive layer always works with
    /-rooted paths, which Windows engines take for the system drive (C:)."""

    windows: bool

    @property
    def root(self) -> str:
        return "C:\\" if self.windows else "/"

    def to_engine(self, text: str) -> str:
        """What the page (or a URL) says -> a /-rooted path; C:\\a\\b and c:/a/b -> /a/b.

        Raises ValueError for another drive: Windows containers have only C:."""
        if not self.windows:
            return text
        text = text.strip()
        drive = _DRIVE.match(text)
        if drive:
            if drive.group(1).upper() != "C":
                raise ValueError(
                    f"Windows containers have only the C: drive; {drive.group(0)} is not there."
                )
            text = text[2:]
        text = text.replace("\\", "/")
        return text if text.startswith("/") else "/" + text

    def to_display(self, path: str) -> str:
        """A /-rooted path as the page shows it: /a/b -> C:\\a\\b on Windows."""
        if not self.windows:
            return path
        return "C:\\" + path.strip("/").replace("/", "\\")

    def crumbs(self, path: str) -> list[tuple[str, str]]:
        """(name, page path) for each step of a /-rooted path, the root first."""
        parts = [part for part in path.split("/") if part]
        steps = [(self.root, self.root)]
        for i, part in enumerate(parts):
            steps.append((part, self.to_display("/" + "/".join(parts[: i + 1]))))
        return steps


def path_style(os_name: str) -> PathStyle:
    return PathStyle(windows=(os_name or "").lower() == "windows")
