"""The container list page's own narrowing: its text filter and its column sort, applied
to the rows the engine gave."""

from __future__ import annotations

from datetime import UTC, datetime

from console.engine.containers import ContainerRow

SORT_KEYS = {
    "name": lambda r: r.name.lower(),
    "image": lambda r: r.image.lower(),
    "command": lambda r: r.command,
    "created": lambda r: r.created or datetime.min.replace(tzinfo=UTC),
    "status": lambda r: (r.state, r.status),
    "ports": lambda r: r.ports,
    "size": lambda r: r.size_rw or 0,
}


def sort_rows(rows: list[ContainerRow], key: str, descending: bool) -> list[ContainerRow]:
    return sorted(rows, key=SORT_KEYS.get(key, SORT_KEYS["created"]), reverse=descending)


def matches(row: ContainerRow, text: str) -> bool:
    """The list page's narrowing text filter: any visible column contains the text."""
    needle = text.lower()
    haystack = (row.name, row.image, row.command, row.status, row.id, " ".join(row.ports))
    return any(needle in value.lower() for value in haystack)
