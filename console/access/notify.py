"""Telling a user's open websockets that their access changed.

Every `HostStreamConsumer` joins the channel-layer group `user_group(user.pk)` once its
role check passed; `notify_access_changed` sends that group an `access.changed` message
once the change is committed, and each socket checks the user again against the
database (still active, session still valid, role still enough) and closes if not.
"""

from __future__ import annotations

from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

# `reason` of a password change: sessions logged in with the old password end.
PASSWORD = "password"  # noqa: S105 (a message reason, not a secret)
# `reason` of a logout: that session's sockets end.
LOGOUT = "logout"


def user_group(pk: int) -> str:
    return f"user-{pk}"


def notify_access_changed(user_ids: Iterable[int], reason: str = "") -> None:
    """After the current transaction commits (now, outside one), tell every open
    socket of these users to check their access again."""
    ids = sorted(set(user_ids))
    if ids:
        # robust: the change is made; a channel layer that is down must not undo the page.
        transaction.on_commit(lambda: _send(ids, reason), robust=True)


def _send(ids: list[int], reason: str) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    for pk in ids:
        send(user_group(pk), {"type": "access.changed", "reason": reason})
