"""The few errors the rest of the console sees from an engine.

Every docker/requests/paramiko/ssl exception is turned into one of these by
`translate()`, with a message written for the person looking at the page.
"""

from __future__ import annotations


class EngineError(Exception):
    """The engine (or the way to it) refused or failed; `message` says how."""

    title = "Engine error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class HostUnreachable(EngineError):
    title = "Unreachable"


class HostTimeout(EngineError):
    title = "Timed out"


class TLSFailure(EngineError):
    title = "TLS failure"


class AuthFailure(EngineError):
    title = "Authentication failed"


class HostKeyUnknown(EngineError):
    """First SSH connection: the host key must be confirmed before it is trusted."""

    title = "Host key not yet trusted"

    def __init__(self, key_line: str, fingerprint: str):
        super().__init__(
            f"The SSH server presented the host key {fingerprint}. "
            "Confirm it is the right one to pin it."
        )
        self.key_line = key_line
        self.fingerprint = fingerprint


class HostKeyMismatch(EngineError):
    title = "SSH host key changed"


class UnsupportedTransport(EngineError):
    title = "Not usable here"


class NotFound(EngineError):
    title = "Not found"


class Conflict(EngineError):
    title = "Conflict"


class EnginePermissionDenied(EngineError):
    title = "Refused by the engine"


class NotOnWindows(EngineError):
    """What Windows engines refuse (export, pause of process-isolated containers), said
    by the console before asking the engine."""

    title = "Not available for Windows containers"


# The ways of failing to reach an engine at all (as opposed to the engine refusing).
CONNECTION_ERRORS = (
    HostUnreachable,
    HostTimeout,
    TLSFailure,
    AuthFailure,
    HostKeyUnknown,
    HostKeyMismatch,
    UnsupportedTransport,
)
