"""The only package that talks to Docker. Everything else calls these functions and
gets plain data back, or one of the errors in `console.engine.errors`."""

from console.engine.client import (
    client_for,
    fingerprint,
    forget,
    forget_all,
    load_private_key,
    ssh_host_key,
    tls_context,
)
from console.engine.errors import EngineError
from console.engine.fanout import HostResult, fan_out
from console.engine.system import EngineOverview, EngineSummary, engine_overview, engine_summary

__all__ = [
    "EngineError",
    "EngineOverview",
    "EngineSummary",
    "HostResult",
    "client_for",
    "engine_overview",
    "engine_summary",
    "fan_out",
    "fingerprint",
    "forget",
    "forget_all",
    "load_private_key",
    "ssh_host_key",
    "tls_context",
]
