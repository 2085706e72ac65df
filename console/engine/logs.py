"""`docker logs` as batches of lines, and the --since/--until times that logs and
events take."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from console.engine.client import client_for, translate
from console.engine.wire import RawBody, demultiplex, hard_close, own_connection

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
