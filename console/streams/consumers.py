"""Websocket consumers: every stream is a task started in `connect` and cancelled in
`disconnect`, reading the engine through a bounded bridge.

Flow control: daphne buffers whatever a consumer sends, however slow the browser, so
the browser acknowledges frames (`{"ack": seq}`) and a consumer never has more than
`window` unacknowledged frames out. A slow browser therefore slows the engine read.

Size: daphne refuses a websocket message over 1 MiB, so a frame bigger than
MESSAGE_BYTES goes out as parts, each a frame of its own (`{"seq", "part": text,
"more": true}`, the last without "more"), whose texts the page joins and parses as the
frame (static/js/live.js). Text goes as UTF-8: escaped as `\\uXXXX`, 590 kB of CJK
text would be 1.2 MB.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from enum import IntEnum
from importlib import import_module
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.crypto import constant_time_compare

from console.access.notify import LOGOUT, PASSWORD, user_group
from console.access.permissions import host_for
from console.engine import acting
from console.engine.errors import EngineError, NotFound

logger = logging.getLogger(__name__)

# Bytes of one websocket message at most: under daphne's default limit of 1 MiB.
MESSAGE_BYTES = 1_000_000
# Characters of one part: 4 bytes each at most in UTF-8, escaping included, plus the
# part's envelope.
PART_CHARS = (MESSAGE_BYTES - 100) // 4
# Seconds a finished stream waits for the page to acknowledge its last frames.
DRAIN_SECONDS = 5


def _server_error(exc: Exception) -> str:
    return (
        f"The stream stopped on a server error ({type(exc).__name__}); "
        "the server's log has the details."
    )


class Close(IntEnum):
    """Close codes the pages tell apart (4000-4999 are the application's)."""

    BAD_REQUEST = 4400
    NOT_LOGGED_IN = 4401
    FORBIDDEN = 4403
    NO_HOST = 4404
    GONE = 4410  # the container (or exec) no longer exists
    # The console failed (a refused send, a bug); it is logged. Not the protocol's 1011:
    # daphne's autobahn sends only 1000 and 3000-4999.
    SERVER_ERROR = 4500
    HOST_DOWN = 4502


# Why a socket's session ended, by the reason its user's group was told.
SESSION_ENDED = {
    PASSWORD: "Your password was changed: log in again.",
    LOGOUT: "You logged out.",
}


class HostStreamConsumer(AsyncWebsocketConsumer):
    """Authenticates, checks the role on the host, then runs `stream()` as a task.

    The socket joins its user's group (`console.access.notify`): when an admin changes
    the user's access, `access_changed` checks again and closes a socket the user may
    no longer hold open."""

    # What the socket lets its user do, as the policy table (console.access.policy) names it.
    permission = "host.view"
    window = 8
    group: str | None = None
    cut = False  # access was withdrawn: input from the page is dropped

    async def connect(self) -> None:
        # Accept first: only an open socket can carry the close code that says why.
        await self.accept()
        self.task: asyncio.Task | None = None
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.fail(Close.NOT_LOGGED_IN, "Log in to the console first.")
            return
        kwargs = self.scope["url_route"]["kwargs"]
        try:
            self.host, self.role = await database_sync_to_async(host_for)(
                user, kwargs["slug"], self.permission
            )
        except Http404:
            await self.fail(Close.NO_HOST, "No such host.")
            return
        except PermissionDenied as exc:
            await self.fail(Close.FORBIDDEN, str(exc))
            return
        self.user = user
        acting.name(self.host.slug, user.get_username())  # for this socket's log lines
        if self.channel_layer is not None:
            self.group = user_group(user.pk)
            await self.channel_layer.group_add(self.group, self.channel_name)
        self.params = {k: v[-1] for k, v in parse_qs(self.scope["query_string"].decode()).items()}
        self._sent = self._acked = 0
        self._credit = asyncio.Event()
        self._credit.set()
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        try:
            await self.stream()
        except NotFound as exc:
            await self.fail(Close.GONE, exc.message)
        except EngineError as exc:
            await self.fail(Close.HOST_DOWN, f"{exc.title}: {exc.message}")
        except ValueError as exc:
            await self.fail(Close.BAD_REQUEST, str(exc))
        except Exception as exc:  # a refused send or a bug: the page must not wait forever
            logger.exception("%s websocket %s failed", acting.who(), self.scope["path"])
            await self.fail(Close.SERVER_ERROR, _server_error(exc))

    async def stream(self) -> None:
        raise NotImplementedError

    async def dispatch(self, message) -> None:
        # Channels closes stale database connections (a thread hop) before every
        # message; acknowledgements and keystrokes arrive by the thousand and never
        # touch the database, so they skip it.
        if message["type"] == "websocket.receive":
            await self.websocket_receive(message)
        else:
            await super().dispatch(message)

    async def stopped(self) -> None:
        """Release engine-side resources; runs after the task is cancelled."""

    async def disconnect(self, code) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None
        await self._stop()

    async def _stop(self) -> None:
        task = getattr(self, "task", None)
        self.task = None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            await self.stopped()

    async def access_changed(self, message: dict) -> None:
        """An admin changed this user's access (`notify_access_changed`): check it again."""
        if self.cut or self.group is None:
            return
        refusal = await database_sync_to_async(self._refusal)(message.get("reason", ""))
        if refusal is not None:
            self.cut = True
            await self._stop()
            await self.fail(*refusal)

    def _refusal(self, reason: str) -> tuple[Close, str] | None:
        """Why this socket must close now, read from the database; None if it may stay."""
        user = get_user_model().objects.filter(pk=self.user.pk).first()
        if user is None or not user.is_active:
            return Close.NOT_LOGGED_IN, "Your account was deactivated."
        if reason in SESSION_ENDED and not self._session_valid(user):
            return Close.NOT_LOGGED_IN, SESSION_ENDED[reason]
        try:
            host_for(user, self.scope["url_route"]["kwargs"]["slug"], self.permission)
        except Http404:
            return Close.NO_HOST, "You no longer have access to this host."
        except PermissionDenied as exc:
            return Close.FORBIDDEN, f"Your role changed. {exc}"
        return None

    def _session_valid(self, user) -> bool:
        """Whether the socket's session, read afresh, still carries the user's password
        hash (Django keeps the session of a user who changed their own password)."""
        key = getattr(self.scope.get("session"), "session_key", None)
        if not key:
            return False
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
        stored = store.get(HASH_SESSION_KEY)
        return bool(stored) and constant_time_compare(stored, user.get_session_auth_hash())

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if self.cut:
            return
        try:
            if bytes_data is not None:
                await self.on_bytes(bytes_data)
                return
            message = json.loads(text_data or "{}")
            if not isinstance(message, dict):
                raise ValueError("a control message is a JSON object")
            if "ack" in message:
                self._take_ack(message["ack"])
            else:
                await self.on_message(message)
        except ValueError as exc:
            await self._refuse(Close.BAD_REQUEST, f"Bad message from the page: {exc}")
        except Exception as exc:  # a bug in a consumer's input handling
            logger.exception("%s websocket %s: input failed", acting.who(), self.scope["path"])
            await self._refuse(Close.SERVER_ERROR, _server_error(exc))

    def _take_ack(self, value) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"“ack” is the number of a frame received, not {str(value)[:40]!r}")
        # An acknowledgement beyond what was sent would lift the window for frames not
        # yet sent, and let daphne's buffer grow without bound.
        self._acked = max(self._acked, min(value, self._sent))
        self._credit.set()  # the waiters check what they wait for

    async def _refuse(self, code: Close, message: str) -> None:
        """Close because of what the page sent: the stream stops first."""
        self.cut = True
        await self._stop()
        await self.fail(code, message)

    async def on_message(self, message: dict) -> None:
        """A control message from the page (resize, …)."""

    async def on_bytes(self, data: bytes) -> None:
        """Raw input from the page (keystrokes)."""

    async def _next_seq(self) -> int:
        """The next frame's number, once fewer than `window` frames are unacknowledged."""
        while self._sent - self._acked >= self.window:
            self._credit.clear()
            await self._credit.wait()
        self._sent += 1
        return self._sent

    async def send_frame(self, payload: dict) -> None:
        """Send data within the window: one frame, or parts when it is too big."""
        text = json.dumps(payload, ensure_ascii=False)
        if len(text) <= PART_CHARS or len(text.encode()) <= MESSAGE_BYTES - 100:
            # The payload is never empty (it has its "t"): the number goes in front.
            seq = await self._next_seq()
            await self.send(text_data=f'{{"seq": {seq}, {text[1:]}')
            return
        for start in range(0, len(text), PART_CHARS):
            part = {"seq": await self._next_seq(), "part": text[start : start + PART_CHARS]}
            if start + PART_CHARS < len(text):
                part["more"] = True
            await self.send(text_data=json.dumps(part, ensure_ascii=False))

    async def send_data(self, data: bytes) -> None:
        """Send raw bytes within the window, as binary frames of MESSAGE_BYTES at most
        (acknowledged by count)."""
        for start in range(0, len(data), MESSAGE_BYTES):
            await self._next_seq()
            await self.send(bytes_data=data[start : start + MESSAGE_BYTES])

    async def send_status(self, text: str, **extra) -> None:
        """A control message; not counted against the window."""
        await self.send(
            text_data=json.dumps({"t": "status", "text": text, **extra}, ensure_ascii=False)
        )

    async def finish(self, text: str, **extra) -> None:
        """The stream is complete: the final status (`end`) and a normal close, once the
        page acknowledged every frame (or DRAIN_SECONDS passed). Closing earlier loses
        the last frames: the page's acknowledgements then reach a closed connection,
        whose reset discards what the page had not read yet."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DRAIN_SECONDS):
                while self._acked < self._sent:
                    self._credit.clear()
                    await self._credit.wait()
        await self.send_status(text, end=True, **extra)
        await self.close(1000)

    async def fail(self, code: Close, message: str) -> None:
        error = {"t": "error", "code": int(code), "text": message}
        await self.send(text_data=json.dumps(error, ensure_ascii=False))
        await self.close(int(code))
