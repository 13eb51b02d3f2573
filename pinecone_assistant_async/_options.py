"""``client.with_options(...)``: a client with other per-call options over the same resources.

The derived client gets its own configuration (timeouts, retry policy, extra headers, API
version) and shares everything that is per process rather than per call with the client it
came from: the aiohttp session and its connection pool, the data-plane host cache, the retry
budget, the rate limiter, the hooks and tracers, and the usage totals. Closing a derived client
only closes *it*; the session belongs to the original, which closes it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ._transport import Transport
from .config import SUPPORTED_API_VERSIONS, ClientConfig, RetryPolicy, Timeouts
from .errors import InvalidInputError, InvalidTypeError

__all__ = ["SHARED_ATTRIBUTES", "derive_config", "derive_transport"]

SHARED_ATTRIBUTES = ("budget", "hosts", "sleep", "instruments", "pacer")
"""What a derived transport takes from its parent (an attribute missing on both is skipped)."""


def _timeouts(current: Timeouts, timeout: object) -> Timeouts:
    if isinstance(timeout, Timeouts):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise InvalidTypeError("timeout must be a number of seconds or a Timeouts")
    # A number replaces the total deadline only, as AssistantClient(timeout=N) does.
    return dataclasses.replace(current, total=float(timeout))


def _headers(current: Mapping[str, str], extra: object) -> dict[str, str]:
    if not isinstance(extra, Mapping):
        raise InvalidTypeError("extra_headers must be a mapping of header names to values")
    merged = dict(current)
    for name, value in extra.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise InvalidTypeError("extra_headers names and values must be str")
        if name.lower() in ("api-key", "x-pinecone-api-version"):
            hint = " (use api_version=)" if name.lower() == "x-pinecone-api-version" else ""
            raise InvalidInputError(f"extra_headers may not set {name}{hint}")
        merged[name] = value
    return merged


def derive_config(
    config: ClientConfig,
    *,
    timeout: object = None,
    retry: object = None,
    extra_headers: object = None,
    api_version: object = None,
) -> ClientConfig:
    """``config`` with the given options replaced (``None``: keep); checked like the client's.

    ``extra_headers`` are added to (and override) the client's own extra headers.
    """
    changes: dict[str, Any] = {}
    if timeout is not None:
        changes["timeouts"] = _timeouts(config.timeouts, timeout)
    if retry is not None:
        if not isinstance(retry, RetryPolicy):
            raise InvalidTypeError("retry must be a RetryPolicy")
        changes["retry"] = retry
    if extra_headers is not None:
        changes["extra_headers"] = MappingProxyType(_headers(config.extra_headers, extra_headers))
    if api_version is not None:
        if api_version not in SUPPORTED_API_VERSIONS:
            raise InvalidInputError(
                f"api_version must be one of {', '.join(SUPPORTED_API_VERSIONS)}, "
                f"got {api_version!r}"
            )
        changes["api_version"] = api_version
    return dataclasses.replace(config, **changes)


def derive_transport(parent: Transport, config: ClientConfig) -> Transport:
    """A transport with ``config`` over ``parent``'s session, pool and shared state."""
    child = Transport(config, None)
    child._owns_session = False  # closing it never closes the session
    child._parent = parent if parent._parent is None else parent._parent
    for name in SHARED_ATTRIBUTES:
        if hasattr(parent, name):
            setattr(child, name, getattr(parent, name))
    return child
