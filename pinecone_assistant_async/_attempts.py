"""How one call is sent: admission, the first attempt, retries, and each attempt's limits.

:class:`AttemptSender` is the half of the transport below the request builders: ``_run``
makes the first attempt with no retry machinery around it (most calls end there), and only a
failure goes on to ``_recover`` (the retries of ``_retries``, then the move of an assistant
whose 404 says it is not on its host). Each attempt is admitted by the pacer (``_pacing``),
bounded by the call's deadline and its per-attempt limit (``AttemptBound``), sent by
``_open`` (unary calls and streams alike) and, for unary calls, read whole by ``_exchange``.
aiohttp's failures become typed errors here, raised outside ``except`` blocks so that no
aiohttp error rides along as ``__context__``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

import aiohttp
import anyio

from ._errors_map import TRANSPORT_ERRORS, connection_error, payload_error, status_error
from ._exchange import BodyFactory, RawResponse
from ._hosts import HostCache, says_assistant_missing
from ._observe import Instruments, observed_attempt
from ._pacing import WAIT, Pacer
from ._retries import (
    AttemptBound,
    Deadline,
    Replay,
    RetryBudget,
    loop_time,
    run_with_retries,
)
from ._session import SessionOwner
from .config import ClientConfig
from .errors import NotFoundError, PineconeError, RateLimitError

__all__ = ["AttemptSender", "Request", "Sleep"]

logger = logging.getLogger("pinecone_assistant_async")

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
Send = Callable[["Request", str, Deadline | None], Awaitable[T]]


class Request:
    """What every attempt of one call sends (the URL aside, which a moved host changes), and
    how many attempts were sent."""

    __slots__ = ("body", "data", "headers", "method", "params", "per_attempt", "sent", "stream")

    def __init__(
        self,
        method: str,
        params: Mapping[str, str] | None,
        data: bytes | None,
        body: BodyFactory | None,
        headers: Mapping[str, str],
        per_attempt: float | None,
        stream: bool = False,
    ) -> None:
        self.method = method
        self.params = params
        self.data = data
        self.body = body
        self.headers = headers
        self.per_attempt = per_attempt
        self.stream = stream
        self.sent = 0


class AttemptSender(SessionOwner):
    """Sends the attempts of one call (the transport's lower half; see the module docstring)."""

    config: ClientConfig
    budget: RetryBudget
    hosts: HostCache
    sleep: Sleep
    instruments: Instruments
    pacer: Pacer
    _unary_timeout: aiohttp.ClientTimeout
    _stream_timeout: aiohttp.ClientTimeout

    async def _run(
        self,
        send: Send[T],
        request: Request,
        url: str,
        replay: Replay,
        timeout: float | None,
        assistant: str | None,
    ) -> T:
        """Send ``request`` with retries; a data-plane call whose 404 says the assistant is not
        on its host re-describes the assistant and, if it moved, is sent once more there.

        The first attempt is made right here, with none of the retry machinery around it."""
        self.budget.record_attempt()
        deadline = Deadline.after(self.config.timeouts.total if timeout is None else timeout)
        try:
            return await self._paced(send, request, url, deadline)
        except PineconeError as error:
            first = error
        return await self._recover(first, send, request, url, replay, deadline, assistant)

    async def _recover(
        self,
        first: PineconeError,
        send: Send[T],
        request: Request,
        url: str,
        replay: Replay,
        deadline: Deadline | None,
        assistant: str | None,
    ) -> T:
        """After a failed first attempt: the retries, then the move of a missing assistant."""
        policy, sleep = self.config.retry, self.instruments.retry_sleep(self.sleep)

        def retries(url: str, first: PineconeError | None = None) -> Awaitable[T]:
            return run_with_retries(
                lambda deadline: self._paced(send, request, url, deadline),
                policy=policy,
                budget=self.budget,
                replay=replay,
                deadline=deadline,
                sleep=sleep,
                method=request.method,
                url=url,
                first=first,
            )

        try:
            return await retries(url, first)
        except NotFoundError as error:
            if assistant is None or not says_assistant_missing(error, assistant):
                raise
            missing = error
        moved = None if self.config.data_host_override else await self.hosts.rehome(assistant, url)
        if moved is None:
            raise missing
        try:
            return await retries(moved)
        except PineconeError as error:
            error.attempts += missing.attempts
            raise

    async def _paced(
        self,
        send: Send[T],
        request: Request,
        url: str,
        deadline: Deadline | None,
    ) -> T:
        """Pacing hook (rate limits per operation class, see ``_pacing``): each attempt waits
        for its admission before it starts, and tells the limiter how it was answered."""
        pacer = self.pacer
        size = len(request.data) if request.data is not None else 0
        admission = pacer.admit_now(request.method, url, size)
        if admission is WAIT:
            within = None if deadline is None else deadline.remaining()
            admission = await pacer.admit(request.method, url, size, within)
        try:
            result = await send(request, url, deadline)
        except PineconeError as error:
            retry_after = error.retry_after if isinstance(error, RateLimitError) else None
            await pacer.answered(admission, getattr(error, "status", None), retry_after)
            raise
        except BaseException:  # cancelled mid-request: it may have been counted
            with anyio.CancelScope(shield=True):
                await pacer.answered(admission, None, None)
            raise
        if admission is not None and not pacer.answered_now(admission):
            await pacer.answered(admission, 200, None)
        return result

    async def _send(self, request: Request, url: str, deadline: Deadline | None) -> RawResponse:
        request.sent += 1
        bound = AttemptBound(deadline, request.per_attempt, request.method, url)
        return await bound.run(self._exchange(request, url))

    async def _exchange(self, request: Request, url: str) -> RawResponse:
        """One unary attempt: open, read the body whole, release the connection."""
        debug = logger.isEnabledFor(logging.DEBUG)
        started = loop_time() if debug else 0.0
        failure: PineconeError | None = None
        resp = await self._open(request, url)
        try:
            raw = await resp.read()
        except TRANSPORT_ERRORS as exc:
            failure = self._connection_error(exc, request.method, url)
        finally:
            resp.release()
        if failure is not None:
            raise failure  # outside the except block: no aiohttp error as __context__
        if debug:
            elapsed = (loop_time() - started) * 1e3
            logger.debug("%s %s -> %d in %.1f ms", request.method, url, resp.status, elapsed)
        return RawResponse(resp.status, resp.headers, raw)

    @observed_attempt
    async def _open(self, request: Request, url: str) -> aiohttp.ClientResponse:
        """Send one attempt; return the response once its headers are in and its status is
        a success (an error status is read, released and raised as a typed error)."""
        session = self.session
        payload = await request.body() if request.body is not None else request.data
        failure: PineconeError | None = None
        try:
            resp = await session.request(
                request.method,
                url,
                params=request.params,
                data=payload,
                headers=request.headers,
                timeout=self._stream_timeout if request.stream else self._unary_timeout,
                proxy=self.config.proxy,
                allow_redirects=False,  # the Api-Key header would follow to any host
            )
        except TRANSPORT_ERRORS as exc:
            logger.debug("%s %s failed: %s", request.method, url, type(exc).__name__)
            failure = self._connection_error(exc, request.method, url)
        if failure is not None:
            raise failure  # outside the except block: no aiohttp error as __context__
        if request.stream or resp.status >= 300:  # (unary successes: see _send)
            logger.debug("%s %s -> %d", request.method, url, resp.status)
        if resp.status < 300:
            return resp
        try:
            raw = await resp.read()
        except TRANSPORT_ERRORS:
            raw = b""
        finally:
            resp.release()
        raise status_error(
            resp.status,
            raw,
            resp.headers,
            method=request.method,
            url=url,
            secret=self.config.api_key,
        )

    def _connection_error(self, exc: BaseException, method: str, url: str) -> PineconeError:
        own = payload_error(exc)
        if own is not None:
            return own
        return connection_error(exc, method=method, url=url, secret=self.config.api_key)
