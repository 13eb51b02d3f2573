"""The events hooks are given: what happened to a request, as frozen records.

They live apart from :mod:`~.hooks` because defining them costs the cold path (a dataclass
is compiled when its class is made): ``hooks`` loads this module when a hook is first told of
an event, or when one of these names is first looked up there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "HookEvent",
    "RequestSent",
    "ResponseReceived",
    "RetryScheduled",
    "StreamClosed",
    "StreamOpened",
]


@dataclass(frozen=True)
class RequestSent:
    """An attempt is about to be sent (``attempt`` counts from 1)."""

    operation: str
    method: str
    url: str
    assistant: str | None
    attempt: int


@dataclass(frozen=True)
class ResponseReceived:
    """An attempt got its status line and headers (errors included: a 503 arrives here too).

    ``elapsed`` is the time from the call's start, earlier attempts and waits included;
    ``attempt_elapsed`` is this attempt's own. ``headers`` are the response's, for an error
    status too (the typed error, in the ``RetryScheduled`` that follows or raised, carries the
    same ones)."""

    operation: str
    method: str
    url: str
    assistant: str | None
    attempt: int
    status: int
    headers: Mapping[str, str]
    request_id: str | None
    elapsed: float
    attempt_elapsed: float


@dataclass(frozen=True)
class RetryScheduled:
    """A failed attempt will be retried after ``delay`` seconds (``reason``: ``HTTP 503``,
    ``APIConnectionError``, ...; ``error`` is the typed error of the failed attempt)."""

    operation: str
    method: str
    url: str
    assistant: str | None
    attempt: int
    delay: float
    reason: str
    error: BaseException | None


@dataclass(frozen=True)
class StreamOpened:
    """A streamed answer opened: its headers are in, no chunk has been read yet."""

    operation: str
    url: str
    assistant: str | None
    status: int
    request_id: str | None
    attempts: int
    elapsed: float


@dataclass(frozen=True)
class StreamClosed:
    """A streamed answer closed (read to its end, left early, or failed: see ``error``).

    ``time_to_first_chunk`` is measured from the start of the call (None if no chunk came);
    ``duration`` from the start to the close; ``usage`` is the answer's token usage when the
    stream carried one."""

    operation: str
    url: str
    assistant: str | None
    request_id: str | None
    chunks: int
    time_to_first_chunk: float | None
    duration: float
    usage: Any
    error: BaseException | None


HookEvent = RequestSent | ResponseReceived | RetryScheduled | StreamOpened | StreamClosed
"""Any of the events a hook is given."""
