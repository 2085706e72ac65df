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

All of this leans on daphne's and Twisted's insides, which change without notice: each
part steps aside when what it needs is not there. `check_daphne()`, run as the
application is built, says so once, in the log: what is missing and what it costs.
"""

from __future__ import annotations

import asyncio
import functools
import html
import io
import logging
import types

logger = logging.getLogger(__name__)

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


def _request_of(send):
    """daphne's request behind `send`: daphne passes functools.partial(server.handle_reply,
    request). None under any other server."""
    return (getattr(send, "args", None) or (None,))[0]


def paced(inner):
    async def application(scope, receive, send):
        protocol = _request_of(send)
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
    if _request_class_replaceable():
        _bounded_requests()

    def application(scope, receive, send):
        # Deliberately not `async`: this body runs inside daphne's create_application,
        # before daphne copies the request body into its queue.
        protocol = _request_of(send)
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
        # A file read, off the loop (the loop is Twisted's reactor too). Nothing else
        # closes the spool meanwhile: Twisted no longer knows it, and `_closing` waits
        # for the application, which waits for this read.
        chunk = await asyncio.to_thread(spool.read, UPLOAD_CHUNK)
        if len(chunk) == UPLOAD_CHUNK:
            return {"type": "http.request", "body": chunk, "more_body": True}
        done = True
        spool.close()  # read whole: its disk space goes now, not when the view is done
        await receive()  # daphne's empty stand-in for the body
        return {"type": "http.request", "body": chunk, "more_body": False}

    return receive_from_spool


# ---------------------------------------------------------------- what daphne must have

# What each part loses when daphne or Twisted no longer has what it needs.
NOT_PACED = (
    "downloads (export, save, cp) are not paced: daphne holds in memory whatever a slow "
    "browser has not read yet"
)
UPLOADS_IN_MEMORY = "uploads will be held in memory whole before the console reads them"
NOT_BOUNDED = (
    "bodies over CONSOLE_UPLOAD_LIMIT are spooled whole before they are refused, and "
    "Twisted parses form uploads into memory"
)


def _send_carries_request() -> bool:
    """Whether daphne's create_application calls the application at once, with a `send`
    that `_request_of` finds the request in: tried on a stand-in server, which makes
    create_application stop before it schedules anything."""
    from daphne.server import Server

    request, seen = object(), {}

    class StandIn:
        connections = {request: {}}

        def handle_reply(self, protocol, message): ...

        def application(self, scope, receive, send):
            seen["send"] = send
            self.connections.clear()  # "the request went away": nothing is scheduled

    Server.create_application(StandIn(), request, {"type": "http"})
    send = seen.get("send")
    return isinstance(send, functools.partial) and _request_of(send) is request


def _request_is_twisted() -> bool:
    """Whether daphne's request is Twisted's, which takes a streaming producer."""
    from daphne.http_protocol import WebRequest
    from twisted.web.http import Request

    return issubclass(WebRequest, Request) and all(
        callable(getattr(WebRequest, name, None))
        for name in ("registerProducer", "unregisterProducer")
    )


def _transport_has_buffer_size() -> bool:
    """Whether Twisted's transports pause their producer past `bufferSize` bytes."""
    from twisted.internet.abstract import FileDescriptor

    return isinstance(getattr(FileDescriptor, "bufferSize", None), int)


def _big_bodies_spooled() -> bool:
    """Whether Twisted writes a big request body to a file, as `request.content`."""
    from twisted.web.http import Request

    stand_in = types.SimpleNamespace()
    Request.gotLength(stand_in, 1 << 30)
    spool = getattr(stand_in, "content", None)
    if spool is None:
        return False
    spool.close()
    return not isinstance(spool, io.BytesIO)


def _request_class_replaceable() -> bool:
    """Whether `_bounded_requests` can take the place of daphne's request class: daphne's
    factory looks the class up by name for every connection, and Twisted's request has
    the methods and flag it overrides."""
    try:
        from daphne import http_protocol
        from twisted.web.http import Request

        return (
            isinstance(getattr(http_protocol, "WebRequest", None), type)
            and "WebRequest" in http_protocol.HTTPFactory.buildProtocol.__code__.co_names
            and all(
                callable(getattr(Request, name, None))
                for name in ("gotLength", "handleContentChunk", "requestReceived")
            )
            and "_parsePOSTFormSubmission" in Request.requestReceived.__code__.co_names
        )
    except Exception:
        return False


# (what must hold, the check, what is lost without it)
ASSUMPTIONS = (
    (
        "daphne.server.Server.create_application calls the application at once with "
        "send=functools.partial(handle_reply, request)",
        _send_carries_request,
        f"{NOT_PACED}; {UPLOADS_IN_MEMORY}",
    ),
    (
        "daphne.http_protocol.WebRequest is a twisted.web.http.Request with "
        "registerProducer/unregisterProducer",
        _request_is_twisted,
        NOT_PACED,
    ),
    (
        "twisted.internet.abstract.FileDescriptor.bufferSize",
        _transport_has_buffer_size,
        "downloads are paced at Twisted's own buffer size, slower",
    ),
    (
        "twisted.web.http.Request.gotLength spools a big body to a file (request.content)",
        _big_bodies_spooled,
        UPLOADS_IN_MEMORY,
    ),
    (
        "daphne.http_protocol.HTTPFactory builds daphne.http_protocol.WebRequest by name, "
        "and twisted.web.http.Request has gotLength, handleContentChunk, requestReceived "
        "and _parsePOSTFormSubmission",
        _request_class_replaceable,
        NOT_BOUNDED,
    ),
)


def check_daphne() -> list[str]:
    """What this module needs of daphne and Twisted and does not find, each with what
    that costs; logged as one warning. Run once, as the application is built."""
    missing = []
    for what, holds, cost in ASSUMPTIONS:
        try:
            found = holds()
        except Exception as exc:  # an import or a signature that changed: not there
            found, what = False, f"{what} ({type(exc).__name__}: {exc})"
        if not found:
            missing.append(f"{what} — {cost}")
    if missing:
        logger.warning(
            "daphne %s / Twisted %s lack what console/web/daphne.py relies on, so it "
            "steps aside: %s. Install the versions in requirements.txt, or adapt "
            "console/web/daphne.py.",
            _version("daphne"),
            _version("twisted"),
            "; ".join(missing),
        )
    return missing


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "(not installed)"
