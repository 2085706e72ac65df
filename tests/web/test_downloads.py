"""Streamed downloads end their engine stream."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from console.web.downloads import ThreadedChunks


def test_an_abandoned_download_closes_the_engine_stream():
    closed = []

    def engine_chunks():
        try:
            yield from [b"chunk"] * 100
        finally:
            closed.append(True)

    chunks = ThreadedChunks(engine_chunks())

    async def take_one() -> bytes:
        stream = aiter(chunks)
        first = await anext(stream)
        await stream.aclose()
        return first

    # A loop of its own, in a thread: the browser tests keep one running in this one.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, take_one()).result() == b"chunk"
    chunks.close()  # what Django does with the response when the browser goes away
    assert closed == [True]
    chunks.close()
    assert closed == [True]
