"""Django's upload handlers (settings.FILE_UPLOAD_HANDLERS), with bigger pieces, and
the sentence that refuses an upload over the limit."""

from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler

from console.engine.text import human_size


# Django parses uploads in 64 KiB pieces, the smallest chunk size of its handlers; a
# 300 MB `docker load` parses a third faster in 1 MiB pieces.
class MemoryUpload(MemoryFileUploadHandler):
    chunk_size = 1 << 20


class DiskUpload(TemporaryFileUploadHandler):
    chunk_size = 1 << 20


def too_large(size: int | None, limit: int) -> str:
    """Why an upload of `size` bytes (None: not known yet) is refused."""
    what = f"The upload ({human_size(size)})" if size is not None else "The upload"
    return (
        f"{what} is larger than the limit of {human_size(limit)} (CONSOLE_UPLOAD_LIMIT); "
        "nothing was written."
    )
