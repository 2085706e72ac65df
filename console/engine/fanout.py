"""Run one engine call on many hosts at once, each with the same deadline.

A dead host costs its deadline once, however many hosts there are, and never
holds up the answers of the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings

from console.engine import errors
from console.engine.client import translate

T = TypeVar("T")
H = TypeVar("H")

# Shared and never joined: a call stuck past its deadline finishes (at the client
# timeout) in the background instead of holding the page.
_pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="engine")


@dataclass
class HostResult(Generic[H, T]):
    host: H
    value: T | None = None
    error: errors.EngineError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _guarded(fn: Callable[[H], T], host: H) -> T:
    with translate():
        return fn(host)


def fan_out(
    hosts: Iterable[H], fn: Callable[[H], T], deadline: float | None = None
) -> list[HostResult[H, T]]:
    """`fn(host)` for every host concurrently; results in the order of `hosts`."""
    deadline = settings.CONSOLE_HOST_DEADLINE if deadline is None else deadline
    hosts = list(hosts)
    futures = [_pool.submit(_guarded, fn, host) for host in hosts]
    wait(futures, timeout=deadline)
    results = []
    for host, future in zip(hosts, futures, strict=True):
        if not future.done():
            future.cancel()
            results.append(
                HostResult(host, error=errors.HostTimeout(f"No answer within {deadline:g} s."))
            )
        elif (exc := future.exception()) is not None:
            error = exc if isinstance(exc, errors.EngineError) else errors.EngineError(str(exc))
            results.append(HostResult(host, error=error))
        else:
            results.append(HostResult(host, value=future.result()))
    return results
