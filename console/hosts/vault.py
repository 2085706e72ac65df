"""The credential vault: Fernet encryption of host secrets with a key derived from
CONSOLE_SECRET_KEY, and a model field that stores only ciphertext."""

import base64
import logging
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

from console.engine.acting import who
from console.engine.errors import EngineError

logger = logging.getLogger(__name__)

PREFIX = "fernet:"


@cache
def _fernet(secret: str) -> Fernet:
    # HKDF lets any admin-chosen secret string become a proper 32-byte Fernet key.
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"console-vault").derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plaintext: str) -> str:
    return PREFIX + _fernet(settings.CONSOLE_SECRET).encrypt(plaintext.encode()).decode()


class VaultError(EngineError):
    """Stored ciphertext cannot be read: the console secret changed. An EngineError, so
    that a host whose credentials the engine layer cannot read fails like any host that
    cannot be reached, and the engine need not know the vault."""


def decrypt(ciphertext: str) -> str:
    try:
        token = ciphertext.removeprefix(PREFIX).encode()
        return _fernet(settings.CONSOLE_SECRET).decrypt(token).decode()
    except InvalidToken as exc:
        error = VaultError(
            "a stored credential cannot be decrypted: CONSOLE_SECRET_KEY is not the one "
            "it was saved with"
        )
        logger.error("%s %s", who(), error.message)
        raise error from exc


class Sealed:
    """A secret as loaded from the database: ciphertext until `reveal()` is called.

    Printing, logging or rendering it shows nothing secret, and a model saved again
    writes the same ciphertext back without decrypting it.
    """

    __slots__ = ("ciphertext",)

    def __init__(self, ciphertext: str):
        self.ciphertext = ciphertext

    def reveal(self) -> str:
        return decrypt(self.ciphertext) if self.ciphertext else ""

    def __bool__(self) -> bool:
        return bool(self.ciphertext)

    def __eq__(self, other) -> bool:
        return isinstance(other, Sealed) and other.ciphertext == self.ciphertext

    def __hash__(self) -> int:
        return hash(self.ciphertext)

    def __str__(self) -> str:
        return "<sealed>" if self.ciphertext else ""

    __repr__ = __str__


class EncryptedTextField(models.TextField):
    """Holds a secret; the database only ever sees Fernet ciphertext.

    Assign a plain str to set a new secret; reading gives a `Sealed` value.
    """

    def from_db_value(self, value, expression, connection):
        return Sealed(value or "")

    def to_python(self, value):
        if isinstance(value, Sealed) or value is None:
            return value
        return str(value)

    def get_prep_value(self, value):
        if isinstance(value, Sealed):
            return value.ciphertext
        if not value:
            return ""
        return encrypt(str(value))
