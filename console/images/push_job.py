"""`docker push` with live per-layer progress, a job like a pull (`pull_job.PullJob`):
it outlives the page and writes the audit entry when it ends."""

from __future__ import annotations

from channels.db import database_sync_to_async

from console.engine import image_progress
from console.engine.reference import parse_reference
from console.images.models import credentials_for
from console.images.pull_job import PullJob, checked_ref
from console.streams import jobs


class PushJob(PullJob):
    action = "image.push"

    def open_source(self):
        return image_progress.PushSource(self.host, self.ref, self.credentials)

    def outcome(self) -> tuple[str, dict]:
        if self.error:
            return f"Push failed: {self.error}", {"error": self.error}
        return (self.summary[-1] if self.summary else "Pushed."), {"summary": self.summary}

    def audit_params(self) -> dict:
        # The engine's last line names the pushed digest ("v1: digest: sha256:… size: …").
        return {"status": self.summary[-1] if self.summary else ""}


def start_or_join(host, ref: str, user, credentials=None) -> PushJob:
    return jobs.start(PushJob(host, user, ref, credentials), key=("push", host.pk, ref))


class PushConsumer(jobs.JobConsumer):
    """Progress of `docker push ?ref=repository:tag` on the host."""

    permission = "image.push"

    async def job(self) -> PushJob:
        ref = checked_ref(self.params, lambda ref: parse_reference(ref, allow_digest=False))
        credentials = await database_sync_to_async(credentials_for)(ref)
        return start_or_join(self.host, ref, self.user, credentials)
