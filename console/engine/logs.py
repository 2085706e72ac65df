"""Long-lived engine streams for the websocket consumers.

docker-py reads blocking sockets, so every stream runs in a thread of its own and
hands items to the event loop through a bounded asyncio queue: when the browser (and
so the consumer) falls behind, the thread blocks, stops reading the engine's socket,
and TCP slows the engine down. Nothing between the engine and the browser grows
without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Generic, Protocol, TypeVar

from console.engine.client import client_for, translate, translate_exception
from console.engine.errors import EngineError, NotFound

T = TypeVar("T")

# What one read from the engine's socket may return.
READ_SIZE = 64 * 1024


class Source(Protocol[T]):
    def __iter__(self) -> Iterator[T]: ...
    def close(self) -> None: ...


@dataclass
class _End:
    error: EngineError | None = None


class ThreadBridge(Generic[T]):
    """Iterate a blocking `Source` in a thread, asynchronously, through a bounded queue.

    The thread takes one of `maxsize` slots per item and the loop gives it back when the
    item is taken, so a full queue blocks the thread (and so the engine read) without a
    task or future per item. `keep_latest` drops the oldest queued item instead of
    waiting when the queue is full: right for samples (stats), wrong for logs.
    """

    def __init__(
        self, open_source: Callable[[], Source[T]], *, maxsize: int = 16, keep_latest: bool = False
    ):
        self._open = open_source
        self._maxsize = maxsize
        self._queue: asyncio.Queue = asyncio.Queue()
        self._slots = threading.Semaphore(maxsize)
        self._keep_latest = keep_latest
        self._stop = threading.Event()
        self._source: Source[T] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._end: _End | None = None  # taken off the queue by `take_ready`, not yet reported

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        threading.Thread(target=self._run, daemon=True, name="engine-stream").start()

    def _run(self) -> None:
        end = _End()
        try:
            self._source = self._open()
            if self._stop.is_set():
                return
            for item in self._source:
                if not self._put(item):
                    return
        except BaseException as exc:  # the thread must always report how it ended
            if self._stop.is_set():
                return
            try:
                end = _End(translate_exception(exc))
            except BaseException as untranslated:
                end = _End(EngineError(f"stream failed: {untranslated}"))
        finally:
            if self._source is not None:
                with contextlib.suppress(Exception):
                    self._source.close()
        self._put(end)

    def _put(self, item) -> bool:
        """Hand one item to the loop, waiting while the queue is full; False once closed."""
        if not self._keep_latest and not isinstance(item, _End):
            while not self._slots.acquire(timeout=0.5):
                if self._stop.is_set():
                    return False
        try:
            self._loop.call_soon_threadsafe(self._deliver, item)
        except RuntimeError:  # the loop is gone
            return False
        return not self._stop.is_set()

    def _deliver(self, item) -> None:
        if (
            self._keep_latest
            and self._queue.qsize() >= self._maxsize
            and not isinstance(item, _End)
        ):
            self._queue.get_nowait()
        self._queue.put_nowait(item)

    def _taken(self, item):
        if isinstance(item, _End):
            self._end = item
        elif not self._keep_latest:
            self._slots.release()
        return item

    def __aiter__(self):
        return self

    async def __anext__(self) -> T:
        item = self._end or self._taken(await self._queue.get())
        if isinstance(item, _End):
            if item.error is not None:
                raise item.error
            raise StopAsyncIteration
        return item

    def take_ready(self, limit: int) -> list[T]:
        """Up to `limit` items already queued, without waiting: a consumer that fell
        behind sends them as one frame instead of many."""
        items: list[T] = []
        while len(items) < limit and self._end is None and not self._queue.empty():
            item = self._taken(self._queue.get_nowait())
            if not isinstance(item, _End):
                items.append(item)
        return items

    def close(self) -> None:
        """Stop the thread: closing the source unblocks its socket read."""
        self._stop.set()
        if self._source is not None:
            with contextlib.suppress(Exception):
                self._source.close()


class RawBody:
    """A streamed response's body read straight off the connection, in reads as big as
    what has arrived.

    urllib3 hands over one HTTP chunk per read, and the engine sends every log line as a
    chunk of its own: 200k lines would become 200k hand-overs. Reading the connection's
    buffer (io.BufferedReader for unix/tcp/TLS, paramiko's ChannelFile for SSH) and
    undoing the chunked encoding here yields everything that arrived at once.
    """

    def __init__(self, response):
        http_response = response.raw._fp  # http.client.HTTPResponse, body not read yet
        buffered = http_response.fp
        if hasattr(buffered, "read1"):
            self._pending = b""
            self._read_more = buffered.read1
        else:  # paramiko's ChannelFile: what it buffered with the headers, then the channel
            self._pending = bytes(buffered._rbuffer)
            buffered._rbuffer = b""
            self._read_more = buffered.channel.recv
        self._chunked = bool(getattr(http_response, "chunked", False))
        self._buffer = bytearray()
        self._done = False

    def _raw(self) -> bytes:
        if self._pending:
            data, self._pending = self._pending, b""
            return data
        try:
            return self._read_more(READ_SIZE)
        except (OSError, ValueError):
            return b""

    def read(self) -> bytes:
        """Some body bytes, blocking; b"" at the end."""
        if not self._chunked:
            return self._raw()
        while True:
            if out := self._dechunk():
                return out
            if self._done:
                return b""
            data = self._raw()
            if not data:
                return b""
            self._buffer += data

    def _dechunk(self) -> bytes:
        # The engine sends a chunk per log line, so this loop runs 200k times for 200k
        # lines: it walks the buffer by offset, takes only whole chunks (they are small)
        # and cuts the buffer once, since deleting from a bytearray's front copies it.
        buffer = self._buffer
        find, size = buffer.find, len(buffer)
        pieces = []
        pos = 0
        while (end := find(b"\r\n", pos)) != -1:
            chunk_size = int(bytes(buffer[pos:end]).split(b";")[0] or b"0", 16)
            if chunk_size == 0:
                self._done = True
                pos = end + 2
                break
            start = end + 2
            if start + chunk_size + 2 > size:
                break
            pieces.append(buffer[start : start + chunk_size])
            pos = start + chunk_size + 2
        del buffer[:pos]
        return b"".join(pieces)


def own_connection(api, response):
    """The raw socket of a streamed answer, its connection taken out of the client's pool
    for good; raises the engine's error for a failed answer.

    A stream is closed from another thread (`hard_close`), and urllib3 puts a
    connection back in the pool as soon as it has read an answer to its end: a pooled
    connection whose socket a stream closed breaks the host's next call ("file
    descriptor cannot be a negative integer" over TLS, "Socket is closed" over SSH).
    """
    api._raise_for_status(response)
    raw = response.raw
    connection, raw._connection = raw._connection, None
    if connection is not None and raw._pool is not None:
        raw._pool._put_conn(None)  # the pool keeps its size: its next call connects anew
    return api._get_raw_response_socket(response)


def hard_close(sock) -> None:
    """Close a stream socket from another thread, whatever the transport gave us:
    socket.SocketIO (unix, tcp), ssl.SSLSocket (TLS) or a paramiko Channel (SSH)."""
    raw = getattr(sock, "_sock", sock)
    with contextlib.suppress(Exception):
        raw.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(Exception):
        raw.close()


# ---------------------------------------------------------------- time arguments

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_NANOS = {
    "ns": 1,
    "us": 10**3,
    "µs": 10**3,
    "ms": 10**6,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}
_RFC3339 = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?"
)


# The times a --since/--until may name: those of datetime (years 1 to 9999), well
# within the engine's 64-bit seconds.
_EARLIEST = int(datetime(1, 1, 1, tzinfo=UTC).timestamp())
_LATEST = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())


def parse_time(text: str, now: datetime | None = None) -> str | None:
    """A `--since`/`--until` value as the docker CLI takes and sends it: a Go duration
    before now ("42m", "1h30m"), an RFC 3339 date or date-time (to the nanosecond), or
    Unix seconds; the result is the CLI's "seconds.nanoseconds". Empty: None.
    ValueError for anything else, and for a time before year 1 or after 9999."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+", text):
        # Decimal, not float: 400 nines of seconds are not infinity.
        nanos = sum(int(Decimal(n) * _UNIT_NANOS[u]) for n, u in _DURATION.findall(text))
        now_nanos = int((now or datetime.now(UTC)).timestamp() * 10**6) * 1000
        moment = now_nanos - nanos
        seconds, fraction = moment // 10**9, f"{moment % 10**9:09d}"
    elif match := re.fullmatch(r"(\d+)(?:\.(\d{1,9}))?", text):
        seconds, fraction = int(match[1]), match[2]
    else:
        match = _RFC3339.fullmatch(text)
        if not match:
            raise ValueError(
                f"{text!r} is neither a duration like 42m nor a time like 2026-01-02T15:04:05Z"
            )
        day, clock, fraction, zone = match.groups()
        clock = clock or "00:00:00"
        if clock.count(":") == 1:
            clock += ":00"
        moment = datetime.fromisoformat(f"{day}T{clock}{'+00:00' if zone in (None, 'Z') else zone}")
        seconds, fraction = int(moment.timestamp()), (fraction or "").ljust(9, "0")
    if not _EARLIEST <= seconds <= _LATEST:
        raise ValueError(f"{text[:40]!r} is out of range: pick a time between years 1 and 9999")
    return f"{seconds}.{fraction}" if fraction else str(seconds)


# ---------------------------------------------------------------- logs


@dataclass(frozen=True)
class LogOptions:
    follow: bool = False
    tail: int | None = 200  # None: all
    since: str | None = None  # "seconds.nanoseconds", as parse_time gives it
    until: str | None = None
    timestamps: bool = False
    details: bool = False

    def params(self) -> dict:
        params = {
            "stdout": 1,
            "stderr": 1,
            "follow": int(self.follow),
            "timestamps": int(self.timestamps),
            "details": int(self.details),
            "tail": "all" if self.tail is None else str(self.tail),
        }
        if self.since is not None:
            params["since"] = self.since
        if self.until is not None:
            params["until"] = self.until
        return params


STDOUT, STDERR = 1, 2
LogLine = tuple[int, str]  # (stream: 0 tty, 1 stdout, 2 stderr; text without newline)


class LineSplitter:
    """Engine frames -> whole lines, per stream, each at most `limit` bytes.

    The engine cuts long messages into several frames and frames need not end at a
    newline; bytes that are not UTF-8 become U+FFFD instead of breaking anything.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self._pending: dict[int, bytearray] = {}
        self._cut: set[int] = set()

    def feed(self, stream: int, data: bytes) -> list[LogLine]:
        pending = self._pending.setdefault(stream, bytearray())
        pending += data
        lines: list[LogLine] = []
        if (last := pending.rfind(b"\n")) != -1:
            texts = self._lines(bytes(pending[:last]))
            del pending[: last + 1]
            if stream in self._cut:
                self._cut.discard(stream)  # the rest of a line already sent cut short
                texts = texts[1:]
            lines = [(stream, text) for text in texts]
        if len(pending) > self.limit:
            if stream not in self._cut:
                lines.append((stream, self._text(pending[: self.limit]) + " […cut]"))
                self._cut.add(stream)
            pending.clear()
        return lines

    def _lines(self, complete: bytes) -> list[str]:
        """Complete lines (joined by newlines) as text, each cut to the limit."""
        if len(complete) > self.limit:
            return [
                self._text(raw[: self.limit]) + " […cut]"
                if len(raw) > self.limit
                else self._text(raw)
                for raw in complete.split(b"\n")
            ]
        # One decode and one split for all of them: a UTF-8 error never swallows a
        # newline, so this equals decoding line by line, only much faster.
        texts = complete.decode("utf-8", errors="replace").split("\n")
        if b"\r" in complete:
            texts = [text.rstrip("\r") for text in texts]
        return texts

    def flush(self) -> list[LogLine]:
        lines = [
            (stream, self._text(rest))
            for stream, rest in self._pending.items()
            if rest and stream not in self._cut
        ]
        self._pending.clear()
        return lines

    @staticmethod
    def _text(raw: bytes | bytearray) -> str:
        return bytes(raw).rstrip(b"\r").decode("utf-8", errors="replace")


def demultiplex(buffer: bytearray) -> Iterator[tuple[int, bytes]]:
    """Complete frames (8-byte header: stream, 0, 0, 0, big-endian length) off the
    front of `buffer`, which keeps any incomplete rest. Consecutive frames of one stream
    come out joined: the engine sends a frame per log line."""
    offset = 0
    run_stream, run = -1, []
    while len(buffer) - offset >= 8:
        stream, length = struct.unpack_from(">BxxxL", buffer, offset)
        if len(buffer) - offset - 8 < length:
            break
        if stream != run_stream and run:
            yield run_stream, b"".join(run)
            run = []
        run_stream = stream
        run.append(buffer[offset + 8 : offset + 8 + length])
        offset += 8 + length
    if run:
        yield run_stream, b"".join(run)
    del buffer[:offset]


class LogSource:
    """`docker logs` of one container as batches of lines, read in big chunks."""

    def __init__(self, host, ref: str, options: LogOptions, *, line_limit: int):
        api = client_for(host)
        with translate():
            info = api.inspect_container(ref)
            self.container_id: str = info["Id"]
            self.tty: bool = bool((info.get("Config") or {}).get("Tty"))
            self._response = api._get(
                api._url("/containers/{0}/logs", self.container_id),
                params=options.params(),
                stream=True,
                # Following waits for new lines indefinitely; the socket is closed
                # from the consumer instead.
                timeout=None if options.follow else api.timeout,
            )
            self._socket = own_connection(api, self._response)
        self._body = RawBody(self._response)
        self._splitter = LineSplitter(line_limit)

    def chunks(self) -> Iterator[bytes]:
        while chunk := self._body.read():
            yield chunk

    def frames(self) -> Iterator[tuple[int, bytes]]:
        """(stream, bytes) as the engine sent them; a tty container has one stream, 0."""
        if self.tty:
            for chunk in self.chunks():
                yield 0, chunk
            return
        buffer = bytearray()
        for chunk in self.chunks():
            buffer += chunk
            yield from demultiplex(buffer)

    def __iter__(self) -> Iterator[list[LogLine]]:
        """Batches of lines: all the lines of one read from the engine go out together,
        so 200k short lines make a few hundred websocket frames, not 200k."""
        buffer = bytearray()
        with translate():
            for chunk in self.chunks():
                if self.tty:
                    lines = self._splitter.feed(0, chunk)
                else:
                    buffer += chunk
                    lines = [
                        line
                        for stream, data in demultiplex(buffer)
                        for line in self._splitter.feed(stream, data)
                    ]
                if lines:
                    yield lines
            if rest := self._splitter.flush():
                yield rest

    def close(self) -> None:
        hard_close(self._socket)
        with contextlib.suppress(Exception):
            self._response.close()


def container_running(host, ref: str) -> bool | None:
    """Whether the container runs now; None once it no longer exists."""
    api = client_for(host)
    try:
        with translate():
            return bool(api.inspect_container(ref)["State"]["Running"])
    except NotFound:
        return None
