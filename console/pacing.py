"""Back-pressure for streamed HTTP responses under daphne.

Daphne hands every body chunk to Twisted at once, and Twisted buffers whatever the
browser has not read yet: an export to a slow browser would pile up in memory. This
middleware registers a streaming producer on daphne's request, which Twisted pauses
when the socket's buffer passes `BUFFER` bytes, and waits for it to resume before
handing over the next chunk. Elsewhere (another server, tests) it passes through.
"""

from __future__ import annotations

import asyncio

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
