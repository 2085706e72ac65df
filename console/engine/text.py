"""Engine-given text made safe to hold: bounded in size, timestamps parsed."""

from __future__ import annotations

import re
from datetime import UTC, datetime

# What one engine value may put on a page: labels, env values, names beyond this are cut.
MAX_TEXT = 4096


def bounded(value, limit: int = MAX_TEXT) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def parse_timestamp(value) -> datetime | None:
    """Docker gives Unix seconds in lists and RFC 3339 with nanoseconds in inspect."""
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=UTC)
    if not value or str(value).startswith("0001-01-01"):
        return None
    text = re.sub(r"(\.\d{6})\d+", r"\1", str(value)).replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
