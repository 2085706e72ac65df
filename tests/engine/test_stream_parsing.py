"""The byte-level pieces between the engine's socket and the log frames: HTTP chunks,
multiplexed frames, lines, and the bounded thread-to-loop bridge."""

from __future__ import annotations

import asyncio
import concurrent.futures
import struct
import threading

from console.engine.bridge import ThreadBridge
from console.engine.logs import LineSplitter
from console.engine.wire import RawBody, demultiplex


def frame(stream: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(payload)) + payload


def test_lines_split_across_feeds_and_streams_kept_apart():
    splitter = LineSplitter(100)
    assert splitter.feed(1, b"one\r\ntw") == [(1, "one")]
    assert splitter.feed(2, b"err\n") == [(2, "err")]
    assert splitter.feed(1, b"o\n\nthree") == [(1, "two"), (1, "")]
    assert splitter.flush() == [(1, "three")]


def test_bytes_that_are_not_utf8_become_replacement_characters_per_line():
    splitter = LineSplitter(100)
    assert splitter.feed(1, b"bad \xff\xfe\nnext \xc3\xa9\n") == [
        (1, "bad \ufffd\ufffd"),
        (1, "next é"),
    ]


def test_a_long_line_is_cut_once_whether_it_arrives_whole_or_in_pieces():
    splitter = LineSplitter(5)
    assert splitter.feed(1, b"abcdefgh\nok\n") == [(1, "abcde […cut]"), (1, "ok")]
    assert splitter.feed(1, b"1234567") == [(1, "12345 […cut]")]
    assert splitter.feed(1, b"89") == []
    assert splitter.feed(1, b"0\nafter\n") == [(1, "after")]


def test_consecutive_frames_of_one_stream_come_out_joined_and_a_partial_frame_waits():
    buffer = bytearray(frame(1, b"a\n") + frame(1, b"b\n") + frame(2, b"e\n") + frame(1, b"c\n"))
    buffer += frame(1, b"partial\n")[:-3]
    assert list(demultiplex(buffer)) == [(1, b"a\nb\n"), (2, b"e\n"), (1, b"c\n")]
    assert bytes(buffer) == frame(1, b"partial\n")[:-3]


def test_http_chunks_are_undone_across_reads():
    body = RawBody.__new__(RawBody)
    body._buffer, body._done = bytearray(), False
    encoded = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (b"hello ", b"x" * 300, b""))
    parts = []
    for cut in range(0, len(encoded), 7):
        body._buffer += encoded[cut : cut + 7]
        parts.append(body._dechunk())
    assert b"".join(parts) == b"hello " + b"x" * 300
    assert body._done


class CountingSource:
    def __init__(self, count: int):
        self.count, self.produced = count, 0
        self.closed = threading.Event()

    def __iter__(self):
        for n in range(self.count):
            self.produced = n + 1
            yield n

    def close(self):
        self.closed.set()


def in_own_loop(scenario):
    """Run a coroutine function on a fresh loop in a thread of its own (the browser
    tests' session keeps an event loop running in the main thread)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario()).result()


async def holding_scenario():
    source = CountingSource(100)
    bridge = ThreadBridge(lambda: source, maxsize=4)
    bridge.start()
    first = await bridge.__anext__()
    await asyncio.sleep(0.2)
    assert source.produced <= 6  # 1 taken + 4 queued + 1 waiting for a slot
    ready = bridge.take_ready(10)
    rest = [item async for item in bridge]
    bridge.close()
    return [first, *ready, *rest], ready


def test_bridge_holds_the_thread_at_maxsize_and_hands_queued_items_over_at_once():
    items, ready = in_own_loop(holding_scenario)
    assert items == list(range(100))
    assert len(ready) == 4


async def keep_latest_scenario():
    source = CountingSource(50)
    bridge = ThreadBridge(lambda: source, maxsize=2, keep_latest=True)
    bridge.start()
    await asyncio.sleep(0.2)
    items = [item async for item in bridge]
    bridge.close()
    return items


def test_bridge_with_keep_latest_drops_the_oldest_instead_of_waiting():
    assert in_own_loop(keep_latest_scenario) == [48, 49]
