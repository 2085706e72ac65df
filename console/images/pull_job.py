"""`docker pull` with live progress that outlives the page.

A pull is a job of this process (`console.streams.jobs`), not of the socket that asked
for it: leaving the page does not cancel it, a second page asking for the same pull
joins it, and the job writes the audit entry when it ends.
"""

from __future__ import annotations

from dataclasses import replace

from channels.db import database_sync_to_async

from console.engine import image_progress
from console.engine.reference import pull_reference
from console.images.models import credentials_for
from console.streams import jobs


class PullJob(jobs.Job):
    action = "image.pull"

    def __init__(self, host, user, ref: str, credentials=None, all_tags: bool = False):
        super().__init__(host, user, ref)
        self.ref = ref
        self.credentials = credentials  # of the configured registry the image lives in
        self.all_tags = all_tags
        self.layers: dict[str, image_progress.PullProgress] = {}
        self.summary: list[str] = []

    def open_source(self):
        return image_progress.PullSource(self.host, self.ref, self.credentials, self.all_tags)

    def take(self, progress: image_progress.PullProgress) -> None:
        if progress.layer:
            known = self.layers.get(progress.layer)
            if progress.total is None and known is not None and known.total:
                # "Download complete", "Pull complete" carry no size: the layer's bar
                # stays full at the size it had, whichever snapshot the page gets.
                progress = replace(progress, current=known.total, total=known.total)
            self.layers[progress.layer] = progress
        else:
            self.summary = [*self.summary[-4:], progress.status]

    def snapshot(self) -> dict:
        return {
            "ref": self.ref,
            "layers": [p.as_dict() for p in self.layers.values()],
            "status": self.summary[-1] if self.summary else "",
        }

    def outcome(self) -> tuple[str, dict]:
        if self.error:
            return f"Pull failed: {self.error}", {"error": self.error}
        return (self.summary[-1] if self.summary else "Pulled."), {"summary": self.summary}

    def audit_params(self) -> dict:
        return {"status": "; ".join(self.summary[-2:]), "all_tags": self.all_tags}


def start_or_join(host, ref: str, user, credentials=None, all_tags: bool = False) -> PullJob:
    job = PullJob(host, user, ref, credentials, all_tags)
    return jobs.start(job, key=("pull", host.pk, ref, all_tags))


def checked_ref(params: dict, check) -> str:
    """?ref= as `check` (a reference parser) accepts it; a bad one is a ValueError, which
    closes the socket with a message saying what is wrong."""
    ref = params.get("ref", "").strip()
    if not ref:
        raise ValueError("say which image: ?ref=name:tag")
    return str(check(ref))  # its BadReference is a ValueError


class PullConsumer(jobs.JobConsumer):
    """Progress of `docker pull ?ref=` on the host; closing the page leaves it running."""

    permission = "image.pull"

    async def job(self) -> PullJob:
        all_tags = self.params.get("all_tags") in ("1", "on", "true")
        ref = checked_ref(self.params, lambda ref: pull_reference(ref, all_tags))
        credentials = await database_sync_to_async(credentials_for)(ref)
        return start_or_join(self.host, ref, self.user, credentials, all_tags)
