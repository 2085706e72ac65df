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
"""

from __future__ import annotations

import asyncio
import contextlib
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


def uploads_from_disk(inner):
    with contextlib.suppress(ImportError):
        from daphne.http_protocol import WebRequest

        # Twisted sets it per request from a constructor argument daphne never passes;
        # a read-only property on daphne's request class wins over that assignment.
        WebRequest._parsePOSTFormSubmission = property(lambda _r: False, lambda _r, _v: None)

    def application(scope, receive, send):
        # Deliberately not `async`: this body runs inside daphne's create_application,
        # before daphne copies the request body into its queue.
        protocol = (getattr(send, "args", None) or (None,))[0]
        spool = getattr(protocol, "content", None)
        if scope["type"] == "http" and spool is not None and not isinstance(spool, io.BytesIO):
            protocol.content = io.BytesIO()  # daphne queues one empty, final message
            receive = _reading(spool, receive)
        return inner(scope, receive, send)

    application._asgi_single_callable = True  # asgiref would take it for ASGI 2 otherwise
    return application


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
        await receive()  # daphne's empty stand-in for the body
        return {"type": "http.request", "body": chunk, "more_body": False}

    return receive_from_spool
