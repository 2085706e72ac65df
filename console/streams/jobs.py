"""Jobs that outlive the page: an engine stream run by the process, followed by pages.

A job reads an engine `Source` (through `ThreadBridge`) as a task of the process's job
loop, a thread of its own: a view, a consumer or a test can start one, and no request's
or socket's end cancels it. It keeps a bounded state; every page that follows it gets
what it has not seen yet, paced by its ack window; it writes one audit entry at the end.

A subclass says what to read (`open_source`), how an item changes the state (`take`),
what a page is sent (`snapshot`, or `frame` for more than a snapshot) and how it ended
(`outcome`). `start()` runs a job (or joins the one running under the same key);
`find()` gets one by id; `JobConsumer.follow()` streams one to a page.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time

from channels.db import database_sync_to_async

from console.access import audit
from console.engine import acting
from console.engine.bridge import Source, ThreadBridge
from console.engine.errors import CONNECTION_ERRORS, EngineError
from console.streams.consumers import Close, HostStreamConsumer

logger = logging.getLogger(__name__)

# How long a finished job can still be found by id (a page reloaded after the end).
KEEP_FINISHED = 15 * 60


class Job:
    action = ""  # the audit action, e.g. "image.pull"
    maxsize = 64  # engine items queued between the reading thread and the job

    def __init__(self, host, user, target: str):
        self.id = secrets.token_urlsafe(12)
        self.host, self.user, self.target = host, user, target
        self.error = ""
        self.failure: EngineError | None = None
        self.version = 0  # moves with every item, so each page sees what is new
        self.finished = threading.Event()
        self.ended_at = 0.0
        self.lock = threading.Lock()  # the job's thread writes, pages' loops read

    # ---------------------------------------------------------------- to override

    def open_source(self) -> Source:
        raise NotImplementedError

    def take(self, item) -> None:
        """Fold one engine item into the state (called with `lock` held)."""

    def snapshot(self) -> dict:
        """The state as a page shows it (called with `lock` held)."""
        return {}

    def frame(self, seen: int) -> tuple[dict | None, int]:
        """What a page that has seen up to `seen` gets next (None: nothing new), and the
        mark it has then seen. Called again while it returns a frame."""
        with self.lock:
            if seen == self.version:
                return None, seen
            return {"t": "progress", **self.snapshot()}, self.version

    def outcome(self) -> tuple[str, dict]:
        """The closing status line and what goes with it."""
        if self.error:
            return f"Failed: {self.error}", {"error": self.error}
        return "Done.", {}

    def audit_params(self) -> dict:
        return {}

    def cleanup(self) -> None:
        """Release what the job held (temporary files); runs in a thread at the end."""

    # ---------------------------------------------------------------- running

    async def run(self) -> None:
        # The job's own task: its log lines, and its engine's, name its host and user.
        acting.name(self.host.slug, self.user.get_username() if self.user else None)
        bridge = ThreadBridge(self.open_source, maxsize=self.maxsize)
        bridge.start()
        try:
            async for item in bridge:
                with self.lock:
                    self.take(item)
                    self.version += 1
        except EngineError as exc:
            self.error, self.failure = exc.message, exc
            logger.warning(
                "%s job %s of %s failed: %s", acting.who(), self.action, self.target, exc.message
            )
        except Exception as exc:  # a job must always end, and say so
            self.error, self.failure = f"{type(exc).__name__}: {exc}", None
            logger.exception("%s job %s of %s failed", acting.who(), self.action, self.target)
        finally:
            bridge.close()
            try:
                await asyncio.to_thread(self.cleanup)
                await database_sync_to_async(audit.record)(
                    self.user,
                    self.action,
                    host=self.host,
                    target=self.target,
                    params=self.audit_params(),
                    error=self.error,
                )
            finally:
                with self.lock:
                    self.version += 1
                self.ended_at = time.monotonic()
                self.finished.set()


_loop: asyncio.AbstractEventLoop | None = None
_registry = threading.Lock()
_by_id: dict[str, Job] = {}
_by_key: dict[tuple, Job] = {}


def _job_loop() -> asyncio.AbstractEventLoop:
    global _loop
    if _loop is None:
        _loop = asyncio.new_event_loop()
        threading.Thread(target=_loop.run_forever, daemon=True, name="jobs").start()
    return _loop


def start(job: Job, key: tuple | None = None) -> Job:
    """Run `job`, unless one started under the same `key` still runs: that one is
    returned instead (two pages asking for the same pull watch the same pull)."""
    with _registry:
        cutoff = time.monotonic() - KEEP_FINISHED
        expired = {j.id for j in _by_id.values() if j.finished.is_set() and j.ended_at < cutoff}
        for job_id in expired:
            del _by_id[job_id]
        for old_key in [k for k, j in _by_key.items() if j.id in expired]:
            del _by_key[old_key]
        if key is not None and (running := _by_key.get(key)) and not running.finished.is_set():
            return running
        _by_id[job.id] = job
        if key is not None:
            _by_key[key] = job
        asyncio.run_coroutine_threadsafe(job.run(), _job_loop())
    return job


def find(job_id: str, host, kind: type[Job] = Job) -> Job | None:
    """The job `job_id` on `host` (running, or finished a little while ago)."""
    job = _by_id.get(job_id)
    if isinstance(job, kind) and job.host.pk == host.pk:
        return job
    return None


class JobConsumer(HostStreamConsumer):
    """Follows a job: its frames within the ack window, then its outcome; closing the
    page leaves the job running."""

    interval = 0.1  # how often a page is told about progress, at most

    async def job(self) -> Job:
        raise NotImplementedError

    async def stream(self) -> None:
        await self.follow(await self.job())

    async def follow(self, job: Job) -> None:
        seen = -1
        while True:
            finished = job.finished.is_set()
            while True:
                frame, seen = job.frame(seen)
                if frame is None:
                    break
                await self.send_frame(frame)
            if finished:
                break
            await asyncio.sleep(self.interval)
        if isinstance(job.failure, CONNECTION_ERRORS):
            await self.fail(Close.HOST_DOWN, f"{job.failure.title}: {job.failure.message}")
            return
        text, extra = job.outcome()
        await self.finish(text, **extra)
