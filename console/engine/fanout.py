"""Run one engine call on many hosts at once, each with the same deadline.

A dead host costs its deadline once, however many hosts there are, and never
holds up the answers of the others, however many pages wait on it at once.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings

from console.engine import acting, errors
from console.engine.client import answer_by, translate

T = TypeVar("T")
H = TypeVar("H")

# Calls in flight per host. Each host has threads of its own: a silent host's calls
# queue behind each other, never in front of a healthy host's.
PER_HOST = 4
_executors: dict[object, ThreadPoolExecutor] = {}
_executors_lock = threading.Lock()


def _executor(host) -> ThreadPoolExecutor:
    # Rows of different tables (hosts, registries) may share a pk: the key says which.
    key = (type(host).__name__, getattr(host, "pk", host))
    with _executors_lock:
        if (executor := _executors.get(key)) is None:
            executor = _executors[key] = ThreadPoolExecutor(
                max_workers=PER_HOST, thread_name_prefix="engine"
            )
        return executor


@dataclass
class HostResult(Generic[H, T]):
    host: H
    value: T | None = None
    error: errors.EngineError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _guarded(fn: Callable[[H], T], host: H, moment: float) -> T:
    with acting.naming(host=getattr(host, "slug", None)), translate(), answer_by(moment):
        return fn(host)


def fan_out(
    hosts: Iterable[H], fn: Callable[[H], T], deadline: float | None = None
) -> list[HostResult[H, T]]:
    """`fn(host)` for every host concurrently; results in the order of `hosts`.

    The engine calls of `fn` give up at the deadline: a call still queued then is
    dropped and one still waiting for its engine ends, so it frees its thread."""
    deadline = settings.CONSOLE_HOST_DEADLINE if deadline is None else deadline
    hosts = list(hosts)
    moment = time.monotonic() + deadline
    # Each call runs in a copy of the caller's context: its log lines name the user.
    futures = [
        _executor(host).submit(contextvars.copy_context().run, _guarded, fn, host, moment)
        for host in hosts
    ]
    wait(futures, timeout=deadline)
    late = errors.HostTimeout(f"No answer within {deadline:g} s.")
    results = []
    for host, future in zip(hosts, futures, strict=True):
        if not future.done():
            future.cancel()
            results.append(HostResult(host, error=late))
        elif (exc := future.exception()) is not None:
            # A call that gave up at the deadline (answer_by) ended the same way as one
            # still waiting then: both say so alike, whichever finished first.
            if isinstance(exc, errors.HostTimeout):
                exc = late
            error = exc if isinstance(exc, errors.EngineError) else errors.EngineError(str(exc))
            results.append(HostResult(host, error=error))
        else:
            results.append(HostResult(host, value=future.result()))
    return results
