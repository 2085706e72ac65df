"""Long-lived engine streams, handed to the event loop.

docker-py reads blocking sockets, so every stream runs in a thread of its own and
hands items to the event loop through a bounded asyncio queue: when the browser (and
so the consumer) falls behind, the thread blocks, stops reading the engine's socket,
and TCP slows the engine down. Nothing between the engine and the browser grows
without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from console.engine.client import translate_exception
from console.engine.errors import EngineError

T = TypeVar("T")


class Source(Protocol[T]):
    def __iter__(self) -> Iterator[T]: ...
    def close(self) -> None: ...


@dataclass
class _End:
    error: EngineError | None = None


class ThreadBridge(Generic[T]):
    """Iterate a blocking `Source` in a thread, asynchronously, through a bounded queue.

    The thread takes one of `maxsize` slots per item and the loop gives it back when the
    item is taken, so a full queue blocks the thread (and so the engine read) without a
    task or future per item. `keep_latest` drops the oldest queued item instead of
    waiting when the queue is full: right for samples (stats), wrong for logs.
    """

    def __init__(
        self, open_source: Callable[[], Source[T]], *, maxsize: int = 16, keep_latest: bool = False
    ):
        self._open = open_source
        self._maxsize = maxsize
        self._queue: asyncio.Queue = asyncio.Queue()
        self._slots = threading.Semaphore(maxsize)
        self._keep_latest = keep_latest
        self._stop = threading.Event()
        self._source: Source[T] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._end: _End | None = None  # taken off the queue by `take_ready`, not yet reported

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        # The context goes along: log lines name the host and user (console.engine.acting).
        context = contextvars.copy_context()
        threading.Thread(
            target=context.run, args=(self._run,), daemon=True, name="engine-stream"
        ).start()

    def _run(self) -> None:
        end = _End()
        try:
            self._source = self._open()
            if self._stop.is_set():
                return
            for item in self._source:
                if not self._put(item):
                    return
        except BaseException as exc:  # the thread must always report how it ended
            if self._stop.is_set():
                return
            try:
                end = _End(translate_exception(exc))
            except BaseException as untranslated:
                end = _End(EngineError(f"stream failed: {untranslated}"))
        finally:
            if self._source is not None:
                with contextlib.suppress(Exception):
                    self._source.close()
        self._put(end)

    def _put(self, item) -> bool:
        """Hand one item to the loop, waiting while the queue is full; False once closed."""
        if not self._keep_latest and not isinstance(item, _End):
            while not self._slots.acquire(timeout=0.5):
                if self._stop.is_set():
                    return False
        try:
            self._loop.call_soon_threadsafe(self._deliver, item)
        except RuntimeError:  # the loop is gone
            return False
        return not self._stop.is_set()

    def _deliver(self, item) -> None:
        if (
            self._keep_latest
            and self._queue.qsize() >= self._maxsize
            and not isinstance(item, _End)
        ):
            self._queue.get_nowait()
        self._queue.put_nowait(item)

    def _taken(self, item):
        if isinstance(item, _End):
            self._end = item
        elif not self._keep_latest:
            self._slots.release()
        return item

    def __aiter__(self):
        return self

    async def __anext__(self) -> T:
        item = self._end or self._taken(await self._queue.get())
        if isinstance(item, _End):
            if item.error is not None:
                raise item.error
            raise StopAsyncIteration
        return item

    def take_ready(self, limit: int) -> list[T]:
        """Up to `limit` items already queued, without waiting: a consumer that fell
        behind sends them as one frame instead of many."""
        items: list[T] = []
        while len(items) < limit and self._end is None and not self._queue.empty():
            item = self._taken(self._queue.get_nowait())
            if not isinstance(item, _End):
                items.append(item)
        return items

    def close(self) -> None:
        """Stop the thread: closing the source unblocks its socket read."""
        self._stop.set()
        if self._source is not None:
            with contextlib.suppress(Exception):
                self._source.close()
