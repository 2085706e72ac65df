"""`docker pull` with live progress that outlives the page.

A pull runs as a job of this process, not of the socket that asked for it: leaving the
page does not cancel it, a second page asking for the same pull joins it, and the job
writes the audit entry when it ends.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from channels.db import database_sync_to_async

from console.access.models import Role, audit
from console.engine import images, streams
from console.engine.errors import CONNECTION_ERRORS, EngineError
from console.streams.consumers import Close, HostStreamConsumer

# How often a page is told about progress, at most.
SNAPSHOT_INTERVAL = 0.1


@dataclass
class PullJob:
    host: object
    ref: str
    layers: dict[str, images.PullProgress] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)
    error: str = ""
    failure: EngineError | None = None
    version: int = 0  # moves with every engine line, so each page sees what is new
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def snapshot(self) -> dict:
        return {
            "ref": self.ref,
            "layers": [p.as_dict() for p in self.layers.values()],
            "status": self.summary[-1] if self.summary else "",
        }

    async def run(self, user) -> None:
        bridge = streams.ThreadBridge(lambda: images.PullSource(self.host, self.ref), maxsize=64)
        bridge.start()
        try:
            async for progress in bridge:
                if progress.layer:
                    self.layers[progress.layer] = progress
                else:
                    self.summary = [*self.summary[-4:], progress.status]
                self.version += 1
        except EngineError as exc:
            self.error = exc.message
            self.failure = exc
        finally:
            bridge.close()
            self.version += 1
            self.done.set()
            await database_sync_to_async(audit)(
                user,
                "image.pull",
                host=self.host,
                target=self.ref,
                params={"status": "; ".join(self.summary[-2:])},
                error=self.error,
            )


_jobs: dict[tuple[int, str], tuple[PullJob, asyncio.Task]] = {}


def start_or_join(host, ref: str, user) -> PullJob:
    key = (host.pk, ref)
    if key in _jobs and not _jobs[key][0].done.is_set():
        return _jobs[key][0]
    job = PullJob(host, ref)
    task = asyncio.create_task(job.run(user))
    _jobs[key] = (job, task)
    task.add_done_callback(
        lambda _task: _jobs.pop(key, None) if _jobs.get(key, (None,))[0] is job else None
    )
    return job


class PullConsumer(HostStreamConsumer):
    """Progress of `docker pull ?ref=` on the host; closing the page leaves it running."""

    need = Role.OPERATOR

    async def stream(self) -> None:
        ref = self.params.get("ref", "").strip()
        if not ref:
            raise ValueError("say which image to pull: ?ref=name:tag")
        job = start_or_join(self.host, ref, self.user)
        seen = -1
        while True:
            finished = job.done.is_set()
            if job.version != seen:
                seen = job.version
                await self.send_frame({"t": "progress", **job.snapshot()})
            if finished:
                break
            await asyncio.sleep(SNAPSHOT_INTERVAL)
        if isinstance(job.failure, CONNECTION_ERRORS):
            await self.fail(Close.HOST_DOWN, f"{job.failure.title}: {job.failure.message}")
            return
        if job.error:
            await self.send_status(f"Pull failed: {job.error}", end=True, error=job.error)
        else:
            await self.send_status(
                job.summary[-1] if job.summary else "Pulled.", end=True, summary=job.summary
            )
        await self.close(1000)
