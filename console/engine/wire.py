"""The engine's streamed answers on the wire: a connection of their own, read as it
arrives, closed from any thread, and the multiplexed frames of a container's output."""

from __future__ import annotations

import contextlib
import socket
import struct
from collections.abc import Iterator

# What one read from the engine's socket may return.
READ_SIZE = 64 * 1024


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
