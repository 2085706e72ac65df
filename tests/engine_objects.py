"""What the tests of the volume and network pages share."""

from __future__ import annotations

import uuid

# The error an across-hosts list gives for the `silent_host` fixture.
SILENT_HOST_TIMED_OUT = {
    "host": "silent",
    "error": "Timed out",
    "reason": "No answer within 1.5 s.",
}


class UniqueNames:
    """names(suffix) -> `tag-xxxxxx-suffix`, unique to this test; `given` keeps every name
    handed out, for the fixture to remove what has them."""

    def __init__(self, tag: str) -> None:
        self.prefix = f"{tag}-{uuid.uuid4().hex[:6]}-"
        self.given: list[str] = []

    def __call__(self, suffix: str) -> str:
        self.given.append(self.prefix + suffix)
        return self.given[-1]


def rows_by_name(client, app: str, query: str = "") -> dict[str, dict]:
    """The rows of `app`'s JSON list on host unix, by name."""
    data = client.get(f"/hosts/unix/{app}/?format=json&{query}").json()
    return {row["name"]: row for row in data[app]}
