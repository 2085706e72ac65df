"""Database sessions whose table holds a hash of each session's key, never the key.

The key is the cookie: with the plain key in the table, anyone who reads the database
file (a backup, a copied volume) logs in as any user with an open session. The hash
(40 hex digits, the width of Django's column) finds the row; it cannot be turned back
into a cookie."""

from __future__ import annotations

import hashlib

from django.contrib.sessions.backends import db
from django.utils import timezone


def stored_key(session_key: str) -> str:
    """The table's key for a session key."""
    return hashlib.blake2b(session_key.encode(), digest_size=20).hexdigest()


class SessionStore(db.SessionStore):
    def _query(self, session_key: str):
        return self.model.objects.filter(session_key=stored_key(session_key))

    def _get_session_from_db(self):
        if self.session_key is not None:
            found = self._query(self.session_key).filter(expire_date__gt=timezone.now()).first()
            if found is not None:
                return found
        self._session_key = None
        return None

    async def _aget_session_from_db(self):
        if self.session_key is not None:
            found = (
                await self._query(self.session_key).filter(expire_date__gt=timezone.now()).afirst()
            )
            if found is not None:
                return found
        self._session_key = None
        return None

    def exists(self, session_key):
        return self._query(session_key).exists()

    async def aexists(self, session_key):
        return await self._query(session_key).aexists()

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.session_key = stored_key(session.session_key)
        return session

    async def acreate_model_instance(self, data):
        session = await super().acreate_model_instance(data)
        session.session_key = stored_key(session.session_key)
        return session

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        if session_key is not None:
            self._query(session_key).delete()

    async def adelete(self, session_key=None):
        session_key = session_key or self.session_key
        if session_key is not None:
            await self._query(session_key).adelete()
