"""Engine-given text made safe to hold (bounded in size, timestamps parsed), and sizes
printed as the docker CLI prints them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_DECIMAL_UNITS = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")
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


def human_size(n: float) -> str:
    """A size in bytes the CLI's way (go-units HumanSizeWithPrecision(n, 3), as in
    `docker images` and `docker ps -s`): decimal units, 3 significant digits.
    1200 -> "1.2kB", 45_600_000 -> "45.6MB", 1_073_741_824 -> "1.07GB". The one size
    formatter of the console: pages through the `docker_size` filter."""
    i = 0
    while n >= 1000 and i < len(_DECIMAL_UNITS) - 1:
        n /= 1000
        i += 1
    return f"{n:.3g}{_DECIMAL_UNITS[i]}"
