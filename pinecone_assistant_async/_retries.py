"""Retries: which failures are retried, how long to wait, the retry budget, and the loop.

Requests are classed by what a retry could do to the server:

* ``Replay.SAFE``: repeating cannot change the outcome (GET, DELETE, PATCH, PUT upsert with the
  caller's id, chat/context/evaluation before the first byte reaches the user).
* ``Replay.IF_NOT_LANDED``: repeating could create a second resource (POST upload with a
  server-chosen id, create assistant): retried only when the request provably did not reach the
  service (the connection never opened, or the service answered 408, 429 or 503). When such a
  request fails without that proof, its error says ``outcome_unknown``.

The loop is tenacity's ``AsyncRetrying`` with its own building blocks: ``retry`` says which
failures may be retried, ``wait`` honours ``Retry-After`` or backs off with full jitter,
``stop`` ends at the policy's attempt limit, before a wait that would end past the call's
deadline, or when the client's retry budget is empty. A successful first attempt touches none
of it. Every error leaving :func:`run_with_retries` carries ``attempts``.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import anyio

from .config import RetryPolicy
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    PineconeError,
    StreamError,
    UploadNotReplayableError,
)

if TYPE_CHECKING:  # tenacity is imported by the first retry, not by the first client
    from tenacity import RetryCallState, wait_random_exponential
    from tenacity.wait import wait_base

__all__ = [
    "AttemptBound",
    "Deadline",
    "Replay",
    "RetryBudget",
    "backoff",
    "backoff_delay",
    "loop_time",
    "retryable",
    "run_with_retries",
    "timed_out",
]

logger = logging.getLogger("pinecone_assistant_async")

T = TypeVar("T")
Attempt = Callable[["Deadline | None"], Awaitable[T]]

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


def loop_time() -> float:
    """The running event loop's clock (the one its timers, and anyio's, run on): read
    directly, it costs a fraction of ``anyio.current_time()`` on the per-request path."""
    return asyncio.get_running_loop().time()


class Deadline(NamedTuple):
    """When a call must be over (``at``, on the event loop's clock) and the budget it was
    given (a tuple: one is made for every call)."""

    at: float
    seconds: float

    @classmethod
    def after(cls, seconds: float | None) -> Deadline | None:
        return None if seconds is None else cls(loop_time() + seconds, seconds)

    def remaining(self) -> float:
        return self.at - loop_time()


def timed_out(deadline: Deadline, method: str, url: str) -> APITimeoutError:
    return APITimeoutError(
        f"no answer within {deadline.seconds:g}s: {method} {url}", method=method, url=url
    )


class AttemptBound:
    """One attempt under the call's deadline and the per-attempt limit, whichever is nearer.

    ``AttemptBound(...)`` raises at once if the deadline has already passed. :meth:`run`
    awaits the attempt under the nearer limit; its passing is an ``APITimeoutError`` that says
    which limit it was, raised with no exception as its context (the cancelled aiohttp call
    stays out of the error).
    """

    __slots__ = ("_by_attempt", "_deadline", "_limit", "_method", "_url")

    def __init__(
        self, deadline: Deadline | None, per_attempt: float | None, method: str, url: str
    ) -> None:
        remaining = None
        if deadline is not None:
            remaining = deadline.remaining()
            if remaining <= 0:
                raise timed_out(deadline, method, url)
        self._by_attempt = per_attempt is not None and (
            remaining is None or per_attempt < remaining
        )
        self._limit = per_attempt if self._by_attempt else remaining
        self._deadline = deadline
        self._method = method
        self._url = url

    async def run(self, attempt: Awaitable[T]) -> T:
        limit = self._limit
        if limit is None:
            return await attempt
        scope = _timeout(limit)
        try:
            async with scope:
                return await attempt
        except TimeoutError:
            if not scope.expired():
                raise  # not ours: whatever raised it is reported as it is
        raise self._error(limit)  # outside the except block: no __context__

    def _error(self, limit: float) -> APITimeoutError:
        method, url = self._method, self._url
        if self._by_attempt or self._deadline is None:
            return APITimeoutError(
                f"no answer within {limit:g}s (one attempt): {method} {url}",
                method=method,
                url=url,
            )
        return timed_out(self._deadline, method, url)


class _AnyioTimeout:
    """``asyncio.timeout`` for Python 3.10 (which lacks it), on an anyio cancel scope."""

    def __init__(self, limit: float) -> None:
        self._scope = anyio.move_on_after(limit)

    def expired(self) -> bool:
        return self._scope.cancelled_caught

    async def __aenter__(self) -> None:
        self._scope.__enter__()

    async def __aexit__(self, *exc_info: Any) -> None:
        self._scope.__exit__(*exc_info)
        if self._scope.cancelled_caught:
            raise TimeoutError


_timeout: Callable[[float], Any] = getattr(asyncio, "timeout", _AnyioTimeout)
"""An async context manager that raises ``TimeoutError`` once ``limit`` seconds pass and then
says so through ``expired()``: asyncio's own (3.11+, a timer on the loop) or the fallback."""


def backoff(policy: RetryPolicy) -> wait_random_exponential:
    """Full-jitter exponential backoff: before retry n, a uniform wait in
    ``[0, min(max_backoff, initial_backoff * 2 ** (n - 1))]``."""
    from tenacity import wait_random_exponential

    return wait_random_exponential(multiplier=policy.initial_backoff, max=policy.max_backoff)


def backoff_delay(policy: RetryPolicy, retry: int) -> float:
    """One draw of :func:`backoff` for retry number ``retry`` (1 for the first), for loops that
    wait themselves (``upload_many``'s whole-file re-sends)."""
    return random.uniform(0.0, min(policy.max_backoff, policy.initial_backoff * 2 ** (retry - 1)))


def retryable(error: PineconeError, replay: Replay, policy: RetryPolicy) -> bool:
    """Whether ``error`` may be retried for a request of class ``replay`` (budget aside)."""
    if isinstance(error, APIStatusError):
        if error.status == 409 or error.status not in policy.retry_statuses:
            return False
        if error.retry_after is not None and error.retry_after > policy.max_retry_after:
            return False  # the caller gets RateLimitError.retry_after instead of a long wait
        return replay is Replay.SAFE or error.status in _NOT_LANDED_STATUSES
    if isinstance(error, StreamError):
        # An error event before any content: nothing reached the caller, so the stream is
        # opened again like any failed opening. Once content has been read, never.
        return error.before_content and replay is Replay.SAFE
    if isinstance(error, APIConnectionError):
        if not policy.retry_connection_errors or error.permanent:
            return False
        if replay is Replay.SAFE:
            return True
        # Only a connection that never opened proves the request did not land.
        return error.not_sent and not isinstance(error, APITimeoutError)
    return False


def _may_have_landed(error: PineconeError) -> bool:
    """Whether a failed create may have taken effect on the service all the same."""
    if isinstance(error, APIStatusError):
        return error.status >= 500 and error.status not in _NOT_LANDED_STATUSES
    if isinstance(error, APIConnectionError):
        return isinstance(error, APITimeoutError) or not error.not_sent
    return False


def _error(state: RetryCallState) -> BaseException | None:
    return state.outcome.exception() if state.outcome is not None else None


class _WaitRetryAfter:
    """The server's ``Retry-After`` when the failure carried one, else ``fallback``."""

    def __init__(self, fallback: wait_base) -> None:
        self.fallback = fallback

    def __call__(self, retry_state: RetryCallState) -> float:
        error = _error(retry_state)
        if isinstance(error, APIStatusError) and error.retry_after is not None:
            return error.retry_after
        return float(self.fallback(retry_state))


class _StopBeforeDeadline:
    """Stop rather than start a wait that would end past the call's deadline."""

    def __init__(self, deadline: Deadline | None) -> None:
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        deadline = self.deadline
        return deadline is not None and retry_state.upcoming_sleep >= deadline.remaining()


class _StopWithoutBudget:
    """Stop when the client's retry budget is empty; otherwise spend one token."""

    def __init__(self, budget: RetryBudget, method: str, url: str) -> None:
        self.budget = budget
        self.what = f"{method} {url}"

    def __call__(self, retry_state: RetryCallState) -> bool:
        if self.budget.try_spend():
            return False
        logger.debug("retry budget exhausted; not retrying %s", self.what)
        return True


def _stop_any(*stops: Callable[[RetryCallState], bool]) -> Callable[[RetryCallState], bool]:
    """Stop when the first of ``stops`` (asked in order) says so."""
    return lambda state: any(stop(state) for stop in stops)


async def run_with_retries(
    attempt: Attempt[T],
    *,
    policy: RetryPolicy,
    budget: RetryBudget,
    replay: Replay,
    deadline: Deadline | None,
    sleep: Callable[[float], Awaitable[None]],
    method: str,
    url: str,
    first: PineconeError | None = None,
) -> T:
    """Run ``attempt`` until it succeeds or the policy says stop.

    Each attempt gets the absolute deadline and bounds itself with it, and no wait is started
    that would end past it, so the whole call, retries and waits included, ends in time.
    ``first``: the first attempt was already made (by a caller that sends it with no retry
    machinery around it) and failed with this error; the retries continue from there.
    """
    if first is None:
        try:
            return await attempt(deadline)  # the fast path: no retry machinery at all
        except PineconeError as error:
            first = error
    if not retryable(first, replay, policy) or policy.max_retries == 0:
        raise _final(first, 1, replay)
    from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

    def log_retry(state: RetryCallState) -> None:
        logger.info(
            "retrying %s %s after %s (attempt %d, waiting %.3fs)",
            method,
            url,
            type(_error(state)).__name__,
            state.attempt_number,
            state.upcoming_sleep,
        )

    retrying = AsyncRetrying(
        retry=retry_if_exception(
            lambda exc: isinstance(exc, PineconeError) and retryable(exc, replay, policy)
        ),
        wait=_WaitRetryAfter(backoff(policy)),
        stop=_stop_any(  # in order: the budget is last, it spends a token if it allows
            stop_after_attempt(policy.max_retries + 1),
            _StopBeforeDeadline(deadline),
            _StopWithoutBudget(budget, method, url),
        ),
        before_sleep=log_retry,
        sleep=sleep,
        reraise=True,
    )
    last: PineconeError = first
    attempts = 1
    try:
        async for try_ in retrying:
            with try_:
                attempts = try_.retry_state.attempt_number
                if attempts == 1:
                    raise first  # attempt 1 already ran above: let tenacity judge its failure
                try:
                    return await attempt(deadline)
                except UploadNotReplayableError as exc:
                    raise exc from last
                except PineconeError as exc:
                    last = exc
                    raise
    except PineconeError as error:
        raise _final(error, attempts, replay)  # noqa: B904 - the error itself, not a new one
    raise AssertionError("unreachable")  # pragma: no cover - reraise=True raises the last error


def _final(error: PineconeError, attempts: int, replay: Replay) -> PineconeError:
    """``error`` as the call's outcome: how many attempts were made, and whether it may have
    taken effect anyway."""
    error.attempts = attempts
    if replay is Replay.IF_NOT_LANDED and isinstance(error, APIError):
        error.outcome_unknown = _may_have_landed(error)
    return error
