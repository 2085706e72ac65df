"""Back-pressure for streamed HTTP bodies under daphne, both ways.

Daphne hands every body chunk to Twisted at once, and Twisted buffers whatever the
browser has not read yet: an export to a slow browser would pile up in memory. This
middleware registers a streaming producer on daphne's request, which Twisted pauses
when the socket's buffer passes `BUFFER` bytes, and waits for it to resume before
handing over the next chunk. Elsewhere (another server, tests) it passes through.

Uploads: Twisted spools a request body of 100 kB or more to a temporary file, and daphne
then reads all of that file into its queue of `http.request` messages before the
application reads any of it: a 300 MB `docker load` upload would sit in memory whole.
`uploads_from_disk` runs while daphne creates the application (before that copy), gives
daphne an empty body to copy instead, and lets the application read the file in chunks.
It also stops Twisted from parsing multipart bodies into memory for daphne, which never
looks at the result: a 100 MB form upload cost 1.3 GB and six seconds there.

Twisted would spool a body of any size before anyone can refuse it, so a body larger than
CONSOLE_UPLOAD_LIMIT (and the form around the files) is refused as soon as its headers say
so, or once a chunked one grows past it: a 413 page, nothing spooled.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import io

BUFFER = 4 * 1024 * 1024


class _Writable:
    """Twisted's IPushProducer: paused and resumed as the transport's buffer fills."""

    def __init__(self) -> None:
        self.ready = asyncio.Event()
        self.ready.set()

    def pauseProducing(self) -> None:
        self.ready.clear()

    def resumeProducing(self) -> None:
        self.ready.set()

    def stopProducing(self) -> None:
        self.ready.set()


def paced(inner):
    async def application(scope, receive, send):
        # daphne's send is functools.partial(server.handle_reply, protocol)
        protocol = (getattr(send, "args", None) or (None,))[0]
        if scope["type"] != "http" or not hasattr(protocol, "registerProducer"):
            return await inner(scope, receive, send)
        writable = _Writable()
        registered = False

        async def send_paced(message):
            nonlocal registered
            if message["type"] == "http.response.body" and message.get("more_body"):
                if not registered:
                    protocol.channel.transport.bufferSize = BUFFER
                    protocol.registerProducer(writable, True)
                    registered = True
                await send(message)
                await writable.ready.wait()
                return
            if registered:
                protocol.unregisterProducer()
                registered = False
            await send(message)

        return await inner(scope, receive, send_paced)

    return application


# One `http.request` message's worth of an upload read from Twisted's spool file.
UPLOAD_CHUNK = 1024 * 1024


# A body may exceed CONSOLE_UPLOAD_LIMIT by this much: the form's other fields and the
# multipart framing. The upload views check the files themselves against the limit.
FORM_ALLOWANCE = 1024 * 1024


def _body_limit() -> int:
    from django.conf import settings

    return settings.CONSOLE_UPLOAD_LIMIT + FORM_ALLOWANCE


def _too_large(size: int | None) -> bytes:
    """The whole 413 answer: what the browser shows instead of the page it posted to."""
    from django.conf import settings

    from console.web.uploads import too_large

    message = too_large(size, settings.CONSOLE_UPLOAD_LIMIT)
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Upload too large</title></head><body><h1>Upload too large</h1>"
        f"<p>{html.escape(message)}</p><p>Go back to choose a smaller file.</p></body></html>"
    ).encode()
    head = (
        "HTTP/1.1 413 Content Too Large\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Content-Security-Policy: default-src 'none'\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "X-Frame-Options: DENY\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def _bounded_requests() -> None:
    """daphne's request class, replaced by one that refuses bodies over the limit."""
    from daphne import http_protocol

    if getattr(http_protocol.WebRequest, "bounded", False):
        return

    class BoundedRequest(http_protocol.WebRequest):
        bounded = True
        # Twisted sets it per request from a constructor argument daphne never passes;
        # a read-only property wins over that assignment.
        _parsePOSTFormSubmission = property(lambda _r: False, lambda _r, _v: None)
        refused = False

        def gotLength(self, length):
            self.allowance = _body_limit()
            if length is not None and length > self.allowance:
                self._refuse(length)
                return
            super().gotLength(length)

        def handleContentChunk(self, data):
            if self.refused:
                return
            self.allowance -= len(data)
            if self.allowance < 0:  # a chunked body, which announced no length
                self.content.close()  # the spool so far, deleted with it
                self._refuse(None)
                return
            super().handleContentChunk(data)

        def requestReceived(self, command, path, version):
            if self.refused:
                # The rest of the body has come and gone; the answer was sent long ago.
                self.channel.transport.loseConnection()
                return
            super().requestReceived(command, path, version)

        def _refuse(self, size: int | None) -> None:
            self.refused = True
            self.content = io.BytesIO()  # stays empty
            # The answer is final: Twisted must not invite the body with "100 Continue".
            self.requestHeaders.removeHeader(b"expect")
            transport = self.channel.transport
            transport.write(_too_large(size))
            # Only the sending half is closed: a browser still sending its body reads the
            # answer instead of a connection reset, and the rest of the body is dropped.
            getattr(transport, "loseWriteConnection", transport.loseConnection)()

    http_protocol.WebRequest = BoundedRequest  # what daphne's factory builds requests from


def uploads_from_disk(inner):
    with contextlib.suppress(ImportError):
        _bounded_requests()

    def application(scope, receive, send):
        # Deliberately not `async`: this body runs inside daphne's create_application,
        # before daphne copies the request body into its queue.
        protocol = (getattr(send, "args", None) or (None,))[0]
        spool = getattr(protocol, "content", None)
        if scope["type"] == "http" and spool is not None and not isinstance(spool, io.BytesIO):
            protocol.content = io.BytesIO()  # daphne queues one empty, final message
            return _closing(spool, inner(scope, _reading(spool, receive), send))
        return inner(scope, receive, send)

    application._asgi_single_callable = True  # asgiref would take it for ASGI 2 otherwise
    return application


async def _closing(spool, running):
    """`running` (the application), then the spool closed: Twisted no longer knows it,
    and a deleted file stays on disk for as long as it is open."""
    try:
        return await running
    finally:
        spool.close()


def _reading(spool, receive):
    """`receive` answering the body from `spool`, then daphne's messages as they come."""
    done = False

    async def receive_from_spool():
        nonlocal done
        if done:
            return await receive()
        try:
            # A file read, off the loop (the loop is Twisted's reactor too).
            chunk = await asyncio.to_thread(spool.read, UPLOAD_CHUNK)
        except ValueError:  # closed: Twisted closes it when the client goes away
            done = True
            return {"type": "http.disconnect"}
        if len(chunk) == UPLOAD_CHUNK:
            return {"type": "http.request", "body": chunk, "more_body": True}
        done = True
        spool.close()  # read whole: its disk space goes now, not when the view is done
        await receive()  # daphne's empty stand-in for the body
        return {"type": "http.request", "body": chunk, "more_body": False}

    return receive_from_spool
