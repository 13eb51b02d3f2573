"""The retry decision: which failures are retried, how long to wait, and the retry budget.

Pure logic, no I/O: the transport runs it through tenacity. Requests are classed by what a
retry could do to the server:

* ``Replay.SAFE``: repeating cannot change the outcome (GET, DELETE, PATCH, PUT upsert with the
  caller's id, chat/context/evaluation before the first byte reaches the user).
* ``Replay.IF_NOT_LANDED``: repeating could create a second resource (POST upload with a
  server-chosen id, create assistant): retried only when the request provably did not reach the
  service (the connection never opened, or the service answered 408, 429 or 503).
"""

from __future__ import annotations

import enum
import random
import time
from email.utils import parsedate_to_datetime

from .config import RetryPolicy
from .errors import APIConnectionError, APIStatusError, APITimeoutError, PineconeError

__all__ = ["Replay", "RetryBudget", "backoff_delay", "parse_retry_after", "retryable"]

_NOT_LANDED_STATUSES = frozenset({408, 429, 503})


class Replay(enum.Enum):
    SAFE = "safe"
    IF_NOT_LANDED = "if_not_landed"


class RetryBudget:
    """A token bucket shared by every request of one client.

    It starts with ``burst`` tokens; each first attempt adds ``ratio`` tokens and each retry
    spends one. When the bucket is empty, failures are returned to the caller instead of being
    retried, so retries add at most ``burst + ratio * requests`` extra requests however bad
    the storm. Savings are kept up to ``SAVINGS * burst`` tokens: enough that a blip hitting
    10% of a thousand concurrent calls is retried in full, not so much that a long quiet
    spell banks an unbounded storm.
    """

    SAVINGS = 10

    def __init__(self, ratio: float, burst: int) -> None:
        self._ratio = ratio
        self._cap = float(max(burst * self.SAVINGS, 1))
        self._tokens = float(burst)
        self.spent = 0
        self.refused = 0

    def record_attempt(self) -> None:
        self._tokens = min(self._cap, self._tokens + self._ratio)

    def try_spend(self) -> bool:
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            self.spent += 1
            return True
        self.refused += 1
        return False


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date).

    >>> parse_retry_after("3")
    3.0
    >>> parse_retry_after("soon") is None
    True
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when is None:
            return None
        current = time.time() if now is None else now
        return max(0.0, when.timestamp() - current)
    if seconds != seconds or seconds < 0 or seconds == float("inf"):
        return None
    return seconds


def backoff_delay(
    policy: RetryPolicy, retry_number: int, rng: random.Random | None = None
) -> float:
    """Full-jitter exponential backoff for the ``retry_number``-th retry (1-based)."""
    ceiling = min(policy.max_backoff, policy.initial_backoff * (2 ** (retry_number - 1)))
    return (rng or random).uniform(0.0, ceiling)


def retryable(error: PineconeError, replay: Replay, policy: RetryPolicy) -> bool:
    """Whether ``error`` may be retried for a request of class ``replay`` (budget aside)."""
    if isinstance(error, APIStatusError):
        if error.status == 409 or error.status not in policy.retry_statuses:
            return False
        return replay is Replay.SAFE or error.status in _NOT_LANDED_STATUSES
    if isinstance(error, APIConnectionError):
        if not policy.retry_connection_errors or getattr(error, "permanent", False):
            return False
        if replay is Replay.SAFE:
            return True
        # Only a connection that never opened proves the request did not land.
        return bool(getattr(error, "not_sent", False)) and not isinstance(error, APITimeoutError)
    return False
