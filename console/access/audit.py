"""Writing the audit log. `record` writes one entry; every engine change goes through
`change`, which writes the change's one entry: ok, or failed with the engine's words.

It lives in access/, next to the entries it writes, and takes a user rather than a
request: jobs and socket consumers record through it too, and they import no page code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from console.access.models import AuditEntry
from console.engine.errors import EngineError, NotFound

if TYPE_CHECKING:
    from console.hosts.models import Host


def record(
    user, action: str, *, host: Host | None = None, target: str = "", params=None, error: str = ""
) -> AuditEntry:
    """Write one entry (`error` empty: it went through). `params` must never hold secrets."""
    known = bool(user and user.is_authenticated)
    return AuditEntry.objects.create(
        user=user if known else None,
        username=user.get_username() if known else "system",
        host=host,
        host_name=host.name if host else "",
        action=action,
        target=target[:300],
        params=params or {},
        ok=not error,
        error=error,
    )


@dataclass
class Change:
    """The entry a change will write. The block may complete `target` and `params` with
    what the engine answered; `error` says why it failed, once it has."""

    target: str
    params: dict = field(default_factory=dict)
    error: str = ""
    abandoned: bool = False

    def abandon(self) -> None:
        """Nothing was asked of the engine after all (the person must confirm first):
        write no entry."""
        self.abandoned = True


@contextmanager
def change(
    user,
    action: str,
    *,
    host: Host | None = None,
    target: str = "",
    params: dict | None = None,
    gone: str = "",
) -> Iterator[Change]:
    """Make the change in the `with` block and write its one entry when the block ends.

    An EngineError from the block is recorded as the failure, with its message (`gone`,
    when given, for an object that is not there), and raised again for the caller to
    show. Any other exception is a bug, not an outcome: it writes nothing."""
    entry = Change(target, dict(params or {}))
    try:
        yield entry
    except EngineError as exc:
        entry.error = gone if gone and isinstance(exc, NotFound) else exc.message
        _write(user, action, host, entry)
        raise
    if not entry.abandoned:
        _write(user, action, host, entry)


def attempt(user, action: str, make: Callable[[], object], **entry) -> str:
    """`change` for a change whose outcome is only reported: make it, record it, and say
    why it failed ("" when it went through). `entry`: host, target, params, gone."""
    with suppress(EngineError), change(user, action, **entry) as outcome:
        make()
    return outcome.error


def _write(user, action: str, host: Host | None, entry: Change) -> None:
    record(user, action, host=host, target=entry.target, params=entry.params, error=entry.error)
