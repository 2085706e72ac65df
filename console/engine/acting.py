"""On whose behalf the console is working: the host and user that its log lines name.

A request, a socket, a job names them once (`name`, `naming`); every log line written
meanwhile in that context, down to the engine's, starts with `who()`:
`host=<slug> user=<name>`, "-" for what is not known, so that an admin can grep one
host's or one person's failures. Threads the engine starts carry the context along.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar, Token

_acting: ContextVar[tuple[str, str]] = ContextVar("acting", default=("-", "-"))


def name(host: str | None = None, user: str | None = None) -> Token:
    """From now on in this context, log lines name `host` and `user` (None: as before)."""
    named_host, named_user = _acting.get()
    return _acting.set((host or named_host, user or named_user))


@contextlib.contextmanager
def naming(host: str | None = None, user: str | None = None) -> Iterator[None]:
    """`name` for the block only."""
    token = name(host, user)
    try:
        yield
    finally:
        _acting.reset(token)


def who() -> str:
    host, user = _acting.get()
    return f"host={host} user={user}"
