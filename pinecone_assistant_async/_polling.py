"""The one wait-until loop: assistant Ready, file Available, operation done, deletion finished.

The whole wait runs under an anyio deadline of ``timeout`` seconds: no poll and no sleep goes
past it. Between polls, tenacity's exponential wait grows from ``first_interval`` to
``max_interval``; the last sleep is cut short to end at the deadline, where one final look is
taken before ``WaitTimeoutError`` (carrying the last state seen) is raised.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

import anyio

from .errors import NotFoundError, ServerSideFailure, WaitTimeoutError

if TYPE_CHECKING:
    from tenacity import RetryCallState

__all__ = ["WaitSpec", "until_gone", "wait_for"]

T = TypeVar("T")
logger = logging.getLogger("pinecone_assistant_async")

FIRST_INTERVAL = 0.05
MAX_INTERVAL = 2.0


@dataclass(frozen=True)
class WaitSpec(Generic[T]):
    """What to wait for.

    ``done(state)`` says the work finished; ``failure(state)`` returns the server's message when
    it failed (raised as ``error``); with ``gone_is_done`` a 404 means the thing is gone, which is
    what a deletion waits for.
    """

    what: str
    done: Callable[[T], bool]
    failure: Callable[[T], str | None]
    error: type[ServerSideFailure]
    describe: Callable[[T], str] = repr
    gone_is_done: bool = False


def until_gone(
    what: str, error: type[ServerSideFailure], describe: Callable[[T], str] = repr
) -> WaitSpec[T]:
    """Waiting for a deletion: only a 404 ends it (no state in between is a failure)."""
    return WaitSpec(
        what=what,
        done=lambda _state: False,
        failure=lambda _state: None,
        error=error,
        describe=describe,
        gone_is_done=True,
    )


class _Gone:
    """Marks that the polled thing no longer exists."""


async def wait_for(
    fetch: Callable[[], Awaitable[T]],
    spec: WaitSpec[T],
    *,
    timeout: float,
    initial: T | None = None,
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    first_interval: float = FIRST_INTERVAL,
    max_interval: float = MAX_INTERVAL,
) -> T | None:
    """Poll ``fetch`` until ``spec`` says done; returns the final state (``None`` when gone)."""
    # tenacity is imported by the first wait, not with the services: most first calls never wait
    from tenacity import AsyncRetrying, retry_if_result, wait_exponential

    deadline = anyio.current_time() + timeout
    last: T | None = initial
    looks = 0  # how many polls were sent: a WaitTimeoutError or failure says so in .attempts
    backoff = wait_exponential(multiplier=first_interval, min=first_interval, max=max_interval)

    async def look() -> T | _Gone:
        nonlocal last, looks
        looks += 1
        try:
            state = await fetch()
        except NotFoundError:
            if spec.gone_is_done:
                return _Gone()
            raise
        last = state
        message = spec.failure(state)
        if message is not None:
            failed = spec.error(message, last=state)
            failed.attempts = looks
            raise failed
        return state

    def pending(result: T | _Gone) -> bool:
        return not isinstance(result, _Gone) and not spec.done(result)

    def next_wait(state: RetryCallState) -> float:
        return max(0.0, min(backoff(state), deadline - anyio.current_time()))

    def out_of_time(state: RetryCallState) -> bool:
        return anyio.current_time() >= deadline

    def timed_out(state: RetryCallState | None = None) -> T | _Gone:
        shown = spec.describe(last) if last is not None else "nothing seen yet"
        logger.info("gave up waiting %gs for %s; last state: %s", timeout, spec.what, shown)
        expired = WaitTimeoutError(
            f"waited {timeout:g}s for {spec.what}; last state: {shown}", last=last, timeout=timeout
        )
        expired.attempts = looks
        raise expired

    result: T | _Gone | None = None
    with anyio.move_on_after(max(0.0, deadline - anyio.current_time())) as scope:
        # The first look runs directly: work that is already done (the common case for a
        # small file) costs one request and no retry machinery.
        result = await look()
        if pending(result):
            await sleep(max(0.0, min(first_interval, deadline - anyio.current_time())))
            retrying = AsyncRetrying(
                retry=retry_if_result(pending),
                wait=next_wait,
                stop=out_of_time,
                sleep=sleep,
                retry_error_callback=timed_out,
            )
            result = await retrying(look)
    if scope.cancelled_caught or result is None:
        timed_out()
    if isinstance(result, _Gone):
        return None
    return result
