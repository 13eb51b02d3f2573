"""The one request funnel: URLs, headers, the session, retries, deadlines and error mapping.

Services call :meth:`Transport.request`, :meth:`Transport.request_model` or
:meth:`Transport.stream` and never touch aiohttp. Below this module, ``_errors_map`` turns
aiohttp's failures into typed errors, ``_retries`` runs the retries, ``_hosts`` caches the
data-plane hosts, and the upload payloads (``_uploads``) are aiohttp payloads; the stream
reader (``_event_stream``) reads the response this module opens.

One attempt is sent by :meth:`Transport._open` (unary calls and streams alike). Each attempt
is bounded by the call's deadline and, for a safe request other than a POST, by
``Timeouts.attempt`` too, so a stalled attempt is retried while the deadline lasts.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import aiohttp
import anyio

from ._errors_map import (
    TRANSPORT_ERRORS,
    connection_error,
    decode_error,
    payload_error,
    status_error,
    validation_summary,
)
from ._exchange import BodyFactory, RawResponse, RequestOptions, json_bytes
from ._hosts import HostCache, says_assistant_missing
from ._observe import Instruments, observed_attempt, observed_call, stamped
from ._pacing import Pacer
from ._retries import Deadline, Replay, RetryBudget, bounded_attempt, run_with_retries
from ._session import SessionOwner
from ._validation import check_wire_text
from ._version import __version__
from .config import ClientConfig
from .errors import NotFoundError, PineconeError, RateLimitError

if TYPE_CHECKING:  # typing.Unpack is 3.11+; annotations are not evaluated at run time
    from pydantic import BaseModel
    from typing_extensions import Unpack

__all__ = ["BodyFactory", "RawResponse", "Sleep", "Transport", "path_segment"]

logger = logging.getLogger("pinecone_assistant_async")

M = TypeVar("M", bound="BaseModel")
T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


def path_segment(value: str) -> str:
    """Quote one URL path segment."""
    return quote(value, safe="")


@dataclass(frozen=True)
class _Request:
    """What every attempt of one call sends (the URL aside, which a moved host changes)."""

    method: str
    params: Mapping[str, str] | None
    data: bytes | None
    body: BodyFactory | None
    headers: Mapping[str, str]
    per_attempt: float | None
    stream: bool = False


class Transport(SessionOwner):
    """Owns (or borrows) one ``aiohttp.ClientSession`` and sends every request of a client.

    ``sleep`` is the wait between retries and polls (a testing hook: a recorder makes
    backoff observable without waiting).
    """

    def __init__(
        self,
        config: ClientConfig,
        session: aiohttp.ClientSession | None = None,
        *,
        sleep: Sleep = anyio.sleep,
    ) -> None:
        super().__init__(config, session)
        self.config = config
        self.budget = RetryBudget(config.retry.budget_ratio, config.retry.budget_burst)
        scheme = config.control_base.split("://", 1)[0]
        self.hosts = HostCache(self._lookup_host, scheme=scheme)
        self.sleep = sleep
        self.instruments = Instruments()  # hooks, tracers, usage totals: see _observe
        self.pacer = Pacer(  # client.py replaces it when given rate limits
            sleep=lambda seconds: self.sleep(seconds), max_hold=config.retry.max_retry_after
        )
        self._headers = {
            **config.extra_headers,
            "Api-Key": config.api_key,
            "X-Pinecone-Api-Version": config.api_version,
            "User-Agent": f"pinecone-assistant-async/{__version__} aiohttp/{aiohttp.__version__}",
        }
        t = config.timeouts
        self._unary_timeout = aiohttp.ClientTimeout(total=None, sock_connect=t.connect)
        self._stream_timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=t.connect, sock_read=t.stream_idle
        )

    # -- URLs ------------------------------------------------------------------------------

    def control_url(self, path: str) -> str:
        return f"{self.config.control_base}/assistant{path}"

    def evaluation_url(self, path: str) -> str:
        return f"{self.config.evaluation_base}/assistant{path}"

    async def data_url(self, assistant: str, path: str) -> str:
        override = self.config.data_host_override
        base = override if override is not None else await self.hosts.get(assistant)
        return f"{base}/assistant{path}"

    async def _lookup_host(self, assistant: str) -> str:
        url = self.control_url(f"/assistants/{path_segment(assistant)}")
        raw = await self.request("GET", url)
        try:
            host = json.loads(raw.body).get("host")
        except (ValueError, AttributeError):
            host = None
        if not isinstance(host, str) or not host:
            raise self._decode_error(
                f"the service did not say where assistant {assistant!r} is hosted", raw, "GET", url
            )
        return host

    # -- requests --------------------------------------------------------------------------

    @observed_call
    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        body: BodyFactory | None = None,
        replay: Replay = Replay.SAFE,
        timeout: float | None = None,
        assistant: str | None = None,
    ) -> RawResponse:
        """Send one logical request (with retries) and return its successful response.

        ``timeout`` (default ``Timeouts.total``) bounds the whole call; ``assistant`` names
        the assistant of a data-plane call, whose host is re-described when a 404 says the
        assistant is not there.
        """
        headers = self._headers
        data = None
        if json_body is not None:
            data = json_bytes(json_body)
            headers = {**headers, "Content-Type": "application/json"}
        if params:
            for name, value in params.items():
                check_wire_text(value, name)
        t = self.config.timeouts
        per_attempt = None
        if body is not None:
            per_attempt = t.upload
        elif replay is Replay.SAFE and method != "POST":
            per_attempt = t.attempt
        request = _Request(method, params, data, body, headers, per_attempt)
        sent = 0

        async def send(url: str, deadline: Deadline | None) -> RawResponse:
            nonlocal sent
            sent += 1
            return await self._send(request, url, deadline)

        raw = await self._run(send, request, url, replay, timeout, assistant)
        return raw if sent == 1 else replace(raw, attempts=sent)

    @observed_call
    async def request_model(
        self, model: type[M], method: str, url: str, **options: Unpack[RequestOptions]
    ) -> M:
        raw = await self.request(method, url, **options)
        return self.decode(model, raw, method=method, url=url)

    def decode(self, model: type[M], raw: RawResponse, *, method: str, url: str) -> M:
        from pydantic import ValidationError  # loaded with the models by then: a dict lookup

        try:
            return stamped(model.model_validate_json(raw.body), raw.headers)
        except ValidationError as exc:
            reason = validation_summary(exc)
        # Raised outside the except block: the ValidationError (which quotes the body, and
        # with it anything the body echoed) must not ride along as __context__.
        raise self._decode_error(reason, raw, method, url)

    def _decode_error(self, reason: str, raw: RawResponse, method: str, url: str) -> PineconeError:
        return decode_error(
            reason,
            status=raw.status,
            headers=raw.headers,
            raw=raw.body,
            method=method,
            url=url,
            secret=self.config.api_key,
            attempts=raw.attempts,
        )

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        url: str,
        *,
        json_body: Any,
        timeout: float | None = None,
        assistant: str | None = None,
        prime: Callable[[aiohttp.ClientResponse], Awaitable[None]] | None = None,
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """Open a streaming response; retries happen only before it is handed out.

        Only the opening (until the status line and headers) is bounded by ``timeout``; the
        body is bounded by the idle timeout alone. The response is closed on exit: released
        for reuse when fully read, otherwise its connection is dropped at once (early exit,
        ``break``, cancellation).

        ``prime`` runs as part of each attempt once the headers are in (the stream checks the
        answer and reads its first events there): what it raises is retried like a failed
        opening, when the retry policy allows.
        """
        data = json_bytes(json_body)
        headers = {
            **self._headers,
            "Content-Type": "application/json",
            "Accept": "text/event-stream",
        }
        request = _Request(method, None, data, None, headers, None, stream=True)

        async def send(url: str, deadline: Deadline | None) -> aiohttp.ClientResponse:
            with bounded_attempt(deadline, None, method, url):
                response = await self._open(request, url)
            if prime is not None:
                try:
                    await prime(response)
                except BaseException:
                    response.close()
                    raise
            return response

        response = await self._run(send, request, url, Replay.SAFE, timeout, assistant)
        try:
            yield response
        finally:
            if response.content.is_eof():
                response.release()
            else:
                response.close()

    # -- internals -------------------------------------------------------------------------

    async def _run(
        self,
        send: Callable[[str, Deadline | None], Awaitable[T]],
        request: _Request,
        url: str,
        replay: Replay,
        timeout: float | None,
        assistant: str | None,
    ) -> T:
        """Run ``send`` with retries; a data-plane call whose 404 says the assistant is not
        on its host re-describes the assistant and, if it moved, is sent once more there."""
        self.budget.record_attempt()
        deadline = Deadline.after(self.config.timeouts.total if timeout is None else timeout)

        async def call(url: str) -> T:
            return await run_with_retries(
                lambda deadline: self._paced(send, request, url, deadline),
                policy=self.config.retry,
                budget=self.budget,
                replay=replay,
                deadline=deadline,
                sleep=self.instruments.retry_sleep(self.sleep),
                method=request.method,
                url=url,
            )

        try:
            return await call(url)
        except NotFoundError as error:
            if assistant is None or not says_assistant_missing(error, assistant):
                raise
            missing = error
        moved = None if self.config.data_host_override else await self.hosts.rehome(assistant, url)
        if moved is None:
            raise missing
        try:
            return await call(moved)
        except PineconeError as error:
            error.attempts += missing.attempts
            raise

    async def _paced(
        self,
        send: Callable[[str, Deadline | None], Awaitable[T]],
        request: _Request,
        url: str,
        deadline: Deadline | None,
    ) -> T:
        """Pacing hook (rate limits per operation class, see ``_pacing``): each attempt waits
        for its admission before it starts, and tells the limiter how it was answered."""
        within = None if deadline is None else deadline.remaining()
        admission = await self.pacer.admit(request.method, url, len(request.data or b""), within)
        try:
            result = await send(url, deadline)
        except PineconeError as error:
            retry_after = error.retry_after if isinstance(error, RateLimitError) else None
            await self.pacer.answered(admission, getattr(error, "status", None), retry_after)
            raise
        except BaseException:  # cancelled mid-request: it may have been counted
            with anyio.CancelScope(shield=True):
                await self.pacer.answered(admission, None, None)
            raise
        await self.pacer.answered(admission, 200, None)
        return result

    async def _send(self, request: _Request, url: str, deadline: Deadline | None) -> RawResponse:
        debug = logger.isEnabledFor(logging.DEBUG)
        started = anyio.current_time() if debug else 0.0
        failure: PineconeError | None = None
        with bounded_attempt(deadline, request.per_attempt, request.method, url):
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
            elapsed = (anyio.current_time() - started) * 1e3
            logger.debug("%s %s -> %d in %.1f ms", request.method, url, resp.status, elapsed)
        return RawResponse(resp.status, resp.headers, raw)

    @observed_attempt
    async def _open(self, request: _Request, url: str) -> aiohttp.ClientResponse:
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
