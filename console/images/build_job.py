"""`docker build` with its log live on the page: a job of the process (it outlives the
page), started by the build form's POST, followed here by id (`?job=`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import deque

from django.urls import reverse

from console.engine import build, system
from console.engine.errors import NotFound
from console.streams import jobs

# The log lines a build keeps (a page joining late gets these, and is told how many
# went before); each line is bounded by the engine layer.
KEEP_LINES = 5000
LINES_PER_FRAME = 500


class BuildJob(jobs.Job):
    action = "image.build"

    def __init__(self, host, user, context_path: str, options: build.BuildOptions, params: dict):
        super().__init__(host, user, ", ".join(options.tags) or "(untagged)")
        self.context_path = context_path
        self.options = options
        self.params = params  # what the audit entry records (build-arg values left out)
        self.lines: deque[str] = deque(maxlen=KEEP_LINES)
        self.total = 0  # lines ever completed; the page's mark counts these
        self.partial = ""
        self.image_id = ""

    def open_source(self):
        return build.BuildSource(self.host, self.context_path, self.options)

    def take(self, event: build.BuildEvent) -> None:
        if event.image_id:
            self.image_id = event.image_id
            return
        *complete, self.partial = (self.partial + event.text).split("\n")
        for line in complete:
            self.lines.append(line[: build.MAX_LINE])
            self.total += 1
        self.partial = self.partial[: build.MAX_LINE]

    def frame(self, seen: int) -> tuple[dict | None, int]:
        with self.lock:
            seen = max(seen, 0)
            end = self.total
            if self.finished.is_set() and self.partial:
                self.lines.append(self.partial)
                self.partial = ""
                self.total = end = end + 1
            first = end - len(self.lines)
            if seen >= end:
                return None, seen
            skipped = max(first - seen, 0)
            start = max(seen, first)
            stop = min(end, start + LINES_PER_FRAME)
            lines = [self.lines[i - first] for i in range(start, stop)]
        return {"t": "lines", "lines": lines, "skipped": skipped}, stop

    def log(self) -> list[str]:
        with self.lock:
            return [*self.lines, *([self.partial] if self.partial else [])]

    def image_url(self) -> str:
        return reverse("images:detail", args=[self.host.slug, self.image_id])

    def outcome(self) -> tuple[str, dict]:
        if self.error:
            return f"Build failed: {self.error}", {"error": self.error}
        if not self.image_id:
            return "The engine ended the build without naming an image.", {"error": "no image"}
        tags = ", ".join(self.options.tags)
        text = f"Built {self.image_id.removeprefix('sha256:')[:12]}" + (
            f", tagged {tags}." if tags else "."
        )
        return text, {"image_id": self.image_id, "url": self.image_url()}

    def audit_params(self) -> dict:
        return {**self.params, "image_id": self.image_id}

    def cleanup(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.context_path)


def start(host, user, context_path: str, options: build.BuildOptions, params: dict) -> BuildJob:
    return jobs.start(BuildJob(host, user, context_path, options, params))


class BuildConsumer(jobs.JobConsumer):
    """The log of the build `?job=` on the host; closing the page leaves it running."""

    permission = "image.build"

    async def job(self) -> BuildJob:
        job = jobs.find(self.params.get("job", ""), self.host, BuildJob)
        if job is None:
            # A dead engine says so first; then the build is unknown (or long finished).
            await asyncio.to_thread(system.engine_summary, self.host)
            raise NotFound("No such build here (finished builds are kept for 15 minutes).")
        return job
