"""Running one logical request: the first attempt directly, the retries through tenacity.

The decision of *whether* a failure may be retried lives in ``_retry`` (pure policy); this
module decides *when*: it honours ``Retry-After`` up to the cap, backs off with jitter,
spends the client's retry budget, and never starts a wait that would end past the call's
deadline. A successful first attempt touches none of the retry machinery.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import aiohttp
import anyio
from tenacity import AsyncRetrying, RetryCallState, stop_never

from ._retry import Replay, RetryBudget, backoff_delay, retryable
from .config import RetryPolicy
from .errors import APITimeoutError, PineconeError, UploadNotReplayableError

__all__ = ["Deadline", "is_deadline", "run_with_retries", "timed_out"]

logger = logging.getLogger("pinecone_assistant_async")

T = TypeVar("T")
Attempt = Callable[["Deadline | None"], Awaitable[T]]


@dataclass(frozen=True)
class Deadline:
    """When a call must be over (``at``, on anyio's clock) and the budget it was given."""

    at: float
    seconds: float

    @classmethod
    def after(cls, seconds: float | None) -> Deadline | None:
        return None if seconds is None else cls(anyio.current_time() + seconds, seconds)

    def remaining(self) -> float:
        return self.at - anyio.current_time()


def is_deadline(exc: BaseException) -> bool:
    """A timeout from the call's total deadline (not a connect or idle timeout)."""
    timeouts = (TimeoutError, asyncio.TimeoutError)
    return isinstance(exc, timeouts) and not isinstance(exc, aiohttp.ConnectionTimeoutError)


def timed_out(deadline: Deadline, method: str, url: str) -> APITimeoutError:
    return APITimeoutError(
        f"no answer within {deadline.seconds:g}s: {method} {url}", method=method, url=url
    )


@dataclass(frozen=True)
class _Call:
    policy: RetryPolicy
    budget: RetryBudget
    replay: Replay
    deadline: Deadline | None
    method: str
    url: str

    def delay(self, error: BaseException | None, attempts: int) -> float | None:
        """Seconds to wait before retrying after ``attempts`` attempts, or None to give up."""
        policy = self.policy
        if not isinstance(error, PineconeError) or not retryable(error, self.replay, policy):
            return None
        if attempts > policy.max_retries:
            return None
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            if retry_after > policy.max_retry_after:
                return None
            delay = float(retry_after)
        else:
            delay = backoff_delay(policy, attempts)
        if self.deadline is not None and delay >= self.deadline.remaining():
            return None
        if not self.budget.try_spend():
            logger.debug("retry budget exhausted; not retrying %s %s", self.method, self.url)
            return None
        logger.debug(
            "retrying %s %s after %s (attempt %d, waiting %.3fs)",
            self.method,
            self.url,
            type(error).__name__,
            attempts,
            delay,
        )
        return delay


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
) -> T:
    """Run ``attempt`` until it succeeds or the policy says stop.

    Each attempt gets the absolute deadline and bounds itself with it, and no wait is started
    that would end past it, so the whole call, retries and waits included, ends in time.
    """
    call = _Call(policy, budget, replay, deadline, method, url)
    try:
        return await attempt(deadline)
    except PineconeError as error:
        delay = call.delay(error, 1)
        if delay is None:
            raise
        first = error
    return await _retry(attempt, call, first, delay, sleep)


async def _retry(
    attempt: Attempt[T],
    call: _Call,
    first: PineconeError,
    delay: float,
    sleep: Callable[[float], Awaitable[None]],
) -> T:
    last: BaseException = first
    next_delay = delay

    def should_retry(state: RetryCallState) -> bool:
        nonlocal next_delay, last
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        # tenacity counts from the second attempt: the first ran in run_with_retries
        wait = call.delay(error, state.attempt_number + 1)
        if wait is None or error is None:
            return False
        next_delay, last = wait, error
        return True

    await sleep(delay)
    retrying = AsyncRetrying(
        retry=should_retry,
        wait=lambda _state: next_delay,
        stop=stop_never,
        sleep=sleep,
        reraise=True,
    )
    async for try_ in retrying:
        with try_:
            try:
                return await attempt(call.deadline)
            except UploadNotReplayableError as exc:
                raise exc from last
    raise AssertionError("unreachable")  # pragma: no cover
